import { LIMITS } from "@molecule/contracts";
import { describe, expect, it } from "vitest";
import {
  createWorkspace,
  eventsOf,
  eventTypes,
  heartbeat,
  post,
  register,
  rowOf,
  type TestWorkspace,
  testServerPerFile,
} from "./helpers";

const ts = testServerPerFile();
const db = () => ts.db.handle.db;

async function onlineWorkspace(input: Parameters<typeof createWorkspace>[1] = {}): Promise<TestWorkspace> {
  const ws = await createWorkspace(ts, input);
  const res = await register(ts, ws);
  expect(res.status).toBe(200);
  expect(res.data.status).toBe("online");
  return ws;
}

/** A malformed heartbeat must be rejected with 400 naming the field, writing nothing. */
async function expectRejected(ws: TestWorkspace, body: unknown, field: string) {
  const before = await rowOf(db(), ws.id);
  const eventsBefore = (await eventsOf(db(), ws.id)).length;
  const res = await post(ts, "/api/trpc/registry.heartbeat", body, ws.token);
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.message).toContain(field);
  expect(res.body.error.data.fields?.map((f: { path: string }) => f.path)).toContain(field);
  const after = await rowOf(db(), ws.id);
  expect(after.lastHeartbeatAt).toEqual(before.lastHeartbeatAt);
  expect(after.updatedAt).toEqual(before.updatedAt);
  expect(after.status).toBe(before.status);
  expect((await eventsOf(db(), ws.id)).length).toBe(eventsBefore);
}

describe("registry.heartbeat over real HTTP", () => {
  it("online + wedged → degraded, sample error stored, exactly one WORKSPACE_DEGRADED", async () => {
    const ws = await onlineWorkspace();
    const sample = "Control request timeout: initialize";
    const first = await heartbeat(ts, ws, { runtimeState: "wedged", sampleError: sample, errorRate: 0 });
    expect(first.status).toBe(200);
    expect(first.data).toMatchObject({ status: "degraded", directives: [] });
    expect(first.data.heartbeatIntervalMs).toBe(ts.config.heartbeatIntervalMs);
    // Still wedged, even with error rate 0: stays degraded, no second event.
    const second = await heartbeat(ts, ws, { runtimeState: "wedged", sampleError: sample, errorRate: 0 });
    expect(second.data.status).toBe("degraded");

    const row = await rowOf(db(), ws.id);
    expect(row.status).toBe("degraded");
    expect(row.lastSampleError).toBe(sample);
    expect(row.runtimeState).toBe("wedged");
    const degraded = (await eventsOf(db(), ws.id)).filter((e) => e.type === "WORKSPACE_DEGRADED");
    expect(degraded).toHaveLength(1);
    expect(degraded[0]!.payload).toEqual({ reason: "wedged", sampleError: sample, errorRate: 0 });
  });

  it("keeps lastSampleError while degraded when a later heartbeat sends an empty sampleError", async () => {
    const ws = await onlineWorkspace();
    await heartbeat(ts, ws, { runtimeState: "wedged", sampleError: "stuck on init" });
    const res = await heartbeat(ts, ws, { runtimeState: "wedged", sampleError: "" });
    expect(res.data.status).toBe("degraded");
    expect((await rowOf(db(), ws.id)).lastSampleError).toBe("stuck on init");
    // Error rate between the thresholds, no wedge: still degraded (hysteresis), still explained.
    await heartbeat(ts, ws, { errorRate: 0.3, sampleError: "" });
    expect((await rowOf(db(), ws.id)).lastSampleError).toBe("stuck on init");
    // Healthy again: recovers and the stale sample is cleared.
    const healthy = await heartbeat(ts, ws, { errorRate: 0, runtimeState: "", sampleError: "" });
    expect(healthy.data.status).toBe("online");
    expect((await rowOf(db(), ws.id)).lastSampleError).toBe("");
    expect(await eventTypes(db(), ws.id)).toEqual([
      "WORKSPACE_CREATED",
      "WORKSPACE_ONLINE",
      "WORKSPACE_DEGRADED",
      "WORKSPACE_ONLINE",
    ]);
  });

  it("stores every telemetry field of a heartbeat", async () => {
    const ws = await onlineWorkspace();
    const res = await heartbeat(ts, ws, {
      errorRate: 0.2,
      sampleError: "one failure",
      activeTasks: 3,
      uptimeSeconds: 42.7,
      currentTask: "summarise",
      monthlySpend: 0,
      runtimeState: "",
    });
    expect(res.status).toBe(200);
    const row = await rowOf(db(), ws.id);
    expect(row).toMatchObject({
      status: "online",
      lastErrorRate: 0.2,
      lastSampleError: "one failure",
      activeTasks: 3,
      uptimeSeconds: 42,
      currentTask: "summarise",
    });
    expect(row.lastHeartbeatAt).toBeInstanceOf(Date);
  });

  it("missing token → 401, nothing written", async () => {
    const ws = await onlineWorkspace();
    const before = await rowOf(db(), ws.id);
    const res = await post(ts, "/api/trpc/registry.heartbeat", { workspaceId: ws.id });
    expect(res.status).toBe(401);
    expect(res.body.error.data.code).toBe("UNAUTHORIZED");
    expect((await rowOf(db(), ws.id)).lastHeartbeatAt).toEqual(before.lastHeartbeatAt);
  });

  it("another workspace's token → 403, nothing written", async () => {
    const a = await onlineWorkspace();
    const b = await onlineWorkspace();
    const before = await rowOf(db(), b.id);
    const res = await post(
      ts,
      "/api/trpc/registry.heartbeat",
      { workspaceId: b.id, runtimeState: "wedged" },
      a.token,
    );
    expect(res.status).toBe(403);
    const after = await rowOf(db(), b.id);
    expect(after.status).toBe("online");
    expect(after.lastHeartbeatAt).toEqual(before.lastHeartbeatAt);
  });

  it("a malformed body → 400 naming the field; row unchanged, no event", async () => {
    const ws = await onlineWorkspace();
    await expectRejected(ws, { workspaceId: ws.id, errorRate: "high", runtimeState: "wedged" }, "errorRate");
    await expectRejected(
      ws,
      { workspaceId: ws.id, activeTasks: "three", runtimeState: "wedged" },
      "activeTasks",
    );
    await expectRejected(ws, { workspaceId: ws.id, runtimeState: 7 }, "runtimeState");
    await expectRejected(ws, { workspaceId: ws.id, sampleError: { nested: true } }, "sampleError");
  });

  it("error rate 2, NaN-ish and infinite error rates, negative activeTasks → 400", async () => {
    const ws = await onlineWorkspace();
    await expectRejected(ws, { workspaceId: ws.id, errorRate: 2 }, "errorRate");
    await expectRejected(ws, { workspaceId: ws.id, errorRate: -0.1 }, "errorRate");
    // JSON has no NaN: JSON.stringify(NaN) sends null, and some clients send the string.
    await expectRejected(ws, { workspaceId: ws.id, errorRate: Number.NaN }, "errorRate");
    await expectRejected(ws, { workspaceId: ws.id, errorRate: "NaN" }, "errorRate");
    // 1e999 parses to Infinity.
    await expectRejected(ws, `{"workspaceId":"${ws.id}","errorRate":1e999}`, "errorRate");
    await expectRejected(ws, { workspaceId: ws.id, activeTasks: -1 }, "activeTasks");
    await expectRejected(ws, { workspaceId: ws.id, activeTasks: 1.5 }, "activeTasks");
    await expectRejected(ws, { workspaceId: ws.id, uptimeSeconds: -3 }, "uptimeSeconds");
  });

  it("a body over 64 KiB → 400 naming the body, nothing written", async () => {
    const ws = await onlineWorkspace();
    const body = { workspaceId: ws.id, runtimeState: "wedged", padding: "x".repeat(LIMITS.bodyBytes + 1) };
    await expectRejected(ws, body, "body");
  });

  it("sampleError over 4,096 characters is truncated with …, and the heartbeat is kept", async () => {
    const ws = await onlineWorkspace();
    const res = await heartbeat(ts, ws, { runtimeState: "wedged", sampleError: "E".repeat(10_000) });
    expect(res.status).toBe(200);
    expect(res.data.status).toBe("degraded");
    const row = await rowOf(db(), ws.id);
    expect(row.lastSampleError).toHaveLength(LIMITS.sampleError);
    expect(row.lastSampleError.endsWith("…")).toBe(true);
    expect(row.lastSampleError.startsWith("EEEE")).toBe(true);
    const [degraded] = (await eventsOf(db(), ws.id)).filter((e) => e.type === "WORKSPACE_DEGRADED");
    expect(String(degraded!.payload.sampleError)).toHaveLength(LIMITS.sampleError);
  });

  it("currentTask over 1,024 characters is truncated with …", async () => {
    const ws = await onlineWorkspace();
    const res = await heartbeat(ts, ws, { currentTask: "t".repeat(3000) });
    expect(res.status).toBe(200);
    const row = await rowOf(db(), ws.id);
    expect(row.currentTask).toHaveLength(LIMITS.currentTask);
    expect(row.currentTask.endsWith("…")).toBe(true);
  });

  it("monthlySpend: 0 and negative are no update; above 1e12 is clamped", async () => {
    const ws = await onlineWorkspace();
    await heartbeat(ts, ws, { monthlySpend: 500 });
    expect((await rowOf(db(), ws.id)).monthlySpend).toBe(500);
    await heartbeat(ts, ws, { monthlySpend: 0 });
    expect((await rowOf(db(), ws.id)).monthlySpend).toBe(500);
    await heartbeat(ts, ws, {});
    expect((await rowOf(db(), ws.id)).monthlySpend).toBe(500);
    const negative = await heartbeat(ts, ws, { monthlySpend: -20 });
    expect(negative.status).toBe(200);
    expect((await rowOf(db(), ws.id)).monthlySpend).toBe(500);
    const huge = await heartbeat(ts, ws, { monthlySpend: 5e15 });
    expect(huge.status).toBe(200);
    const row = await rowOf(db(), ws.id);
    expect(row.monthlySpend).toBe(LIMITS.monthlySpendMax);
    expect(row.spendMonth).toMatch(/^\d{4}-\d{2}$/);
  });

  it("crossing the budget emits WORKSPACE_BUDGET_EXCEEDED once; later heartbeats carry over_budget", async () => {
    const ws = await onlineWorkspace({ budgetLimit: 1000 });
    const under = await heartbeat(ts, ws, { monthlySpend: 999 });
    expect(under.data.directives).toEqual([]);
    const cross = await heartbeat(ts, ws, { monthlySpend: 1000 });
    expect(cross.data.directives).toContain("over_budget");
    const again = await heartbeat(ts, ws, { monthlySpend: 1500 });
    expect(again.data.directives).toContain("over_budget");
    const noSpend = await heartbeat(ts, ws, {});
    expect(noSpend.data.directives).toContain("over_budget");
    const exceeded = (await eventsOf(db(), ws.id)).filter((e) => e.type === "WORKSPACE_BUDGET_EXCEEDED");
    expect(exceeded).toHaveLength(1);
    expect(exceeded[0]!.payload).toEqual({ monthlySpend: 1000, budgetLimit: 1000 });
    expect((await rowOf(db(), ws.id)).status).toBe("online");
  });

  it("lowering the limit below this month's spend crosses the budget at once, with its one event", async () => {
    const ws = await onlineWorkspace({ budgetLimit: 1000 });
    await heartbeat(ts, ws, { monthlySpend: 500 });
    const lowered = await post(ts, "/api/trpc/workspace.update", { id: ws.id, budgetLimit: 400 });
    expect(lowered.status).toBe(200);
    expect(lowered.body.result.data.overBudget).toBe(true);
    expect((await heartbeat(ts, ws, {})).data.directives).toContain("over_budget");
    let exceeded = (await eventsOf(db(), ws.id)).filter((e) => e.type === "WORKSPACE_BUDGET_EXCEEDED");
    expect(exceeded.map((e) => e.payload)).toEqual([{ monthlySpend: 500, budgetLimit: 400 }]);

    // Raising it ends the crossing; the next one is a new crossing with its own event.
    await post(ts, "/api/trpc/workspace.update", { id: ws.id, budgetLimit: 2000 });
    expect((await heartbeat(ts, ws, {})).data.directives).not.toContain("over_budget");
    await heartbeat(ts, ws, { monthlySpend: 2500 });
    exceeded = (await eventsOf(db(), ws.id)).filter((e) => e.type === "WORKSPACE_BUDGET_EXCEEDED");
    expect(exceeded).toHaveLength(2);
  });

  it("concurrent heartbeats crossing the budget still emit one WORKSPACE_BUDGET_EXCEEDED", async () => {
    const ws = await onlineWorkspace({ budgetLimit: 100 });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => heartbeat(ts, ws, { monthlySpend: 100 + i })),
    );
    for (const r of results) expect(r.status).toBe(200);
    const exceeded = (await eventsOf(db(), ws.id)).filter((e) => e.type === "WORKSPACE_BUDGET_EXCEEDED");
    expect(exceeded).toHaveLength(1);
  });

  it("a paused workspace keeps its status; telemetry is stored and the response says pause", async () => {
    const ws = await onlineWorkspace();
    const pause = await post(ts, "/api/trpc/workspace.pause", { id: ws.id });
    expect(pause.status).toBe(200);
    const res = await heartbeat(ts, ws, { runtimeState: "wedged", activeTasks: 2 });
    expect(res.status).toBe(200);
    expect(res.data.status).toBe("paused");
    expect(res.data.directives).toContain("pause");
    const row = await rowOf(db(), ws.id);
    expect(row.status).toBe("paused");
    expect(row.activeTasks).toBe(2);
    expect((await eventTypes(db(), ws.id)).filter((t) => t === "WORKSPACE_DEGRADED")).toEqual([]);
  });

  it("a heartbeat for an unknown workspace id with a valid token → 403 (the token names its own)", async () => {
    const ws = await onlineWorkspace();
    const res = await post(
      ts,
      "/api/trpc/registry.heartbeat",
      { workspaceId: "no-such-workspace" },
      ws.token,
    );
    expect(res.status).toBe(403);
  });
});

describe("body limits inside a tRPC batch (SPEC §3)", () => {
  it("a 200 KB heartbeat is refused inside a batch next to an agent card, which is written", async () => {
    const ws = await onlineWorkspace();
    const before = await rowOf(db(), ws.id);
    const res = await post(
      ts,
      "/api/trpc/registry.heartbeat,registry.updateCard?batch=1",
      {
        0: { workspaceId: ws.id, runtimeState: "wedged", sampleError: "x".repeat(200_000) },
        1: { workspaceId: ws.id, agentCard: { name: "batched card" } },
      },
      ws.token,
    );
    expect(res.status).toBeLessThan(500);
    const [beat, card] = res.body as {
      error?: { data: { httpStatus: number; fields: { path: string }[] } };
    }[];
    expect(beat!.error?.data.httpStatus).toBe(400);
    expect(beat!.error?.data.fields.map((f) => f.path)).toContain("body");
    expect(card!.error).toBeUndefined();
    const after = await rowOf(db(), ws.id);
    expect(after.lastHeartbeatAt).toEqual(before.lastHeartbeatAt);
    expect(after.status).toBe("online");
    expect(after.agentCard).toEqual({ name: "batched card" });
  });

  it("a batch of more than 10 calls → 400, nothing run", async () => {
    const ws = await onlineWorkspace();
    const calls = Array.from({ length: 11 }, () => "registry.heartbeat").join(",");
    const body = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i, { workspaceId: ws.id }]));
    const before = await rowOf(db(), ws.id);
    const res = await post(ts, `/api/trpc/${calls}?batch=1`, body, ws.token);
    expect(res.status).toBe(400);
    expect((await rowOf(db(), ws.id)).lastHeartbeatAt).toEqual(before.lastHeartbeatAt);
  });
});
