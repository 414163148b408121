import { createDb, type DbHandle, sql } from "@molecule/db";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Sweeper, startSweeper } from "../src/services/sweeper";
import {
  createWorkspace,
  eventsOf,
  heartbeat,
  ON_POSTGRES,
  post,
  register,
  rowOf,
  sleep,
  startTestServer,
  type TestServer,
  type TestWorkspace,
  waitFor,
} from "./helpers";

const OFFLINE_AFTER_MS = 300;
const PROVISION_TIMEOUT_MS = 400;
const SWEEP_INTERVAL_MS = 40;

let ts: TestServer;
const db = () => ts.db.handle.db;
const sweepers: Sweeper[] = [];
const logs: string[] = [];
const log = (message: string) => {
  logs.push(message);
};

function sweeper(options: Parameters<typeof startSweeper>[1] = {}, services = ts.server.services) {
  const s = startSweeper(services, { log, ...options });
  sweepers.push(s);
  return s;
}

beforeAll(async () => {
  ts = await startTestServer({
    offlineAfterMs: OFFLINE_AFTER_MS,
    provisionTimeoutMs: PROVISION_TIMEOUT_MS,
    sweepIntervalMs: SWEEP_INTERVAL_MS,
  });
});
afterEach(async () => {
  await Promise.all(sweepers.splice(0).map((s) => s.stop()));
  logs.length = 0;
});
afterAll(async () => {
  await ts?.close();
});

async function onlineWorkspace(): Promise<TestWorkspace> {
  const ws = await createWorkspace(ts, { external: true });
  expect((await register(ts, ws)).data.status).toBe("online");
  return ws;
}

const offlineEvents = async (id: string) =>
  (await eventsOf(db(), id)).filter((e) => e.type === "WORKSPACE_OFFLINE");

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms).unref()),
  ]);
}

/** An agent: heartbeats every `everyMs` until stopped, remembering every HTTP status it got. */
function agent(ws: TestWorkspace, everyMs = 60, timeoutMs = 1000, server = () => ts) {
  const statuses: { at: number; status: number }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      // Like a real agent: a heartbeat that gets no answer within a second counts as failed.
      const res = await withTimeout(heartbeat(server(), ws, { errorRate: 0 }), timeoutMs).catch(() => ({
        status: 0,
      }));
      statuses.push({ at: Date.now(), status: res.status });
      await sleep(everyMs);
    }
  })();
  return {
    statuses,
    async stop() {
      running = false;
      await loop;
    },
  };
}

describe("liveness sweep", () => {
  it("marks an online workspace offline after OFFLINE_AFTER_MS of silence, once", async () => {
    const silent = await onlineWorkspace();
    const talking = await onlineWorkspace();
    const talker = agent(talking);
    sweeper();
    const row = await waitFor(
      async () => {
        const r = await rowOf(db(), silent.id);
        return r.status === "offline" && r;
      },
      { what: "offline" },
    );
    await sleep(OFFLINE_AFTER_MS);
    await talker.stop();
    // Measured on the database clock: the status changed at least OFFLINE_AFTER_MS after the last heartbeat.
    expect(row.statusChangedAt.getTime() - row.lastHeartbeatAt!.getTime()).toBeGreaterThanOrEqual(
      OFFLINE_AFTER_MS,
    );
    const events = await offlineEvents(silent.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.payload).toEqual({ lastHeartbeatAt: row.lastHeartbeatAt!.toISOString() });
    expect((await rowOf(db(), talking.id)).status).toBe("online");
    expect(await offlineEvents(talking.id)).toHaveLength(0);
  });

  it("marks a degraded workspace offline too, and a heartbeat brings it back", async () => {
    const ws = await onlineWorkspace();
    expect((await heartbeat(ts, ws, { runtimeState: "wedged" })).data.status).toBe("degraded");
    sweeper();
    await waitFor(async () => (await rowOf(db(), ws.id)).status === "offline", { what: "offline" });
    expect((await heartbeat(ts, ws, { runtimeState: "wedged" })).data.status).toBe("degraded");
    expect((await heartbeat(ts, ws, {})).data.status).toBe("online");
  });

  it("fails a workspace that does not register within PROVISION_TIMEOUT_MS", async () => {
    const ws = await createWorkspace(ts); // local, no provisioner in tests: stays provisioning
    expect((await rowOf(db(), ws.id)).status).toBe("provisioning");
    sweeper();
    const row = await waitFor(
      async () => {
        const r = await rowOf(db(), ws.id);
        return r.status === "failed" && r;
      },
      { what: "failed" },
    );
    const reason = `did not register within ${PROVISION_TIMEOUT_MS} ms`;
    expect(row.statusReason).toBe(reason);
    const failed = (await eventsOf(db(), ws.id)).filter((e) => e.type === "WORKSPACE_PROVISION_FAILED");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.payload).toEqual({ reason });
    // A late registration still brings it online (failed → online).
    expect((await register(ts, ws)).data.status).toBe("online");
  });

  it("an external restart the agent never acknowledges, while it keeps heartbeating → back to what its heartbeats say", async () => {
    const { operator } = await import("./helpers");
    const keeps = await onlineWorkspace();
    const silentOne = await onlineWorkspace();
    await operator(ts).workspace.restart({ id: keeps.id });
    await operator(ts).workspace.restart({ id: silentOne.id });
    const s = sweeper({ timer: false });
    // The old runtime keeps heartbeating (wedged) and ignores the restart directive.
    const deadline = Date.now() + PROVISION_TIMEOUT_MS * 20;
    let report = { failed: [] as string[] };
    while (Date.now() < deadline && !(await rowOf(db(), keeps.id)).status.match(/degraded|failed/)) {
      const beat = await heartbeat(ts, keeps, { runtimeState: "wedged", sampleError: "still wedged" });
      expect(beat.data.directives).toContain("restart");
      report = await s.tick();
      await sleep(20);
    }
    const row = await rowOf(db(), keeps.id);
    expect(row.status).toBe("degraded");
    expect(row.pendingRestart).toBe(false);
    const [event] = (await eventsOf(db(), keeps.id)).filter((e) => e.type === "WORKSPACE_DEGRADED").slice(-1);
    expect(event!.payload).toMatchObject({ restartAcknowledged: false, reason: "wedged" });
    expect(report.failed).not.toContain(keeps.id);
    // The one that fell silent fails as before.
    await waitFor(
      async () => (await rowOf(db(), silentOne.id)).status === "failed" || (await s.tick()) === null,
      {
        what: "the silent one failed",
      },
    );
    expect((await rowOf(db(), silentOne.id)).statusReason).toMatch(/did not register/);
  });

  it("leaves awaiting_agent, paused and offline workspaces alone", async () => {
    const waiting = await createWorkspace(ts, { external: true });
    const paused = await onlineWorkspace();
    await ts.server.services.bus; // (services are shared with the HTTP server)
    const { pauseWorkspace } = await import("../src/services/lifecycle");
    await pauseWorkspace(ts.server.services, paused.id);
    sweeper();
    await sleep(Math.max(OFFLINE_AFTER_MS, PROVISION_TIMEOUT_MS) * 2);
    expect((await rowOf(db(), waiting.id)).status).toBe("awaiting_agent");
    expect((await rowOf(db(), paused.id)).status).toBe("paused");
  });

  it("several sweepers at once write one transition and one event per workspace", async () => {
    const workspaces = await Promise.all(Array.from({ length: 8 }, () => onlineWorkspace()));
    const provisioning = await Promise.all(Array.from({ length: 4 }, () => createWorkspace(ts)));
    // On Postgres each sweeper gets its own connection pool, like separate server instances.
    // (In-memory PGlite has one connection; there the sweeps still interleave between read and write.)
    const extra: DbHandle[] = [];
    if (ON_POSTGRES) for (let i = 0; i < 3; i++) extra.push(await createDb(ts.db.url!));
    try {
      const all = [
        sweeper({ timer: false }),
        sweeper({ timer: false }),
        ...extra.map((handle) => sweeper({ timer: false }, { ...ts.server.services, handle })),
      ];
      await waitFor(
        async () => {
          await Promise.all(all.map((s) => s.tick()));
          const rows = await Promise.all([...workspaces, ...provisioning].map((w) => rowOf(db(), w.id)));
          return rows.every((r) => r.status === "offline" || r.status === "failed");
        },
        { intervalMs: 0, what: "all swept" },
      );
      for (const ws of workspaces) expect(await offlineEvents(ws.id)).toHaveLength(1);
      for (const ws of provisioning) {
        const failed = (await eventsOf(db(), ws.id)).filter((e) => e.type === "WORKSPACE_PROVISION_FAILED");
        expect(failed).toHaveLength(1);
      }
    } finally {
      await Promise.all(sweepers.splice(0).map((s) => s.stop()));
      for (const handle of extra) await handle.close();
    }
  });

  it("does not count silence while this process was not listening (a stalled sweeper)", async () => {
    const ws = await onlineWorkspace();
    const s = sweeper({ timer: false, maxGapMs: 100 });
    await s.tick();
    // Nothing ran for longer than OFFLINE_AFTER_MS (think: event loop blocked, process suspended).
    await sleep(OFFLINE_AFTER_MS * 2);
    expect((await s.tick()).offline).toEqual([]);
    expect((await rowOf(db(), ws.id)).status).toBe("online");
    // Listening again without gaps: after OFFLINE_AFTER_MS it is counted.
    await waitFor(async () => (await s.tick()).offline.includes(ws.id), { intervalMs: 20, what: "offline" });
  });

  it.runIf(ON_POSTGRES)(
    "a heartbeat being written when the sweep runs wins: the row is skipped, not waited for, and stays online",
    async () => {
      const ws = await onlineWorkspace();
      const s = sweeper({ timer: false, maxGapMs: 60_000 });
      await s.tick(); // start listening
      await sleep(OFFLINE_AFTER_MS + 50); // silent past the cutoff
      // Another connection is in the middle of writing this workspace's heartbeat (row locked,
      // not committed): exactly the moment between the sweep's choice and its write.
      const other = await createDb(ts.db.url!);
      try {
        await other.db.transaction(async (tx) => {
          await tx.execute(sql`update workspaces set last_heartbeat_at = now() where id = ${ws.id}`);
          const started = performance.now();
          const report = await s.tick();
          // It neither waited for the lock (which would hold the event log) nor took it offline.
          expect(performance.now() - started).toBeLessThan(OFFLINE_AFTER_MS * 10);
          expect(report.offline).not.toContain(ws.id);
        });
        // The heartbeat committed: the workspace was heard in time, so no offline, no event.
        expect((await s.tick()).offline).not.toContain(ws.id);
        expect((await rowOf(db(), ws.id)).status).toBe("online");
        expect(await offlineEvents(ws.id)).toHaveLength(0);
      } finally {
        await other.close();
      }
    },
  );

  it("the offline pass is set-based: many silent workspaces, one event each, in chunks", async () => {
    const fleet = await Promise.all(Array.from({ length: 30 }, () => onlineWorkspace()));
    // One long gap between two ticks must not count as "not listening" here.
    const s = sweeper({ timer: false, maxGapMs: 60_000 });
    await s.tick();
    await sleep(OFFLINE_AFTER_MS + 50);
    const report = await s.tick();
    for (const ws of fleet) expect(report.offline).toContain(ws.id);
    for (const ws of fleet) {
      expect((await rowOf(db(), ws.id)).status).toBe("offline");
      const events = await offlineEvents(ws.id);
      expect(events).toHaveLength(1);
      expect(typeof events[0]!.payload.lastHeartbeatAt).toBe("string");
    }
    expect(s.lastChunkMs()).toBeGreaterThan(0);
  });
});

/**
 * A real database outage, as the server sees it: its connections drop and every query fails.
 * Postgres: refuse connections to the test database and kill its backends. PGlite (one in-process
 * connection): switch the session to a role without privileges, so every query on the tables
 * fails (permission denied) until the role is reset, exactly as an unreachable database would.
 */
function outage(t: TestServer) {
  if (ON_POSTGRES) {
    const name = new URL(t.db.url!).pathname.slice(1);
    // The admin connection is to the server's maintenance database, not the test database.
    let admin: DbHandle | null = null;
    return {
      async begin() {
        admin = await createDb(process.env.DATABASE_URL);
        await admin.execScript(`alter database "${name}" allow_connections false`);
        await admin.execScript(
          `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`,
        );
      },
      async end() {
        await admin?.execScript(`alter database "${name}" allow_connections true`);
        await admin?.close();
      },
    };
  }
  const handle = t.db.handle;
  return {
    async begin() {
      await handle.db.execute(
        sql`do $$ begin create role molecule_outage nologin; exception when duplicate_object then null; end $$`,
      );
      await handle.db.execute(sql`set role molecule_outage`);
    },
    async end() {
      await handle.db.execute(sql`reset role`);
    },
  };
}

describe("database outage", () => {
  // Its own server with a longer OFFLINE_AFTER_MS: after an outage a pool needs a moment to
  // reconnect, and agents here behave like real ones (short request timeout, next beat on time).
  // Long enough that the checks after the outage fit inside one OFFLINE_AFTER_MS on a loaded CI
  // machine (the agents are stopped then, so a later sweep would rightly mark them offline).
  const OUTAGE_OFFLINE_MS = 2_000;
  let ots: TestServer;
  const odb = () => ots.db.handle.db;
  beforeAll(async () => {
    ots = await startTestServer({ offlineAfterMs: OUTAGE_OFFLINE_MS, sweepIntervalMs: SWEEP_INTERVAL_MS });
  });
  afterAll(async () => {
    await ots?.close();
  });
  const beat = (ws: TestWorkspace) => agent(ws, 80, 250, () => ots);
  const offline = async (id: string) =>
    (await eventsOf(odb(), id)).filter((e) => e.type === "WORKSPACE_OFFLINE");

  it("heartbeats fail for longer than OFFLINE_AFTER_MS, the database returns: nobody goes offline for it", async () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {}); // the failing heartbeats log
    const fleet: TestWorkspace[] = [];
    for (let i = 0; i < 3; i++) {
      const ws = await createWorkspace(ots, { external: true });
      expect((await register(ots, ws)).data.status).toBe("online");
      fleet.push(ws);
    }
    const s = sweeper({}, ots.server.services);
    let agents = fleet.map(beat);
    await sleep(OUTAGE_OFFLINE_MS); // a healthy fleet, swept all along
    for (const ws of fleet) expect((await rowOf(odb(), ws.id)).status).toBe("online");

    const down = outage(ots);
    await down.begin();
    const outageStart = Date.now();
    let outageEnd = 0;
    try {
      await sleep(OUTAGE_OFFLINE_MS * 2);
      outageEnd = Date.now();
      // Stop the agents before the database returns, so that the sweep, not a heartbeat, is first.
      await Promise.all(agents.map((a) => a.stop()));
    } finally {
      await down.end();
    }

    const during = agents;
    // The sweep hears again (its own query answered; postgres.js reconnects with a growing backoff,
    // up to 20 s, so that may take a while). From then on silence counts again, so the agents come
    // back now, within their interval, as real ones would.
    await waitFor(async () => s.heardSince() !== null, { what: "sweeper hearing again", timeoutMs: 25_000 });
    agents = fleet.map(beat);

    // Our own connections need to come back too (a connect that began during the outage fails).
    await waitFor(
      async () =>
        rowOf(odb(), fleet[0]!.id).then(
          () => true,
          () => false,
        ),
      { what: "test connection back", timeoutMs: 25_000 },
    );

    // The heartbeats really failed over HTTP during the outage.
    for (const a of during) {
      const failed = a.statuses.filter((r) => r.at > outageStart + 50 && r.at < outageEnd);
      expect(failed.length).toBeGreaterThan(0);
      // 500 from the server, or no answer in time (0): never a heartbeat that was written.
      expect(failed.every((r) => r.status >= 500 || r.status === 0)).toBe(true);
    }
    expect(logs.some((l) => l.includes("database unreachable"))).toBe(true);

    // That silence was the server's, not the agents': nobody went offline for it, then or later.
    await sleep(OUTAGE_OFFLINE_MS * 2);
    for (const ws of fleet) {
      expect((await rowOf(odb(), ws.id)).status).toBe("online");
      expect(await offline(ws.id)).toHaveLength(0);
    }
    // And the sweep still works: an agent that stays silent after the outage does go offline.
    await agents[0]!.stop();
    await waitFor(async () => (await rowOf(odb(), fleet[0]!.id)).status === "offline", {
      what: "offline",
      timeoutMs: 25_000,
    });
    await Promise.all(agents.slice(1).map((a) => a.stop()));
    expect(await offline(fleet[0]!.id)).toHaveLength(1);
    quiet.mockRestore();
  }, 90_000);
});

describe("what the request path can tell the sweep", () => {
  it("another agent's failing heartbeats (bad input, bad token) never stop silence being counted", async () => {
    // The bug this guards: one agent whose heartbeats failed on the database made the sweep think
    // the database was down, so a silent workspace stayed online for as long as they kept coming.
    const silentOne = await onlineWorkspace();
    const noisy = await onlineWorkspace();
    const s = sweeper({ timer: false });
    await s.tick();
    const statuses: number[] = [];
    let found = false;
    const deadline = Date.now() + OFFLINE_AFTER_MS * 20;
    while (!found && Date.now() < deadline) {
      for (const body of [
        { workspaceId: noisy.id, sampleError: "nul \u0000 byte", runtimeState: "wedged" },
        { workspaceId: noisy.id, currentTask: "\ud83d" },
      ])
        statuses.push((await post(ts, "/api/trpc/registry.heartbeat", body, noisy.token)).status);
      statuses.push(
        (await post(ts, "/api/trpc/registry.heartbeat", { workspaceId: noisy.id }, "y".repeat(43))).status,
      );
      found = (await s.tick()).offline.includes(silentOne.id);
    }
    expect(found).toBe(true);
    expect(statuses.every((status) => status < 500)).toBe(true);
  });

  it("a heartbeat that reached the server but failed on the database keeps only its own workspace heard", async () => {
    const heard = await onlineWorkspace();
    const other = await onlineWorkspace();
    const s = sweeper({ timer: false, maxGapMs: 60_000 });
    await s.tick();
    await waitFor(
      async () => {
        // Its agent keeps calling; each write fails on the database (the pool is recovering).
        s.hearing(heard.id)(new Error("connection terminated unexpectedly"));
        return (await s.tick()).offline.includes(other.id);
      },
      { what: "the other workspace offline" },
    );
    expect((await rowOf(db(), heard.id)).status).toBe("online");
    expect(s.heardSince()).not.toBeNull();
  });

  it("a workspace whose heartbeat is in flight (heard, not yet written) is not marked offline", async () => {
    const ws = await onlineWorkspace();
    const s = sweeper({ timer: false });
    const done = s.hearing(ws.id);
    const deadline = Date.now() + OFFLINE_AFTER_MS * 2;
    while (Date.now() < deadline) {
      expect((await s.tick()).offline).not.toContain(ws.id);
      await sleep(10);
    }
    done();
    expect(s.heardSince()).not.toBeNull();
    await waitFor(async () => (await s.tick()).offline.includes(ws.id), { what: "offline" });
  });
});
