import { HeartbeatInputSchema, WORKSPACE_STATUSES, type WorkspaceStatus } from "@molecule/contracts";
import { sql } from "@molecule/db";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { transition } from "../src/domain/status-machine";
import { hashToken } from "../src/services/tokens";
import {
  createWorkspace,
  eventsOf,
  eventTypes,
  operator,
  register,
  rowOf,
  type TestWorkspace,
  testServerPerFile,
} from "./helpers";

const ts = testServerPerFile();
const db = () => ts.db.handle.db;
const ingest = () => ts.server.services.heartbeats;

/** A heartbeat as the schema makes it from a partial body. */
const hb = (workspaceId: string, body: Record<string, unknown> = {}) =>
  HeartbeatInputSchema.parse({ workspaceId, ...body });

/** Submits straight into the group commit (no HTTP), as many as given in one event-loop turn. */
function submitAll(items: { token: string; body: ReturnType<typeof hb> }[]) {
  return Promise.allSettled(items.map((i) => ingest().submit(hashToken(i.token), i.body)));
}

async function online(): Promise<TestWorkspace> {
  const ws = await createWorkspace(ts, { external: true });
  expect((await register(ts, ws)).data.status).toBe("online");
  return ws;
}

const codeOf = (r: PromiseSettledResult<unknown>) =>
  r.status === "rejected" ? (r.reason instanceof TRPCError ? r.reason.code : "OTHER") : "OK";

describe("heartbeat group commit", () => {
  it("heartbeats of one event-loop turn are written by one statement, each caller answered", async () => {
    const fleet = await Promise.all(Array.from({ length: 20 }, () => online()));
    const before = ingest().stats.batches;
    const results = await submitAll(
      fleet.map((w, i) => ({ token: w.token, body: hb(w.id, { activeTasks: i }) })),
    );
    expect(ingest().stats.batches - before).toBe(1);
    for (const [i, r] of results.entries()) {
      expect(r.status).toBe("fulfilled");
      if (r.status === "fulfilled") expect(r.value).toMatchObject({ status: "online", directives: [] });
      expect((await rowOf(db(), fleet[i]!.id)).activeTasks).toBe(i);
    }
  });

  it("mixed tokens in one batch: a bad token → 401, another workspace → 403, a transition → its event; the rest are written", async () => {
    const [a, b, c, d, e] = await Promise.all([online(), online(), online(), online(), online()]);
    const eventsBefore = (await eventsOf(db(), c!.id)).length;
    const before = ingest().stats;
    const batchesBefore = before.batches;
    const results = await submitAll([
      { token: a!.token, body: hb(a!.id, { currentTask: "a" }) },
      { token: "z".repeat(43), body: hb(b!.id, { currentTask: "forged" }) },
      { token: b!.token, body: hb(e!.id, { currentTask: "not mine" }) },
      {
        token: c!.token,
        body: hb(c!.id, { runtimeState: "wedged", sampleError: "Control request timeout" }),
      },
      { token: d!.token, body: hb(d!.id, { currentTask: "d" }) },
    ]);
    expect(ingest().stats.batches - batchesBefore).toBe(1);
    expect(results.map(codeOf)).toEqual(["OK", "UNAUTHORIZED", "FORBIDDEN", "OK", "OK"]);
    expect((await rowOf(db(), a!.id)).currentTask).toBe("a");
    expect((await rowOf(db(), b!.id)).currentTask).toBe(""); // neither the forged nor the foreign write landed
    expect((await rowOf(db(), d!.id)).currentTask).toBe("d");
    expect((await rowOf(db(), e!.id)).currentTask).toBe("");
    const cRow = await rowOf(db(), c!.id);
    expect(cRow.status).toBe("degraded");
    expect(cRow.lastSampleError).toBe("Control request timeout");
    const newEvents = (await eventsOf(db(), c!.id)).slice(eventsBefore);
    expect(newEvents.map((e) => e.type)).toEqual(["WORKSPACE_DEGRADED"]);
  });

  it("one caller's unstorable value (a NUL byte) fails only that caller, with a 4xx", async () => {
    const [a, b] = await Promise.all([online(), online()]);
    const results = await submitAll([
      { token: a!.token, body: hb(a!.id, { currentTask: "fine" }) },
      { token: b!.token, body: { ...hb(b!.id), sampleError: "nul\u0000byte", runtimeState: "wedged" } },
    ]);
    expect(results.map(codeOf)).toEqual(["OK", "BAD_REQUEST"]);
    expect((await rowOf(db(), a!.id)).currentTask).toBe("fine");
    expect((await rowOf(db(), b!.id)).status).toBe("online");
  });

  it("two heartbeats of one workspace in one turn go in two batches, in order: the later one wins", async () => {
    const ws = await online();
    const results = await submitAll([
      { token: ws.token, body: hb(ws.id, { currentTask: "first" }) },
      { token: ws.token, body: hb(ws.id, { currentTask: "second" }) },
    ]);
    expect(results.map(codeOf)).toEqual(["OK", "OK"]);
    expect((await rowOf(db(), ws.id)).currentTask).toBe("second");
  });

  it("a heartbeat that changes a known status goes straight to its transaction, not through a batch", async () => {
    const ws = await online();
    await ingest().submit(hashToken(ws.token), hb(ws.id)); // steady: a batch, and now known online
    const before = { ...ingest().stats };
    const wedged = await ingest().submit(hashToken(ws.token), hb(ws.id, { runtimeState: "wedged" }));
    const healed = await ingest().submit(hashToken(ws.token), hb(ws.id));
    expect([wedged.status, healed.status]).toEqual(["degraded", "online"]);
    expect(ingest().stats.batches).toBe(before.batches);
    expect(ingest().stats.transitions).toBe(before.transitions + 2);
    expect(await eventTypes(db(), ws.id)).toEqual(
      expect.arrayContaining(["WORKSPACE_DEGRADED", "WORKSPACE_ONLINE"]),
    );
  });

  it("only the token last accepted goes straight to a transaction: a stranger's is refused by the batch", async () => {
    const ws = await online();
    await ingest().submit(hashToken(ws.token), hb(ws.id));
    const before = { ...ingest().stats };
    const [stranger] = await submitAll([
      { token: "x".repeat(43), body: hb(ws.id, { runtimeState: "wedged" }) },
    ]);
    expect(codeOf(stranger!)).toBe("UNAUTHORIZED");
    expect(ingest().stats.batches).toBe(before.batches + 1);
    expect(ingest().stats.transitions).toBe(before.transitions);
    expect((await rowOf(db(), ws.id)).status).toBe("online");
  });

  it("a status change and a heartbeat of one workspace in one turn are written in order, either way", async () => {
    for (const [first, second, status] of [
      [{}, { runtimeState: "wedged" }, "degraded"],
      [{ runtimeState: "wedged" }, {}, "online"],
    ] as const) {
      const ws = await online();
      await ingest().submit(hashToken(ws.token), hb(ws.id));
      const results = await submitAll([
        { token: ws.token, body: hb(ws.id, { ...first, currentTask: "first" }) },
        { token: ws.token, body: hb(ws.id, { ...second, currentTask: "second" }) },
      ]);
      expect(results.map(codeOf)).toEqual(["OK", "OK"]);
      const row = await rowOf(db(), ws.id);
      expect([row.currentTask, row.status]).toEqual(["second", status]);
    }
  });

  it("a restart racing a heartbeat: the old token never brings the workspace back online", async () => {
    for (let round = 0; round < 8; round++) {
      const ws = await createWorkspace(ts, {});
      await register(ts, ws); // a local workspace: restart rotates its token
      const [restart, beat] = await Promise.allSettled([
        operator(ts).workspace.restart({ id: ws.id }),
        ingest().submit(hashToken(ws.token), hb(ws.id)),
      ]);
      expect(restart.status).toBe("fulfilled");
      expect(["OK", "UNAUTHORIZED"]).toContain(codeOf(beat));
      const row = await rowOf(db(), ws.id);
      expect(row.status).toBe("provisioning");
      const types = (await eventsOf(db(), ws.id)).map((e) => e.type);
      expect(types.slice(types.lastIndexOf("WORKSPACE_PROVISIONING"))).toEqual(["WORKSPACE_PROVISIONING"]);
    }
  });

  // The batch statement writes only heartbeats the status machine says change nothing; everything
  // else goes the transaction path. Drive every status × kind of heartbeat through the real ingest
  // and compare with the pure machine: a wrong STEADY condition would swallow (or invent) a change.
  it("agrees with the status machine for every status and kind of heartbeat", async () => {
    const kinds: Record<string, Record<string, unknown>> = {
      healthy: { errorRate: 0, runtimeState: "" },
      wedged: { errorRate: 0, runtimeState: "wedged", sampleError: "stuck" },
      failing: { errorRate: 0.7, runtimeState: "", sampleError: "boom" },
      between: { errorRate: 0.3, runtimeState: "" },
      busyState: { errorRate: 0, runtimeState: "warming_up" },
    };
    const statuses = WORKSPACE_STATUSES.filter((s) => s !== "removed");
    for (const status of statuses) {
      for (const [kind, body] of Object.entries(kinds)) {
        const ws = await online();
        await db().execute(
          sql`update workspaces set status = ${status}::workspace_status, pending_restart = false where id = ${ws.id}`,
        );
        const before = (await eventsOf(db(), ws.id)).length;
        const input = hb(ws.id, body);
        const result = await ingest().submit(hashToken(ws.token), input);
        const expected = transition(status as WorkspaceStatus, { kind: "heartbeat", ...input });
        const after = await rowOf(db(), ws.id);
        const label = `${status} + ${kind}`;
        expect(after.status, label).toBe(expected?.next ?? status);
        expect(result.status, label).toBe(expected?.next ?? status);
        const written = (await eventsOf(db(), ws.id)).slice(before).map((e) => e.type);
        expect(written, label).toEqual(expected ? [expected.event.type] : []);
        expect(after.runtimeState, label).toBe(input.runtimeState);
      }
    }
  });

  it("a pending external restart: heartbeats store telemetry, change no status, and carry the directive", async () => {
    const ws = await online();
    await operator(ts).workspace.restart({ id: ws.id });
    const result = await ingest().submit(hashToken(ws.token), hb(ws.id, { runtimeState: "wedged" }));
    expect(result).toMatchObject({ status: "provisioning", directives: ["restart"] });
    const row = await rowOf(db(), ws.id);
    expect(row.status).toBe("provisioning");
    expect(row.runtimeState).toBe("wedged");
  });
});
