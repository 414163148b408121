import { CARD_HEIGHT, CARD_WIDTH, regionSizes } from "@molecule/contracts";
import { eq, rowsOf, sql, workspaceEvents, workspaceSecrets } from "@molecule/db";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../src/root";
import { startTestServer, type TestServer } from "../src/testing";

let t: TestServer;
let api: ReturnType<typeof createTRPCClient<AppRouter>>;

beforeAll(async () => {
  t = await startTestServer();
  api = createTRPCClient<AppRouter>({
    links: [
      httpLink({ url: `${t.url}/api/trpc`, headers: { authorization: `Bearer ${t.config.adminToken}` } }),
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AppRouter>;
    throw error;
  }
  throw new Error("expected the call to fail");
}

async function eventTypes(id: string) {
  const rows = await t.db.handle.db.select().from(workspaceEvents).where(eq(workspaceEvents.workspaceId, id));
  return rows.map((r) => r.type);
}

async function heartbeat(id: string, token: string, body: Record<string, unknown> = {}) {
  return fetch(`${t.url}/registry/heartbeat`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ workspace_id: id, ...body }),
  });
}

describe("workspace.create", () => {
  it("creates with defaults, a token, and a WORKSPACE_CREATED event", async () => {
    const { workspace, token } = await api.workspace.create.mutate({ name: "  Alpha  " });
    expect(workspace).toMatchObject({
      name: "Alpha",
      tier: 3,
      status: "provisioning",
      runtime: "demo",
      maxConcurrentTasks: 1,
    });
    expect(workspace.awarenessNamespace).toBe(`workspace:${workspace.id}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await eventTypes(workspace.id)).toEqual(["WORKSPACE_CREATED"]);
  });

  it("tier 0 means 3; external starts awaiting_agent", async () => {
    const { workspace } = await api.workspace.create.mutate({
      name: "Ext",
      tier: 0,
      external: true,
      url: "https://agent.example/a2a",
    });
    expect(workspace).toMatchObject({ tier: 3, status: "awaiting_agent", external: true });
  });

  it("applies a template's defaults and writes its memories in the workspace namespace", async () => {
    // templates/researcher.json: tier 3, maxConcurrentTasks 2.
    const { workspace } = await api.workspace.create.mutate({ name: "R", template: "researcher" });
    expect(workspace).toMatchObject({ tier: 3, maxConcurrentTasks: 2 });
    const details = await api.workspace.get.query({ id: workspace.id });
    expect(details.workspace.role).toMatch(/^Research/);
    expect(details.memories).toHaveLength(1);
    expect(details.memories[0]).toMatchObject({ namespace: `workspace:${workspace.id}`, scope: "LOCAL" });
  });

  // SPEC §4: the template's defaults fill what the input leaves empty, and only that.
  it.each([
    [{ template: "team-lead" }, { tier: 2, maxConcurrentTasks: 4 }],
    [
      { template: "team-lead", tier: 0 },
      { tier: 2, maxConcurrentTasks: 4 },
    ],
    [
      { template: "team-lead", tier: 4, maxConcurrentTasks: 1 },
      { tier: 4, maxConcurrentTasks: 1 },
    ],
    [
      { template: "writer", maxConcurrentTasks: 7 },
      { tier: 3, maxConcurrentTasks: 7 },
    ],
    [{}, { tier: 3, maxConcurrentTasks: 1 }],
  ])("template defaults: %j → %j", async (input, expected) => {
    const { workspace } = await api.workspace.create.mutate({ name: "T", ...input });
    expect(workspace).toMatchObject(expected);
    const listed = (await api.workspace.list.query()).find((w) => w.id === workspace.id);
    expect(listed).toMatchObject(expected);
  });

  it.each([
    [{ name: "" }, "name"],
    [{ name: "bad\u0007name" }, "name"],
    [{ name: "x", tier: 7 }, "tier"],
    [{ name: "x", template: "nope" }, "template"],
    [{ name: "x", runtime: "cobol" }, "runtime"],
    [{ name: "x", url: "https://a.example" }, "url"],
    [{ name: "x", external: true, url: "ftp://a.example" }, "url"],
    [{ name: "x", external: true, url: "https://user:pw@a.example" }, "url"],
    [{ name: "x", workspaceDir: "relative/dir" }, "workspaceDir"],
    [{ name: "x", workspaceDir: "/etc" }, "workspaceDir"],
    [{ name: "x", workspaceDir: "/srv/../etc" }, "workspaceDir"],
    [{ name: "x", workspaceAccess: "read_write" }, "workspaceAccess"],
    [{ name: "x", maxConcurrentTasks: 0 }, "maxConcurrentTasks"],
    [{ name: "x", budgetLimit: -1 }, "budgetLimit"],
    [{ name: "x", secrets: { "lower-case": "v" } }, "secrets"],
    [{ name: "x", parentId: "does-not-exist" }, "parentId"],
  ])("rejects %j naming the field, and creates nothing", async (input, field) => {
    const before = (await api.workspace.list.query()).length;
    const error = await failure(api.workspace.create.mutate(input as never));
    expect(error.data?.code).toBe("BAD_REQUEST");
    expect(error.data?.fields?.some((f) => f.path.startsWith(field))).toBe(true);
    expect(error.message).toContain(field);
    expect(error.message).not.toMatch(/select|insert|stack|at .*\.ts/i);
    expect((await api.workspace.list.query()).length).toBe(before);
  });

  it("stores secrets encrypted and lists keys only", async () => {
    const { workspace } = await api.workspace.create.mutate({
      name: "S",
      secrets: { API_KEY: "super-secret-value" },
    });
    const rows = await t.db.handle.db
      .select()
      .from(workspaceSecrets)
      .where(eq(workspaceSecrets.workspaceId, workspace.id));
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain("super-secret-value");
    const dump = rowsOf(await t.db.handle.db.execute(sql`select * from workspace_secrets`));
    expect(JSON.stringify(dump)).not.toContain("super-secret-value");
    await api.secret.set.mutate({ id: workspace.id, key: "OTHER", value: "v2" });
    const keys = await api.secret.list.query({ id: workspace.id });
    expect(keys.map((k) => k.key)).toEqual(["API_KEY", "OTHER"]);
    expect(JSON.stringify(keys)).not.toContain("v2");
    await api.secret.delete.mutate({ id: workspace.id, key: "OTHER" });
    expect((await api.secret.list.query({ id: workspace.id })).map((k) => k.key)).toEqual(["API_KEY"]);
    expect((await failure(api.secret.delete.mutate({ id: workspace.id, key: "OTHER" }))).data?.code).toBe(
      "NOT_FOUND",
    );
  });
});

describe("lifecycle", () => {
  it("restart: → provisioning with one event, idempotent while provisioning, old token 401", async () => {
    const { workspace, token } = await api.workspace.create.mutate({ name: "L" });
    expect(
      (await heartbeat(workspace.id, token, { runtime_state: "wedged", sample_error: "boom" })).status,
    ).toBe(200);
    const first = await api.workspace.restart.mutate({ id: workspace.id });
    expect(first).toMatchObject({ restarted: true, workspace: { status: "provisioning" } });
    const second = await api.workspace.restart.mutate({ id: workspace.id });
    expect(second.restarted).toBe(false);
    expect(await eventTypes(workspace.id)).toEqual([
      "WORKSPACE_CREATED",
      "WORKSPACE_DEGRADED",
      "WORKSPACE_PROVISIONING",
    ]);
    expect((await heartbeat(workspace.id, token)).status).toBe(401);
  });

  it("external restart keeps the token and delivers a restart directive until register", async () => {
    const { workspace, token } = await api.workspace.create.mutate({ name: "E", external: true });
    await heartbeat(workspace.id, token);
    await api.workspace.restart.mutate({ id: workspace.id });
    const res = await heartbeat(workspace.id, token);
    expect(await res.json()).toMatchObject({ status: "provisioning", directives: ["restart"] });
    const reg = await fetch(`${t.url}/registry/register`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ id: workspace.id, url: "http://127.0.0.1:9/agent", agent_card: { name: "E" } }),
    });
    expect(await reg.json()).toMatchObject({ status: "online" });
    expect(await (await heartbeat(workspace.id, token)).json()).toMatchObject({
      status: "online",
      directives: [],
    });
  });

  it("pause cascades to descendants, heartbeats then get the pause directive; resume → provisioning", async () => {
    const team = await api.workspace.create.mutate({ name: "Team" });
    const member = await api.workspace.create.mutate({
      name: "Member",
      parentId: team.workspace.id,
      external: true,
    });
    const { paused } = await api.workspace.pause.mutate({ id: team.workspace.id });
    expect(paused.sort()).toEqual([team.workspace.id, member.workspace.id].sort());
    const res = await heartbeat(member.workspace.id, member.token, { active_tasks: 2 });
    expect(await res.json()).toMatchObject({ status: "paused", directives: ["pause"] });
    expect((await api.workspace.get.query({ id: member.workspace.id })).workspace.activeTasks).toBe(2);
    // Top down: the member cannot be resumed while its team is still paused (action-rules.test.ts).
    expect((await api.workspace.resume.mutate({ id: team.workspace.id })).workspace.status).toBe(
      "provisioning",
    );
    expect((await api.workspace.resume.mutate({ id: member.workspace.id })).workspace.status).toBe(
      "awaiting_agent",
    );
    await api.workspace.pause.mutate({ id: team.workspace.id });
    const restartPaused = await failure(api.workspace.restart.mutate({ id: team.workspace.id }));
    expect(restartPaused.data?.code).toBe("CONFLICT");
    expect(restartPaused.message).toMatch(/resume/);
  });

  it("remove with children needs cascade; cascade removes all and revokes tokens", async () => {
    const team = await api.workspace.create.mutate({ name: "Doomed" });
    const child = await api.workspace.create.mutate({
      name: "Child",
      parentId: team.workspace.id,
      external: true,
    });
    const conflict = await failure(api.workspace.remove.mutate({ id: team.workspace.id }));
    expect(conflict.data?.code).toBe("CONFLICT");
    expect(conflict.message).toContain("Child");
    expect(conflict.data?.children).toEqual([{ id: child.workspace.id, name: "Child" }]);
    expect((await api.workspace.get.query({ id: team.workspace.id })).workspace.status).toBe("provisioning");
    const { removed } = await api.workspace.remove.mutate({ id: team.workspace.id, cascade: true });
    expect(removed).toEqual([child.workspace.id, team.workspace.id]);
    const ids = (await api.workspace.list.query()).map((w) => w.id);
    expect(ids).not.toContain(team.workspace.id);
    expect((await heartbeat(child.workspace.id, child.token)).status).toBe(401);
  });

  it("rotateToken: the new token works, the old one is 401; local workspaces are refused", async () => {
    const ext = await api.workspace.create.mutate({ name: "Rot", external: true });
    const { token } = await api.workspace.rotateToken.mutate({ id: ext.workspace.id });
    expect((await heartbeat(ext.workspace.id, ext.token)).status).toBe(401);
    expect((await heartbeat(ext.workspace.id, token)).status).toBe(200);
    const local = await api.workspace.create.mutate({ name: "Loc" });
    expect((await failure(api.workspace.rotateToken.mutate({ id: local.workspace.id }))).data?.code).toBe(
      "BAD_REQUEST",
    );
  });
});

describe("layout and org edits", () => {
  it("move is one batch; an unknown id rejects the whole batch", async () => {
    const a = await api.workspace.create.mutate({ name: "A" });
    const b = await api.workspace.create.mutate({ name: "B" });
    await api.workspace.move.mutate({
      moves: [
        { id: a.workspace.id, x: 10, y: 20 },
        { id: b.workspace.id, x: 30, y: 40 },
      ],
    });
    const error = await failure(
      api.workspace.move.mutate({
        moves: [
          { id: a.workspace.id, x: 1, y: 1 },
          { id: "missing", x: 0, y: 0 },
        ],
      }),
    );
    expect(error.data?.code).toBe("NOT_FOUND");
    const got = await api.workspace.get.query({ id: a.workspace.id });
    expect(got.workspace).toMatchObject({ x: 10, y: 20 });
  });

  it("places new workspaces without a position where no sibling is", async () => {
    const created = await Promise.all(
      ["P1", "P2", "P3"].map((name) => api.workspace.create.mutate({ name, canvas: undefined })),
    );
    const all = await api.workspace.list.query();
    const roots = all.filter((w) => !w.parentId);
    const spots = new Set(roots.map((w) => `${w.x},${w.y}`));
    expect(created.length).toBe(3);
    expect(spots.size).toBeGreaterThan(1);
  });

  it("places a new workspace clear of a team's whole region, not just its header card", async () => {
    // A team with children fills the first slots of the grid as a region (the canvas draws it so).
    const team = (await api.workspace.create.mutate({ name: "Region team", external: true })).workspace;
    for (let i = 0; i < 6; i++)
      await api.workspace.create.mutate({ name: `Region member ${i}`, external: true, parentId: team.id });
    const fresh = (await api.workspace.create.mutate({ name: "Placed after the team", external: true }))
      .workspace;

    const all = await api.workspace.list.query();
    const sizes = regionSizes(all);
    const rectOf = (w: (typeof all)[number]) => ({
      x: w.x,
      y: w.y,
      ...(sizes.get(w.id) ?? { width: CARD_WIDTH, height: CARD_HEIGHT }),
    });
    expect(sizes.get(team.id)?.height).toBeGreaterThan(CARD_HEIGHT);
    const mine = rectOf(all.find((w) => w.id === fresh.id)!);
    const overlapping = all
      .filter((w) => !w.parentId && w.id !== fresh.id)
      .filter((w) => {
        const r = rectOf(w);
        return (
          mine.x < r.x + r.width &&
          r.x < mine.x + mine.width &&
          mine.y < r.y + r.height &&
          r.y < mine.y + mine.height
        );
      })
      .map((w) => w.name);
    expect(overlapping).toEqual([]);
  });

  it("two concurrent reparents that would make a loop together: one wins, the other is refused", async () => {
    for (let round = 0; round < 5; round++) {
      const a = (await api.workspace.create.mutate({ name: `A${round}` })).workspace.id;
      const b = (await api.workspace.create.mutate({ name: `B${round}` })).workspace.id;
      const outcomes = await Promise.allSettled([
        api.workspace.update.mutate({ id: a, parentId: b }),
        api.workspace.update.mutate({ id: b, parentId: a }),
      ]);
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const list = await api.workspace.list.query();
      const parentOf = (id: string) => list.find((w) => w.id === id)?.parentId ?? null;
      expect(parentOf(a) === b && parentOf(b) === a).toBe(false);
    }
  });

  it("a cascade remove racing a create under the subtree never leaves a live child of a removed parent", async () => {
    for (let round = 0; round < 5; round++) {
      const top = (await api.workspace.create.mutate({ name: `Top${round}` })).workspace.id;
      const mid = (await api.workspace.create.mutate({ name: `Mid${round}`, parentId: top })).workspace.id;
      const [, created] = await Promise.allSettled([
        api.workspace.remove.mutate({ id: top, cascade: true }),
        api.workspace.create.mutate({ name: `Late${round}`, parentId: mid }),
      ]);
      const live = new Set((await api.workspace.list.query()).map((w) => w.id));
      expect(live.has(top) || live.has(mid)).toBe(false);
      if (created.status === "fulfilled") {
        // Created first: the cascade saw it and removed it too.
        expect(live.has(created.value.workspace.id)).toBe(false);
      } else {
        expect(String(created.reason)).toMatch(/removed/);
      }
    }
  });

  it("reparenting refuses cycles and removed parents; collapse persists", async () => {
    const top = await api.workspace.create.mutate({ name: "Top" });
    const mid = await api.workspace.create.mutate({ name: "Mid", parentId: top.workspace.id });
    const low = await api.workspace.create.mutate({ name: "Low", parentId: mid.workspace.id });
    const cycle = await failure(
      api.workspace.update.mutate({ id: top.workspace.id, parentId: low.workspace.id }),
    );
    expect(cycle.data?.fields?.[0]?.path).toBe("parentId");
    const self = await failure(
      api.workspace.update.mutate({ id: top.workspace.id, parentId: top.workspace.id }),
    );
    expect(self.data?.code).toBe("BAD_REQUEST");
    const gone = await api.workspace.create.mutate({ name: "Gone" });
    await api.workspace.remove.mutate({ id: gone.workspace.id });
    const removedParent = await failure(
      api.workspace.update.mutate({ id: low.workspace.id, parentId: gone.workspace.id }),
    );
    expect(removedParent.message).toMatch(/removed/);
    const moved = await api.workspace.update.mutate({ id: low.workspace.id, parentId: null, name: "Low2" });
    expect(moved).toMatchObject({ parentId: null, name: "Low2" });
    await api.workspace.setCollapsed.mutate({ id: top.workspace.id, collapsed: true });
    expect((await api.workspace.get.query({ id: top.workspace.id })).workspace.collapsed).toBe(true);
    const timeline = await api.workspace.events.query({ id: low.workspace.id, limit: 1 });
    expect(timeline.events[0]?.type).toBe("WORKSPACE_UPDATED");
    expect(timeline.nextCursor).not.toBeNull();
    const next = await api.workspace.events.query({
      id: low.workspace.id,
      limit: 10,
      cursor: timeline.nextCursor!,
    });
    expect(next.events.map((e) => e.type)).toEqual(["WORKSPACE_CREATED"]);
  });

  it("unknown ids are NOT_FOUND, never a leak", async () => {
    const error = await failure(api.workspace.get.query({ id: "nope" }));
    expect(error.data?.code).toBe("NOT_FOUND");
    expect(error.message).toBe("No workspace with that id.");
  });
});

describe("workspace.cards", () => {
  it("lists what a card shows, the same values as workspace.list, without the detail fields", async () => {
    const parent = await api.workspace.create.mutate({
      name: "Cards parent",
      external: true,
      budgetLimit: 0,
    });
    const child = await api.workspace.create.mutate({
      name: "Cards child",
      role: "Reads",
      external: true,
      parentId: parent.workspace.id,
    });
    const removed = await api.workspace.create.mutate({ name: "Cards removed", external: true });
    await api.workspace.remove.mutate({ id: removed.workspace.id });

    const [cards, list] = await Promise.all([api.workspace.cards.query(), api.workspace.list.query()]);
    expect(cards.map((c) => c.id)).toEqual(list.map((w) => w.id));
    expect(cards.some((c) => c.id === removed.workspace.id)).toBe(false);

    const card = cards.find((c) => c.id === child.workspace.id);
    const full = list.find((w) => w.id === child.workspace.id);
    expect(card).toBeDefined();
    for (const [key, value] of Object.entries(card ?? {})) {
      expect(full?.[key as keyof typeof full], key).toEqual(value);
    }
    expect(card).toMatchObject({ name: "Cards child", role: "Reads", parentId: parent.workspace.id });
    // Detail-only fields stay out of the fleet payload.
    for (const key of ["awarenessNamespace", "url", "workspaceDir", "pendingDirectives", "model"]) {
      expect(card).not.toHaveProperty(key);
    }
    // A budget of 0 is reached at once: overBudget is computed the same way as in the full view.
    expect(cards.find((c) => c.id === parent.workspace.id)?.overBudget).toBe(true);
  });

  it("with first: N, lists only top-level cards, the top-left first; a bad N is a 400", async () => {
    // Far below and to the right of anything else in this database, and out of creation order.
    const at = (x: number, y: number) => ({ x: 100_000 + x, y: 100_000 + y });
    const low = await api.workspace.create.mutate({ name: "First low", external: true, canvas: at(0, 400) });
    const right = await api.workspace.create.mutate({
      name: "First right",
      external: true,
      canvas: at(300, 0),
    });
    const left = await api.workspace.create.mutate({ name: "First left", external: true, canvas: at(0, 0) });
    await api.workspace.create.mutate({ name: "First child", external: true, parentId: left.workspace.id });
    const all = await api.workspace.cards.query();
    const first = await api.workspace.cards.query({ first: all.length });
    expect(first.every((c) => c.parentId === null)).toBe(true);
    expect(first.length).toBe(all.filter((c) => c.parentId === null).length);
    // Ordered by y, then x: the three placed far away come last, in reading order.
    expect(first.slice(-3).map((c) => c.id)).toEqual([
      left.workspace.id,
      right.workspace.id,
      low.workspace.id,
    ]);
    expect(await api.workspace.cards.query({ first: 1 })).toHaveLength(1);
    for (const bad of [0, -1, 1.5, 1_000_000]) {
      const error = await api.workspace.cards.query({ first: bad }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<AppRouter>).data?.httpStatus).toBe(400);
    }
  });
});

describe("workspace.createOptions", () => {
  it("lists the known runtimes and every template with its defaults, which create accepts", async () => {
    const { runtimes, templates } = await api.workspace.createOptions.query();
    expect(runtimes).toContain("demo");
    const names = templates.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["researcher", "team-lead", "writer"]));
    const researcher = templates.find((t) => t.name === "researcher");
    expect(researcher).toHaveProperty("description");
    expect(typeof researcher?.initialMemories).toBe("number");
    // Whatever is offered is accepted.
    const { workspace } = await api.workspace.create.mutate({
      name: "From a picked template",
      template: "researcher",
      runtime: runtimes[0],
    });
    expect(workspace.runtime).toBe(runtimes[0]);
  });
});
