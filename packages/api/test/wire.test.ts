import { LIMITS } from "@molecule/contracts";
import { describe, expect, it } from "vitest";
import {
  createWorkspace,
  eventsOf,
  eventTypes,
  post,
  rowOf,
  type TestWorkspace,
  testServerPerFile,
} from "./helpers";

const ts = testServerPerFile();
const db = () => ts.db.handle.db;

const wire = (name: string, body: unknown, token?: string) => post(ts, `/registry/${name}`, body, token);

const card = {
  name: "Researcher",
  description: "Finds things",
  url: "http://127.0.0.1:8100",
  skills: [{ id: "search", name: "Search" }],
  capabilities: { streaming: false },
};

async function registered(): Promise<TestWorkspace> {
  const ws = await createWorkspace(ts, { external: true });
  const res = await wire("register", { id: ws.id, url: "http://127.0.0.1:8100", agent_card: card }, ws.token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ws;
}

/** Every error body is exactly {"error": "..."}. */
function expectError(res: { status: number; body: unknown }, status: number, pattern?: RegExp) {
  expect(res.status).toBe(status);
  expect(Object.keys(res.body as object)).toEqual(["error"]);
  const error = (res.body as { error: unknown }).error;
  expect(typeof error).toBe("string");
  if (pattern) expect(error).toMatch(pattern);
}

describe("wire compatibility with existing (Python) runtimes: snake_case over plain HTTP", () => {
  it("POST /registry/register {id, url, agent_card} → online, snake_case response", async () => {
    const ws = await createWorkspace(ts, { external: true });
    const res = await wire(
      "register",
      { id: ws.id, url: "http://127.0.0.1:8100", agent_card: card },
      ws.token,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "online", heartbeat_interval_ms: ts.config.heartbeatIntervalMs });
    const row = await rowOf(db(), ws.id);
    expect(row.status).toBe("online");
    expect(row.url).toBe("http://127.0.0.1:8100");
    expect(row.agentCard).toEqual(card); // the card inside is kept exactly as sent
    expect(await eventTypes(db(), ws.id)).toEqual(["WORKSPACE_CREATED", "WORKSPACE_ONLINE"]);
  });

  it("a full snake_case heartbeat is stored field by field", async () => {
    const ws = await registered();
    const res = await wire(
      "heartbeat",
      {
        workspace_id: ws.id,
        error_rate: 0.2,
        sample_error: "one timeout",
        active_tasks: 2,
        uptime_seconds: 120,
        current_task: "reading",
        monthly_spend: 250,
        runtime_state: "",
      },
      ws.token,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "online",
      heartbeat_interval_ms: ts.config.heartbeatIntervalMs,
      directives: [],
    });
    expect(await rowOf(db(), ws.id)).toMatchObject({
      lastErrorRate: 0.2,
      lastSampleError: "one timeout",
      activeTasks: 2,
      uptimeSeconds: 120,
      currentTask: "reading",
      monthlySpend: 250,
      runtimeState: "",
    });
  });

  it("runtime_state wedged drives the same transition: degraded with the sample error, one event", async () => {
    const ws = await registered();
    const body = {
      workspace_id: ws.id,
      error_rate: 0,
      sample_error: "Control request timeout: initialize",
      active_tasks: 0,
      uptime_seconds: 30,
      current_task: "",
      monthly_spend: 0,
      runtime_state: "wedged",
    };
    expect((await wire("heartbeat", body, ws.token)).body.status).toBe("degraded");
    expect((await wire("heartbeat", body, ws.token)).body.status).toBe("degraded");
    const row = await rowOf(db(), ws.id);
    expect(row.status).toBe("degraded");
    expect(row.lastSampleError).toBe("Control request timeout: initialize");
    expect((await eventsOf(db(), ws.id)).filter((e) => e.type === "WORKSPACE_DEGRADED")).toHaveLength(1);
    // And recovery, the same as over tRPC.
    const healthy = { ...body, sample_error: "", runtime_state: "" };
    expect((await wire("heartbeat", healthy, ws.token)).body.status).toBe("online");
  });

  it("a heartbeat with only {workspace_id} is accepted (older runtimes) and counts as healthy", async () => {
    const ws = await createWorkspace(ts, { external: true });
    const res = await wire("heartbeat", { workspace_id: ws.id }, ws.token);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("online");
    expect((await rowOf(db(), ws.id)).lastHeartbeatAt).not.toBeNull();
  });

  it("unknown extra fields are ignored", async () => {
    const ws = await registered();
    const res = await wire(
      "heartbeat",
      { workspace_id: ws.id, error_rate: 0, hostname: "box-1", pid: 4242, extra: { nested: [1, 2] } },
      ws.token,
    );
    expect(res.status).toBe(200);
    const reg = await wire(
      "register",
      { id: ws.id, url: "http://127.0.0.1:8100", agent_card: card, runtime_version: "0.9.1" },
      ws.token,
    );
    expect(reg.status).toBe(200);
  });

  it("POST /registry/update-card {workspace_id, agent_card} stores the card and emits AGENT_CARD_UPDATED", async () => {
    const ws = await registered();
    const next = { ...card, name: "Researcher v2", skills: [] };
    const res = await wire("update-card", { workspace_id: ws.id, agent_card: next }, ws.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect((await rowOf(db(), ws.id)).agentCard).toEqual(next);
    expect(await eventTypes(db(), ws.id)).toContain("AGENT_CARD_UPDATED");
  });

  it("POST /registry/check-access {caller_id, target_id} → {allowed, reason}", async () => {
    const parent = await registered();
    const child = await createWorkspace(ts, { external: true, parentId: parent.id });
    const res = await wire("check-access", { caller_id: child.id, target_id: parent.id }, child.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ allowed: true, reason: "parent" });
  });

  it("bad values → 400 {error} naming the snake_case field; nothing written", async () => {
    const ws = await registered();
    const before = await rowOf(db(), ws.id);
    expectError(await wire("heartbeat", { workspace_id: ws.id, error_rate: 2 }, ws.token), 400, /error_rate/);
    expectError(
      await wire("heartbeat", { workspace_id: ws.id, active_tasks: -1 }, ws.token),
      400,
      /active_tasks/,
    );
    expectError(
      await wire(
        "heartbeat",
        { workspace_id: ws.id, runtime_state: "wedged", uptime_seconds: "long" },
        ws.token,
      ),
      400,
      /uptime_seconds/,
    );
    expectError(
      await wire("register", { id: ws.id, url: "ftp://x", agent_card: card }, ws.token),
      400,
      /url/,
    );
    expectError(
      await wire("register", { id: ws.id, url: "http://user:pw@host", agent_card: card }, ws.token),
      400,
      /url/,
    );
    expectError(
      await wire("update-card", { workspace_id: ws.id, agent_card: "not an object" }, ws.token),
      400,
      /agent_card/,
    );
    expectError(await wire("heartbeat", {}, ws.token), 400, /workspace_id/);
    expectError(await wire("heartbeat", "{not json", ws.token), 400, /JSON/);
    expectError(await wire("heartbeat", "[1,2]", ws.token), 400);
    expectError(
      await wire("heartbeat", { workspace_id: ws.id, padding: "x".repeat(LIMITS.bodyBytes + 10) }, ws.token),
      400,
      /body/,
    );
    const after = await rowOf(db(), ws.id);
    expect(after.lastHeartbeatAt).toEqual(before.lastHeartbeatAt);
    expect(after.status).toBe("online");
    // The message never leaks camelCase names to a snake_case client.
    const res = await wire("heartbeat", { workspace_id: ws.id, error_rate: "x" }, ws.token);
    expect(res.body.error).not.toMatch(/errorRate/);
  });

  it("401 without or with a bad token, 403 for another workspace, 404 for an unknown endpoint", async () => {
    const a = await registered();
    const b = await registered();
    expectError(await wire("heartbeat", { workspace_id: a.id }), 401);
    expectError(await wire("heartbeat", { workspace_id: a.id }, "x".repeat(43)), 401);
    expectError(await wire("heartbeat", { workspace_id: b.id }, a.token), 403);
    expectError(await wire("register", { id: b.id, url: null, agent_card: {} }, a.token), 403);
    expectError(await wire("no-such-endpoint", {}, a.token), 404);
  });

  it("a removed workspace's runtime gets 401", async () => {
    const ws = await registered();
    const { operator } = await import("./helpers");
    await operator(ts).workspace.remove({ id: ws.id });
    expectError(await wire("heartbeat", { workspace_id: ws.id }, ws.token), 401);
  });
});
