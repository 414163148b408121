import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { type Sweeper, startSweeper } from "../src/services/sweeper";
import {
  createWorkspace,
  heartbeat,
  post,
  register,
  sleep,
  startTestServer,
  type TestServer,
  type TestWorkspace,
  trpc,
  waitFor,
} from "./helpers";

// Long enough that the steady and wedged workspaces' beats (sent after the silent one's threshold
// passed) are still fresh when the sweep runs, even on a loaded CI machine; at 300 ms a slow
// machine saw the sweep take them offline too.
const OFFLINE_AFTER_MS = 2_000;
const METRICS_TOKEN = "metrics-token-0123456789abcdefghijklmnop";

let ts: TestServer;
let sweeper: Sweeper;

beforeAll(async () => {
  ts = await startTestServer({ offlineAfterMs: OFFLINE_AFTER_MS, metricsToken: METRICS_TOKEN });
  sweeper = startSweeper(ts.server.services, { timer: false, log: () => {} });
});
afterAll(async () => {
  await sweeper?.stop();
  await ts?.close();
});

type Scrape = Map<string, number>;

async function scrape(token: string | undefined = ts.config.adminToken): Promise<Scrape> {
  const res = await fetch(`${ts.url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  const samples: Scrape = new Map();
  for (const line of (await res.text()).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

const value = (s: Scrape, key: string) => s.get(key) ?? 0;
const moved = (before: Scrape, after: Scrape, key: string) => value(after, key) - value(before, key);
const total = (s: Scrape, prefix: string) =>
  [...s].filter(([k]) => k.startsWith(prefix)).reduce((sum, [, v]) => sum + v, 0);

async function eventCount(): Promise<number> {
  const rows = await ts.db.handle.query<{ n: number }>("select count(*)::int as n from workspace_events", []);
  return rows[0]!.n;
}

async function onlineWorkspace(parentId?: string): Promise<TestWorkspace> {
  const ws = await createWorkspace(ts, { external: true, parentId });
  expect((await register(ts, ws)).data.status).toBe("online");
  return ws;
}

/** A heartbeat over the snake_case wire endpoint. */
const wireHeartbeat = (ws: TestWorkspace, token: string) =>
  post(ts, "/registry/heartbeat", { workspace_id: ws.id, error_rate: 0 }, token);

describe("GET /api/metrics", () => {
  it("answers 401 without operator auth or METRICS_TOKEN, and Prometheus text with either", async () => {
    expect((await fetch(`${ts.url}/api/metrics`)).status).toBe(401);
    const wrong = await fetch(`${ts.url}/api/metrics`, {
      headers: { authorization: `Bearer ${"x".repeat(40)}` },
    });
    expect(wrong.status).toBe(401);
    // An agent's token is no metrics credential either.
    const ws = await createWorkspace(ts, { external: true });
    const agent = await fetch(`${ts.url}/api/metrics`, { headers: { authorization: `Bearer ${ws.token}` } });
    expect(agent.status).toBe(401);
    expect((await scrape(METRICS_TOKEN)).has("molecule_heartbeats_received_total")).toBe(true);
    expect((await scrape()).has("molecule_heartbeats_received_total")).toBe(true);
  });

  it("refuses a METRICS_TOKEN shorter than 32 characters at start", () => {
    expect(() => loadConfig({ METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
  });

  it("moves each number by exactly what real traffic did", async () => {
    const steady = await onlineWorkspace(); // heartbeats, stays online
    const wedged = await onlineWorkspace(); // online → degraded
    const silent = await onlineWorkspace(); // online → offline by the sweep
    const restarted = await onlineWorkspace(); // online → provisioning by an operator
    const parent = await onlineWorkspace(); // online → paused with its child, in one transaction
    await onlineWorkspace(parent.id);
    await sweeper.tick(); // the sweep hears from now on (silence counts from its first tick)
    // Every event written so far has reached the bus, so the lag count below is this test's own.
    const events = await eventCount();
    await waitFor(async () => {
      const s = await scrape();
      return value(s, "molecule_event_bus_lag_seconds_count") >= events;
    });
    const before = await scrape();

    // An SSE subscriber is counted while it is connected.
    const stream = new AbortController();
    const sse = await fetch(`${ts.url}/api/trpc/events.onEvent?input=${encodeURIComponent("{}")}`, {
      headers: { authorization: `Bearer ${ts.config.adminToken}`, accept: "text/event-stream" },
      signal: stream.signal,
    });
    expect(sse.status).toBe(200);
    await waitFor(async () => moved(before, await scrape(), "molecule_sse_subscribers") === 1, {
      what: "the SSE subscriber to be counted",
    });
    stream.abort();
    await sse.body?.cancel().catch(() => {});
    await waitFor(async () => moved(before, await scrape(), "molecule_sse_subscribers") === 0, {
      what: "the SSE subscriber to be gone",
    });

    await sleep(OFFLINE_AFTER_MS + 100);
    const GOOD = 4;
    for (let i = 0; i < GOOD - 1; i++)
      expect((await heartbeat(ts, steady, { errorRate: 0 })).status).toBe(200);
    expect((await wireHeartbeat(steady, steady.token)).status).toBe(200);
    const wedge = await heartbeat(ts, wedged, { runtimeState: "wedged", sampleError: "stuck", errorRate: 0 });
    expect(wedge.data.status).toBe("degraded");
    // Refused: a token of nobody (tRPC and wire), no token at all, another workspace's token, a bad body.
    const nobody = `mol_${"z".repeat(40)}`;
    expect((await heartbeat(ts, { id: steady.id, token: nobody })).status).toBe(401);
    expect((await wireHeartbeat(steady, nobody)).status).toBe(401);
    expect((await post(ts, "/api/trpc/registry.heartbeat", { workspaceId: steady.id })).status).toBe(401);
    expect((await heartbeat(ts, { id: steady.id, token: wedged.token })).status).toBe(403);
    expect((await heartbeat(ts, steady, { errorRate: "lots" })).status).toBe(400);
    expect((await trpc(ts, "workspace.restart", { id: restarted.id })).status).toBe(200);
    expect((await trpc(ts, "workspace.pause", { id: parent.id })).data.paused).toHaveLength(2);
    const swept = await sweeper.tick();
    expect(swept.offline).toEqual([silent.id]);
    await waitFor(async () => moved(before, await scrape(), "molecule_event_bus_lag_seconds_count") >= 5, {
      what: "the five events to reach the bus",
    });
    const after = await scrape();

    expect(moved(before, after, "molecule_heartbeats_received_total")).toBe(GOOD + 1 + 5);
    expect(moved(before, after, 'molecule_heartbeats_rejected_total{reason="unauthorized"}')).toBe(3);
    expect(moved(before, after, 'molecule_heartbeats_rejected_total{reason="forbidden"}')).toBe(1);
    expect(moved(before, after, 'molecule_heartbeats_rejected_total{reason="bad_request"}')).toBe(1);
    expect(
      total(after, "molecule_heartbeats_rejected_total") -
        total(before, "molecule_heartbeats_rejected_total"),
    ).toBe(5);

    expect(moved(before, after, 'molecule_transitions_total{from="online",to="degraded"}')).toBe(1);
    expect(moved(before, after, 'molecule_transitions_total{from="online",to="offline"}')).toBe(1);
    expect(moved(before, after, 'molecule_transitions_total{from="online",to="provisioning"}')).toBe(1);
    expect(moved(before, after, 'molecule_transitions_total{from="online",to="paused"}')).toBe(2);
    expect(total(after, "molecule_transitions_total") - total(before, "molecule_transitions_total")).toBe(5);
    expect(moved(before, after, 'molecule_process_restarts_total{cause="operator"}')).toBe(1);

    expect(moved(before, after, 'molecule_workspaces{status="online"}')).toBe(-5);
    expect(moved(before, after, 'molecule_workspaces{status="paused"}')).toBe(2);
    expect(moved(before, after, 'molecule_workspaces{status="degraded"}')).toBe(1);
    expect(moved(before, after, 'molecule_workspaces{status="offline"}')).toBe(1);
    expect(moved(before, after, 'molecule_workspaces{status="provisioning"}')).toBe(1);
    const [all] = await ts.db.handle.query<{ n: number }>("select count(*)::int as n from workspaces", []);
    expect(total(after, "molecule_workspaces{")).toBe(all!.n);

    expect(moved(before, after, "molecule_event_bus_lag_seconds_count")).toBe(5);
    expect(moved(before, after, "molecule_sweep_duration_seconds_count")).toBe(1);
    expect(value(after, "molecule_sweep_offline_chunk_lock_seconds")).toBeGreaterThan(0);
    expect(value(after, "molecule_db_pool_max")).toBe(ts.db.handle.kind === "pglite" ? 1 : 10);
    expect(after.has("molecule_db_pool_in_use")).toBe(true);
    // The process's own metrics come along once.
    expect(after.has("process_cpu_user_seconds_total")).toBe(true);
  });
});
