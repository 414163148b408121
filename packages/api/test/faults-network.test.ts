/**
 * Status truth under real faults, network and database side (issue 10): each fault is injected on
 * real parts (a real agent process, a TCP proxy, the real Postgres), statuses are watched through
 * the live event stream as a canvas watches them, and the time to the true status is recorded
 * (support/truth.ts; `pnpm bench:truth` prints it). Assertions are about truth, not speed: the true
 * status arrives, nothing false is shown on the way, no persisted event is lost or repeated.
 */
import { createDb } from "@molecule/db";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/services/logger";
import { createWorkspace, eventsOf, ON_POSTGRES, startTestServer, type TestServer } from "./helpers";
import { DemoAgentProcess, heartbeatLoop } from "./support/agents";
import { watchDatabaseFault } from "./support/database-fault";
import { PgCluster } from "./support/pg-cluster";
import { type SeenEvent, StreamWatch } from "./support/stream-watch";
import { TcpProxy } from "./support/tcp-proxy";
import { recordTruth } from "./support/truth";

// Short but honest: an agent heartbeats several times per OFFLINE_AFTER_MS, so a loaded machine
// never makes a live agent look silent.
const OFFLINE_AFTER_MS = 2_000;
const HEARTBEAT_INTERVAL_MS = 250;
const SWEEP_INTERVAL_MS = 100;
const OFFLINE_TARGET_MS = OFFLINE_AFTER_MS + 2_000;

let ts: TestServer;
let watch: StreamWatch;
const agents: DemoAgentProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

/**
 * A server with the suite's short intervals and its own sweeper, and a stream client on it. The
 * errors the faults cause are expected: its log is silent (the assertions say what went wrong).
 */
async function faultServer(databaseUrl?: string): Promise<{ server: TestServer; stream: StreamWatch }> {
  const server = await startTestServer(
    {
      offlineAfterMs: OFFLINE_AFTER_MS,
      heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
      sweepIntervalMs: SWEEP_INTERVAL_MS,
    },
    { sweeper: true, databaseUrl, log: createLogger("silent") },
  );
  const stream = StreamWatch.open(server.url);
  await stream.waitForConnections(1);
  return { server, stream };
}

beforeAll(async () => {
  ({ server: ts, stream: watch } = await faultServer());
});
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.kill()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => {
  await watch?.close();
  await ts?.close();
});

/** A real demo agent for a new external workspace, online on the stream. */
async function onlineAgent(platformUrl = ts.url) {
  const ws = await createWorkspace(ts, { external: true, name: "fault target" });
  const since = Date.now();
  const agent = DemoAgentProcess.start(platformUrl, ws);
  agents.push(agent);
  await watch.waitForStatus(ws.id, "online", { since, timeoutMs: 45_000 });
  return { ws, agent };
}

/** Where the stream is now: events received after this cursor come after anything done before. */
const cursor = () => watch.events.length;

/** Status events of `id` received after cursor `from`, as statuses. */
function statusesSince(id: string, from: number): string[] {
  return watch.events
    .slice(from)
    .filter((e) => e.workspaceId === id && e.status !== null)
    .map((e) => e.status as string);
}

/** What a silence-then-recovery showed beyond its one offline and one online: flaps, false statuses. */
function wrongOf(seen: string[]): string[] {
  const wrong = [...seen];
  for (const expected of ["offline", "online"]) {
    const i = wrong.indexOf(expected);
    if (i !== -1) wrong.splice(i, 1);
  }
  return wrong;
}

/** Waits `ms` while the stream keeps running (the check is on what arrived meanwhile). */
const observe = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Injects a fault that silences one agent, waits for offline on the stream, keeps the fault for
 * `holdMs` in all, removes it, waits for online, and watches one more offline window for flaps.
 * Returns the figures and every status the stream showed from the injection on.
 */
async function silenceThenRecover(
  id: string,
  fault: { inject(): void; remove(): void; holdMs: number },
): Promise<{ offlineMs: number; backMs: number; seen: string[]; online: SeenEvent }> {
  const injectedAt = Date.now();
  const from = cursor();
  fault.inject();
  const offline = await watch.waitForStatus(id, "offline", { since: injectedAt, timeoutMs: 20_000 });
  await observe(Math.max(0, injectedAt + fault.holdMs - Date.now()));
  const removedAt = Date.now();
  fault.remove();
  // After a long failure the agent's backoff has grown (SDK cap 30 s): it is back on its next try.
  const online = await watch.waitForStatus(id, "online", { since: removedAt, timeoutMs: 40_000 });
  await observe(OFFLINE_AFTER_MS);
  return {
    offlineMs: offline.receivedAt - injectedAt,
    backMs: online.receivedAt - removedAt,
    seen: statusesSince(id, from),
    online,
  };
}

describe("an agent process the operating system stops", () => {
  it("SIGSTOP → offline within OFFLINE_AFTER_MS + 2 s; SIGCONT → online again, same process, no restart", async () => {
    const { ws, agent } = await onlineAgent();
    const { offlineMs, backMs, seen, online } = await silenceThenRecover(ws.id, {
      inject: () => agent.signal("SIGSTOP"),
      remove: () => agent.signal("SIGCONT"),
      holdMs: 0,
    });
    recordTruth({
      fault: "agent SIGSTOP",
      trueStatus: "offline",
      ms: offlineMs,
      targetMs: OFFLINE_TARGET_MS,
      target: "OFFLINE_AFTER_MS + 2 s",
      wrongSeen: wrongOf(seen),
      detail: `OFFLINE_AFTER_MS ${OFFLINE_AFTER_MS}; back online ${backMs} ms after SIGCONT`,
    });
    expect(seen).toEqual(["offline", "online"]);
    expect(online.payload).toMatchObject({ recoveredFrom: "offline" });
    expect(agent.running).toBe(true);
    // Continued, not restarted: no new provisioning, the same process registered once.
    const types = (await eventsOf(ts.db.handle.db, ws.id)).map((e) => e.type);
    expect(types).not.toContain("WORKSPACE_PROVISIONING");
    expect(agent.output.filter((l) => l === "registered")).toHaveLength(1);
  }, 60_000);

  it("kill -9 → offline within OFFLINE_AFTER_MS + 2 s, one event, and it stays offline", async () => {
    const { ws, agent } = await onlineAgent();
    const injectedAt = Date.now();
    const from = cursor();
    agent.signal("SIGKILL");
    const offline = await watch.waitForStatus(ws.id, "offline", { since: injectedAt, timeoutMs: 20_000 });
    // One more offline window: nothing else may follow (no flap back, no second offline).
    await observe(OFFLINE_AFTER_MS);
    const seen = statusesSince(ws.id, from);
    recordTruth({
      fault: "agent kill -9 (external)",
      trueStatus: "offline",
      ms: offline.receivedAt - injectedAt,
      targetMs: OFFLINE_TARGET_MS,
      target: "OFFLINE_AFTER_MS + 2 s",
      wrongSeen: seen.filter((status, i) => !(status === "offline" && i === 0)),
      detail: `OFFLINE_AFTER_MS ${OFFLINE_AFTER_MS}; the process is gone, nothing restarts an external agent`,
    });
    expect(agent.running).toBe(false);
    expect(seen).toEqual(["offline"]);
  }, 60_000);
});

describe("an agent cut off from the server by the network", () => {
  it("partition for 2× OFFLINE_AFTER_MS → offline once; healed → online once, no flapping", async () => {
    const proxy = await TcpProxy.start(Number(new URL(ts.url).port));
    cleanups.push(() => proxy.close());
    const { ws } = await onlineAgent(proxy.url);
    const { offlineMs, backMs, seen, online } = await silenceThenRecover(ws.id, {
      inject: () => proxy.cut(),
      remove: () => proxy.heal(),
      holdMs: 2 * OFFLINE_AFTER_MS,
    });
    recordTruth({
      fault: "partition 2x OFFLINE_AFTER_MS",
      trueStatus: "offline",
      ms: offlineMs,
      targetMs: OFFLINE_TARGET_MS,
      target: "OFFLINE_AFTER_MS + 2 s",
      wrongSeen: wrongOf(seen),
      detail: `back online ${backMs} ms after heal; ${proxy.refused} connections refused during the cut`,
    });
    expect(proxy.refused).toBeGreaterThan(0); // the agent really tried, and was cut off
    expect(seen).toEqual(["offline", "online"]);
    expect(online.payload).toMatchObject({ recoveredFrom: "offline" });
  }, 60_000);
});

describe("a wedge and the steady state", () => {
  it("a wedged runtime → degraded with the sample error, within one heartbeat + 100 ms", async () => {
    const { ws, agent } = await onlineAgent();
    const wedgedAt = Date.now();
    const atWedge = cursor();
    await agent.control("wedge");
    const degraded = await watch.waitForStatus(ws.id, "degraded", { since: wedgedAt, timeoutMs: 20_000 });
    expect(degraded.payload).toMatchObject({
      reason: "wedged",
      sampleError: "Control request timeout: initialize",
    });
    const seen = statusesSince(ws.id, atWedge);
    recordTruth({
      fault: "wedge (real agent)",
      trueStatus: "degraded + sample error",
      ms: degraded.receivedAt - wedgedAt,
      targetMs: HEARTBEAT_INTERVAL_MS + 100,
      target: "1 heartbeat + 100 ms",
      wrongSeen: seen.filter((s) => s !== "degraded"),
      detail: `HEARTBEAT_INTERVAL_MS ${HEARTBEAT_INTERVAL_MS}; from POST /control wedge (next task fails, SDK sends at once)`,
    });
    expect(seen).toEqual(["degraded"]);

    // The same on the wire alone: from sending the wedged heartbeat to the event.
    const wire = await createWorkspace(ts, { external: true });
    const beat = heartbeatLoop(() => ts.url, wire, { everyMs: HEARTBEAT_INTERVAL_MS });
    cleanups.push(() => beat.stop());
    await watch.waitForStatus(wire.id, "online", { timeoutMs: 20_000 });
    const sentAt = Date.now();
    const atSend = cursor();
    const res = await fetch(`${ts.url}/registry/heartbeat`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${wire.token}` },
      body: JSON.stringify({ workspace_id: wire.id, runtime_state: "wedged", sample_error: "stuck on init" }),
    });
    expect(res.status).toBe(200);
    beat.report({ runtime_state: "wedged", sample_error: "stuck on init" });
    const event = await watch.waitForStatus(wire.id, "degraded", { since: sentAt });
    expect(event.payload).toMatchObject({ reason: "wedged", sampleError: "stuck on init" });
    recordTruth({
      fault: "wedge (wire heartbeat)",
      trueStatus: "degraded + sample error",
      ms: event.receivedAt - sentAt,
      targetMs: HEARTBEAT_INTERVAL_MS + 100,
      target: "1 heartbeat + 100 ms",
      wrongSeen: statusesSince(wire.id, atSend).filter((s) => s !== "degraded"),
      detail: "from the heartbeat's send to the event on the stream",
    });
  }, 60_000);

  it("steady state: a fleet heartbeating normally, swept all along, shows no status change at all", async () => {
    const fleet = await Promise.all(
      Array.from({ length: 20 }, () => createWorkspace(ts, { external: true })),
    );
    const loops = fleet.map((ws) => heartbeatLoop(() => ts.url, ws, { everyMs: HEARTBEAT_INTERVAL_MS }));
    cleanups.push(async () => {
      await Promise.all(loops.map((l) => l.stop()));
    });
    await Promise.all(fleet.map((ws) => watch.waitForStatus(ws.id, "online", { timeoutMs: 20_000 })));
    const from = cursor();
    const window = 3 * OFFLINE_AFTER_MS;
    await observe(window);
    const changes = fleet.flatMap((ws) => statusesSince(ws.id, from).map((s) => `${ws.id}:${s}`));
    recordTruth({
      fault: "steady state",
      trueStatus: "unchanged (online)",
      ms: 0,
      targetMs: 0,
      target: "0 flaps, 0 false online/offline",
      wrongSeen: changes,
      detail: `${fleet.length} agents every ${HEARTBEAT_INTERVAL_MS} ms for ${window} ms, sweep every ${SWEEP_INTERVAL_MS} ms`,
    });
    expect(changes).toEqual([]);
  }, 60_000);
});

describe.skipIf(!ON_POSTGRES)("Postgres drops every connection of the server", () => {
  it("pg_terminate_backend under heartbeat load: health back, no false offline, agents back, no event lost", async () => {
    const fault = await watchDatabaseFault(ts, watch, {
      heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
      offlineAfterMs: OFFLINE_AFTER_MS,
      cleanups,
    });
    const result = await fault.inject("Postgres connections terminated", async () => {
      const name = new URL(ts.db.url!).pathname.slice(1);
      const admin = await createDb(process.env.DATABASE_URL);
      try {
        const rows = await admin.query(
          `select pg_terminate_backend(pid) as ok from pg_stat_activity
           where datname = $1 and pid <> pg_backend_pid()`,
          [name],
        );
        return { backendsTerminated: rows.length };
      } finally {
        await admin.close();
      }
    });
    result.assertTrue();
  }, 90_000);
});

/** A database fault under load on a server of its own, whose database is at `databaseUrl`. */
async function faultOnOwnServer(databaseUrl: string) {
  const { server, stream } = await faultServer(databaseUrl);
  cleanups.push(
    () => server.close(),
    () => stream.close(),
  );
  return watchDatabaseFault(server, stream, {
    heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
    offlineAfterMs: OFFLINE_AFTER_MS,
    cleanups,
  });
}

// The long case (`pnpm bench:truth`, or FAULTS_LONG=1): a Postgres cluster of its own, restarted.
const LONG = Boolean(process.env.FAULTS_LONG);
const noCluster = LONG ? PgCluster.unavailable() : null;
const restartCase = !LONG
  ? "Postgres restarted under heartbeat load (FAULTS_LONG only)"
  : noCluster
    ? `Postgres restarted under heartbeat load — skipped: ${noCluster}`
    : "Postgres restarted under heartbeat load: health 503 then 200, no false offline, agents back, no event lost";

describe("Postgres restarted", () => {
  it.skipIf(!LONG || noCluster !== null)(
    restartCase,
    async () => {
      const cluster = await PgCluster.start();
      cleanups.push(() => cluster.stop());
      const fault = await faultOnOwnServer(cluster.url);
      const result = await fault.inject("Postgres restarted", async () => {
        const started = Date.now();
        // Down for longer than OFFLINE_AFTER_MS: every heartbeat meanwhile fails.
        await cluster.restart(2 * OFFLINE_AFTER_MS);
        return { restartMs: Date.now() - started };
      });
      result.assertTrue();
      // Back within seconds of the database's return, not after the pool's reconnect backoff
      // (postgres.js's default grows to 20 s: heartbeats failed 6–15 s more before the cap in createDb).
      expect(result.agentsBackMs).toBeLessThan(5_000);
    },
    120_000,
  );
});

// Long too (bench): through the proxy, a pool connection now and then still needs its 10 s connect
// timeout after the cut, so the figure varies between runs (0.8–10 s seen).
describe.skipIf(!ON_POSTGRES || !LONG)("Postgres unreachable over the network", () => {
  it("cut off for 2× OFFLINE_AFTER_MS under heartbeat load: heartbeats answered again within seconds of its return", async () => {
    // The server reaches Postgres through a proxy the test cuts: connects fail with a reset, as
    // when Postgres restarts or the network between them breaks.
    const base = new URL(process.env.DATABASE_URL!);
    const proxy = await TcpProxy.start(Number(base.port || 5432), base.hostname);
    cleanups.push(() => proxy.close());
    base.port = String(proxy.port);
    const fault = await faultOnOwnServer(base.toString());
    const result = await fault.inject("Postgres unreachable (network)", async () => {
      proxy.cut();
      await observe(2 * OFFLINE_AFTER_MS);
      proxy.heal();
      return { downMs: 2 * OFFLINE_AFTER_MS, refused: proxy.refused };
    });
    result.assertTrue();
  }, 90_000);
});
