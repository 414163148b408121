import { judgeAction, WORKSPACE_STATUSES, type WorkspaceStatus } from "@molecule/contracts";
import { eq, workspaces } from "@molecule/db";
import { describe, expect, it } from "vitest";
import {
  createWorkspace,
  eventTypes,
  register,
  rowOf,
  type TestServer,
  testServerPerFile,
  trpc,
} from "./helpers";

const t = testServerPerFile();

/** A workspace put straight into `status` (the table under test is about what happens next). */
async function inStatus(ts: TestServer, status: WorkspaceStatus, parentId?: string) {
  const ws = await createWorkspace(ts, { name: `ws-${status}`, external: true, parentId: parentId ?? null });
  await ts.db.handle.db.update(workspaces).set({ status }).where(eq(workspaces.id, ws.id));
  return ws;
}

/** What an action must leave alone when it is refused: the row's status and time, and the event log. */
async function snapshot(ts: TestServer, id: string) {
  const row = await rowOf(ts.db.handle.db, id);
  return {
    status: row.status,
    updatedAt: row.updatedAt.toISOString(),
    events: await eventTypes(ts.db.handle.db, id),
  };
}

describe("every refused operator action is a clear 4xx and changes nothing (SPEC §2)", () => {
  for (const action of ["restart", "pause", "resume", "remove"] as const) {
    for (const status of WORKSPACE_STATUSES) {
      const verdict = judgeAction(action, status);
      if (verdict.ok) continue;
      it(`${action} from ${status} → ${verdict.gone ? "404" : "409"}`, async () => {
        const ws = await inStatus(t, status);
        const before = await snapshot(t, ws.id);
        const res = await trpc(t, `workspace.${action}`, { id: ws.id });
        expect(res.status).toBe(verdict.gone ? 404 : 409);
        expect(res.body.error.message).toBe(verdict.gone ? "No workspace with that id." : verdict.reason);
        expect(await snapshot(t, ws.id)).toEqual(before);
      });
    }
  }

  it("the no-ops (restart while provisioning, pause while paused) are accepted and change nothing", async () => {
    for (const [action, status] of [
      ["restart", "provisioning"],
      ["pause", "paused"],
    ] as const) {
      const ws = await inStatus(t, status);
      const before = await snapshot(t, ws.id);
      expect((await trpc(t, `workspace.${action}`, { id: ws.id })).status).toBe(200);
      expect(await snapshot(t, ws.id)).toEqual(before);
    }
  });
});

describe("a paused ancestor (SPEC §2: pause cascades to descendants)", () => {
  async function pausedTeam(name: string) {
    const team = await createWorkspace(t, { name, external: true });
    const member = await createWorkspace(t, { name: `${name} member`, external: true, parentId: team.id });
    expect((await trpc(t, "workspace.pause", { id: team.id })).status).toBe(200);
    return { team, member };
  }
  const because = (name: string) =>
    `"${name}" is paused, and everything under it stays paused: resume it first.`;

  it("create under a paused parent, or under a paused grandparent, is a 400 naming parentId; nothing is written", async () => {
    const { team, member } = await pausedTeam("Paused team");
    const count = async () => (await t.db.handle.db.select({ id: workspaces.id }).from(workspaces)).length;
    const before = await count();

    const underTeam = await trpc(t, "workspace.create", { name: "New", parentId: team.id });
    expect(underTeam.status).toBe(400);
    expect(underTeam.body.error.message).toBe(
      "parentId: That workspace is paused: resume it before adding workspaces under it.",
    );
    expect(underTeam.body.error.data.fields).toEqual([
      { path: "parentId", message: "That workspace is paused: resume it before adding workspaces under it." },
    ]);

    // The member is paused by the cascade; make it look running to reach the ancestor check.
    await t.db.handle.db.update(workspaces).set({ status: "online" }).where(eq(workspaces.id, member.id));
    const underMember = await trpc(t, "workspace.create", { name: "New", parentId: member.id });
    expect(underMember.status).toBe(400);
    expect(underMember.body.error.message).toBe(`parentId: ${because("Paused team")}`);
    expect(await count()).toBe(before);
  });

  it("resume of a member while its team is paused is a 409 and changes nothing; top-down works", async () => {
    const { team, member } = await pausedTeam("Team R");
    const before = await snapshot(t, member.id);
    const refused = await trpc(t, "workspace.resume", { id: member.id });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(because("Team R"));
    expect(await snapshot(t, member.id)).toEqual(before);

    expect((await trpc(t, "workspace.resume", { id: team.id })).data.workspace.status).toBe("awaiting_agent");
    expect((await trpc(t, "workspace.resume", { id: member.id })).data.workspace.status).toBe(
      "awaiting_agent",
    );
  });

  it("moving a running workspace under a paused team is a 400 naming parentId; a paused one may move there", async () => {
    const { team } = await pausedTeam("Team M");
    const loner = await createWorkspace(t, { name: "Loner M", external: true });
    expect((await register(t, loner)).data.status).toBe("online");
    const before = await rowOf(t.db.handle.db, loner.id);

    const refused = await trpc(t, "workspace.update", { id: loner.id, parentId: team.id });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe(
      "parentId: That workspace is paused: resume it before adding workspaces under it.",
    );
    expect(await rowOf(t.db.handle.db, loner.id)).toEqual(before);

    expect((await trpc(t, "workspace.pause", { id: loner.id })).status).toBe(200);
    const moved = await trpc(t, "workspace.update", { id: loner.id, parentId: team.id });
    expect(moved.status).toBe(200);
    expect(moved.data.parentId).toBe(team.id);
  });

  it("restart of a running workspace under a paused team is a 409 and changes nothing", async () => {
    const { member } = await pausedTeam("Team S");
    // Running under a paused team: no operator path leads here any more; a row written before
    // this rule (or by hand) still must not restart.
    await t.db.handle.db.update(workspaces).set({ status: "online" }).where(eq(workspaces.id, member.id));
    const before = await snapshot(t, member.id);

    const refused = await trpc(t, "workspace.restart", { id: member.id });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(because("Team S"));
    expect(await snapshot(t, member.id)).toEqual(before);
    expect((await rowOf(t.db.handle.db, member.id)).pendingRestart).toBe(false);
  });
});
