import { describe, expect, it } from "vitest";
import { restartsOf } from "../src/domain/restart-history";
import { HISTORY_SAMPLES, WorkspaceHistory } from "../src/services/workspace-history";
import {
  createWorkspace,
  heartbeat,
  operator,
  register,
  testServerPerFile,
  trpcQuery,
  waitFor,
} from "./helpers";

// No agent rate limit: the bound test sends more heartbeats than a normal agent does in a second.
const ts = testServerPerFile({ agentRateLimit: null });

const telemetry = (at: number, errorRate = 0) => ({
  activeTasks: 0,
  currentTask: "",
  uptimeSeconds: 1,
  errorRate,
  lastHeartbeatAt: new Date(at).toISOString(),
  runtimeState: "",
  lastSampleError: "",
  monthlySpend: 0,
});

describe("workspace.history", () => {
  it("keeps at most HISTORY_SAMPLES heartbeats per workspace, the newest, oldest first", async () => {
    const ws = await createWorkspace(ts, { external: true });
    await register(ts, ws);
    const sent = HISTORY_SAMPLES + 15;
    for (let i = 1; i <= sent; i++) {
      const res = await heartbeat(ts, ws, { errorRate: i / 1000 });
      expect(res.status).toBe(200);
    }
    // The history is fed by the telemetry NOTIFY (every instance hears it), so it lands a moment later.
    const history = await waitFor(
      async () => {
        const h = await operator(ts).workspace.history({ id: ws.id });
        return h.samples.at(-1)?.errorRate === sent / 1000 ? h : null;
      },
      { what: "the last heartbeat in the history" },
    );
    expect(history.limit).toBe(HISTORY_SAMPLES);
    expect(history.samples).toHaveLength(HISTORY_SAMPLES);
    const rates = history.samples.map((s) => Math.round(s.errorRate * 1000));
    expect(rates).toEqual(Array.from({ length: HISTORY_SAMPLES }, (_, i) => sent - HISTORY_SAMPLES + 1 + i));
    // Every kept sample knows the gap to the heartbeat before it (even when that one was dropped).
    for (const s of history.samples) expect(s.gapMs).toBeGreaterThanOrEqual(0);
    const times = history.samples.map((s) => Date.parse(s.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("answers 404 for an unknown workspace and 400 for a bad id, over HTTP", async () => {
    expect((await trpcQuery(ts, "workspace.history", { id: "nope" })).status).toBe(404);
    expect((await trpcQuery(ts, "workspace.history", { id: "" })).status).toBe(400);
    expect((await trpcQuery(ts, "workspace.history", {})).status).toBe(400);
  });

  it("drops samples older than the window and forgets the least recently heard workspace past the cap", () => {
    let now = 1_000_000;
    const history = new WorkspaceHistory({ samples: 5, windowMs: 10_000, maxWorkspaces: 3 }, () => now);
    for (let i = 0; i < 20; i++) history.record({ a: telemetry(now - 20_000 + i * 1000) });
    // 5 kept by the ring, all within the last 10 s.
    expect(history.samples("a").map((s) => s.gapMs)).toEqual([1000, 1000, 1000, 1000, 1000]);
    now += 9_000;
    expect(history.samples("a")).toHaveLength(1);
    // The same heartbeat told twice, or an older one, is not a new sample.
    history.record({ a: telemetry(now - 1000) });
    history.record({ a: telemetry(now - 1000) });
    history.record({ a: telemetry(now - 5000) });
    expect(history.samples("a")).toHaveLength(2);
    for (const id of ["b", "c", "d"]) history.record({ [id]: telemetry(now) });
    expect(history.workspaceCount).toBe(3);
    expect(history.samples("a")).toEqual([]); // least recently heard: forgotten
    expect(history.samples("d")).toHaveLength(1);
  });
});

describe("events.recent", () => {
  it("pages every workspace's events newest first, bounded by limit, with `before`", async () => {
    const a = await createWorkspace(ts, { name: "recent-a" });
    const b = await createWorkspace(ts, { name: "recent-b" });
    await operator(ts).workspace.pause({ id: a.id });
    const first = await operator(ts).events.recent({ limit: 2 });
    expect(first.events).toHaveLength(2);
    expect(first.events.map((e) => [e.type, e.workspaceId])).toEqual([
      ["WORKSPACE_PAUSED", a.id],
      ["WORKSPACE_CREATED", b.id],
    ]);
    expect(first.nextBefore).toBe(first.events[1]!.id);
    const next = await operator(ts).events.recent({ limit: 1, before: first.nextBefore! });
    expect(next.events.map((e) => [e.type, e.workspaceId])).toEqual([["WORKSPACE_CREATED", a.id]]);
    // Newest first across pages, no overlap; a page past the start is empty with no cursor.
    const ids = [...first.events, ...next.events].map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => (x > y ? -1 : 1)));
    const none = await operator(ts).events.recent({ limit: 5, before: "1" });
    expect(none).toEqual({ events: [], nextBefore: null });
    // The default page is 50.
    expect((await operator(ts).events.recent({})).events.length).toBeLessThanOrEqual(50);
  });

  it("rejects bad limits and cursors with 400", async () => {
    for (const input of [{ limit: 0 }, { limit: 201 }, { limit: 1.5 }, { before: "abc" }, { before: "-1" }]) {
      const res = await trpcQuery(ts, "events.recent", input);
      expect(res.status, JSON.stringify(input)).toBe(400);
    }
    expect((await trpcQuery(ts, "events.recent", { limit: 200 })).status).toBe(200);
  });

  it("is for operators only", async () => {
    const ws = await createWorkspace(ts);
    expect((await trpcQuery(ts, "events.recent", {}, ws.token)).status).toBe(401);
  });
});

describe("workspace.restarts", () => {
  it("lists an operator restart with its outcome once the agent is back", async () => {
    const ws = await createWorkspace(ts, { external: true });
    await register(ts, ws);
    await operator(ts).workspace.restart({ id: ws.id });
    const pending = await operator(ts).workspace.restarts({ id: ws.id });
    expect(pending).toMatchObject([{ cause: "operator", previousStatus: "online", outcome: "pending" }]);
    await register(ts, ws);
    const [done] = await operator(ts).workspace.restarts({ id: ws.id });
    expect(done).toMatchObject({ cause: "operator", outcome: "online", previousStatus: "online" });
    expect(Date.parse(done!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(done!.at));
    expect((await trpcQuery(ts, "workspace.restarts", { id: ws.id, limit: 0 })).status).toBe(400);
    expect((await trpcQuery(ts, "workspace.restarts", { id: "nope" })).status).toBe(404);
  });

  it("folds every cause and outcome from the event log", () => {
    const e = (id: number, type: string, payload: Record<string, unknown> = {}) => ({
      id: String(id),
      type,
      at: new Date(id * 1000).toISOString(),
      payload,
    });
    const restarts = restartsOf([
      e(1, "WORKSPACE_CREATED"),
      e(2, "WORKSPACE_ONLINE", { recoveredFrom: "provisioning" }),
      e(3, "WORKSPACE_PROVISIONING", { reason: "restart", previousStatus: "online", cause: "crash" }),
      e(4, "WORKSPACE_DEGRADED", { sampleError: "wedged again" }),
      e(5, "WORKSPACE_PROVISIONING", { reason: "restart", previousStatus: "degraded" }),
      e(6, "WORKSPACE_PROVISIONING", {
        reason: "restart",
        previousStatus: "provisioning",
        cause: "crash_loop",
      }),
      e(7, "WORKSPACE_PROVISION_FAILED", { reason: "Crash loop: 3 exits" }),
      e(8, "WORKSPACE_PROVISIONING", { reason: "restart", previousStatus: "failed" }),
      e(9, "WORKSPACE_ONLINE", { recoveredFrom: "provisioning", restartAcknowledged: false }),
      e(10, "WORKSPACE_PAUSED"),
      e(11, "WORKSPACE_PROVISIONING", { reason: "resume" }),
    ]);
    expect(restarts.map((r) => [r.id, r.cause, r.outcome, r.detail])).toEqual([
      ["11", "resume", "pending", null],
      ["8", "operator", "not_acknowledged", null],
      ["6", "crash_loop", "failed", "Crash loop: 3 exits"],
      ["5", "operator", "superseded", null],
      ["3", "crash", "degraded", "wedged again"],
    ]);
  });
});
