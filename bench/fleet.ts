/**
 * SPEC §10 at fleet scale, against the physical limit, in one run (never in timed tests):
 *
 *  1. Heartbeat ingest: the production server (wire and tRPC) under wrk (64 connections, a
 *     fleet of WORKSPACES), side by side with pgbench running the same single-row UPDATE on the
 *     same table (prepared, 16 clients) and a bare node:http + postgres server doing the same work
 *     (one statement per request, and group commit). Ratios against pgbench and the bare server.
 *  2. Fan-out: 50 subscribed canvases (their own process) while paced agents (their own process,
 *     lib/paced-agents.mjs) send FANOUT_RATE (2,000) heartbeats/s; a status change → every
 *     subscriber, p50/p99, the rate the agents achieved, and where the time went.
 *  3. Silence: the whole fleet falls silent at once; time until all are offline (target
 *     OFFLINE_AFTER_MS + 2 s), one event each, and the longest the event-log lock was held, as
 *     another client waiting for it sees it.
 *  Server RSS before/after. With DATABASE_URL: Postgres; without: embedded PGlite (no pgbench).
 *
 *   pnpm --filter @molecule/bench bench:fleet     (WORKSPACES=10000 BENCH_SECONDS=10 to change;
 *                                                  FLEET_ONLY=fanout for one part)
 * Prints a table, writes bench/results/fleet-<db>-<time>.json and updates nothing else.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { rateBetween, startAgents } from "./lib/agents";
import {
  ADMIN_TOKEN,
  type BenchDatabase,
  cleanup,
  freshDatabase,
  pgbench,
  sleep,
  startBaseline,
  startMolecule,
  startSubscribers,
  wrk,
} from "./lib/harness";

const WORKSPACES = Number(process.env.WORKSPACES ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 64);
const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 50);
const OFFLINE_AFTER_MS = Number(process.env.BENCH_OFFLINE_AFTER_MS ?? 8_000);
const FANOUT_RATE = Number(process.env.FANOUT_RATE ?? 2_000);
const FANOUT_PROBES = Number(process.env.FANOUT_PROBES ?? 20);
/** FLEET_ONLY=fanout (or ingest, silence; comma-separated): run only those parts. */
const ONLY = new Set((process.env.FLEET_ONLY ?? "ingest,fanout,silence").split(",").map((p) => p.trim()));
const EVENT_LOG_LOCK = 7_312_002; // packages/api/src/services/events.ts

type Row = Record<string, string | number>;
const rows: Row[] = [];
const extra: Record<string, unknown> = {};
const ratio = (a: number, b: number) => (Number.isFinite(a) && b > 0 ? +(a / b).toFixed(2) : "—");
const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;

/** Every server gets the same unmeasured 3 s of load first, so no row measures a cold JIT. */
const warmUp = (url: string, db: BenchDatabase) =>
  wrk(url, db.fleet, { style: "wire", connections: CONNECTIONS, seconds: 3 });

async function ingest(db: BenchDatabase) {
  let pgbenchTps = Number.NaN;
  if (db.url) {
    pgbenchTps = pgbench(db, 16, SECONDS);
    rows.push({ name: "pgbench: same UPDATE, prepared, 16 clients", per_sec: pgbenchTps });
  }
  let bareSingle = Number.NaN;
  let bareGroup = Number.NaN;
  if (db.url) {
    for (const mode of ["single", "group"] as const) {
      const bare = await startBaseline(db, mode);
      await warmUp(bare.url, db);
      const r = await wrk(bare.url, db.fleet, { style: "wire", connections: CONNECTIONS, seconds: SECONDS });
      await bare.stop();
      if (mode === "single") bareSingle = r.rps;
      else bareGroup = r.rps;
      rows.push({
        name: `bare node:http + postgres (${mode === "single" ? "one statement per request" : "group commit"})`,
        per_sec: r.rps,
        p50_ms: r.p50,
        p99_ms: r.p99,
        errors: r.errors,
        vs_pgbench: ratio(r.rps, pgbenchTps),
      });
    }
  }
  const server = await startMolecule(db, { OFFLINE_AFTER_MS: String(10 * 60_000) });
  const rssStart = server.rssKiB();
  await warmUp(server.url, db);
  for (const style of ["wire", "trpc"] as const) {
    const r = await wrk(server.url, db.fleet, { style, connections: CONNECTIONS, seconds: SECONDS });
    rows.push({
      name: `Molecule ${style === "wire" ? "POST /registry/heartbeat" : "tRPC registry.heartbeat"}`,
      per_sec: r.rps,
      p50_ms: r.p50,
      p99_ms: r.p99,
      errors: r.errors,
      vs_pgbench: ratio(r.rps, pgbenchTps),
      vs_bare_single: ratio(r.rps, bareSingle),
      vs_bare_group: ratio(r.rps, bareGroup),
    });
  }
  extra.serverRssKiB = { start: rssStart, afterIngest: server.rssKiB() };
  await server.stop();
}

async function fanout(db: BenchDatabase) {
  const server = await startMolecule(db, { OFFLINE_AFTER_MS: String(10 * 60_000) });
  const subs = await startSubscribers(server, SUBSCRIBERS, { PAYLOADS: "1" });
  // The background load: every workspace but the first 100 heartbeats on its own schedule from
  // the paced agents' process, spread so the fleet makes FANOUT_RATE heartbeats/s in all.
  const loadFleet = db.fleet.slice(100);
  const agents = await startAgents(server.url, loadFleet, {
    intervalMs: Math.round((loadFleet.length * 1000) / FANOUT_RATE),
  });
  await sleep(2_000);
  await serverLoopLag(server); // resets the server's lag histogram: the figure covers the probes
  const probes = db.fleet.slice(0, FANOUT_PROBES);
  // Each probe is a live agent, as the one whose status changes is: it has heartbeated (healthy)
  // before its wedged heartbeat, so the server knows its status.
  for (const probe of probes) await (await postHeartbeat(server.url, probe, {})).arrayBuffer();
  // One unmeasured wedge first (another workspace), so no probe measures a cold JIT: the first
  // status change of a process compiles its whole path.
  const warm = db.fleet[FANOUT_PROBES]!;
  await (await postHeartbeat(server.url, warm, {})).arrayBuffer();
  await (await postHeartbeat(server.url, warm, { runtime_state: "wedged" })).arrayBuffer();
  await sleep(500);
  const from = await agents.count();
  const probesFrom = Date.now() - server.startedAt;
  const latencies: number[] = [];
  // Where each wedge's time went: request → the event's transaction start (the event's `at`,
  // database clock, same machine), → the probe's response, → the first and the last subscriber.
  const toEventAt: number[] = [];
  const toResponse: number[] = [];
  const toFirst: number[] = [];
  const firstToLast: number[] = [];
  const perProbe: [number, number][] = [];
  let missing = 0;
  for (const probe of probes) {
    const sentAt = Date.now();
    const res = await postHeartbeat(server.url, probe, {
      runtime_state: "wedged",
      sample_error: "bench wedge",
    });
    await res.arrayBuffer();
    toResponse.push(Date.now() - sentAt);
    const deadline = Date.now() + 5_000;
    let got: typeof subs.received = [];
    while (Date.now() < deadline) {
      got = subs.received.filter((e) => e.workspaceId === probe.id && e.type === "WORKSPACE_DEGRADED");
      if (got.length >= SUBSCRIBERS) break;
      await sleep(5);
    }
    missing += SUBSCRIBERS - got.length;
    const times = got.map((e) => e.at - sentAt).sort((a, b) => a - b);
    latencies.push(...times);
    if (got[0]?.eventAt) toEventAt.push(Date.parse(got[0].eventAt) - sentAt);
    if (times.length) {
      perProbe.push([times[0]!, times[times.length - 1]!]);
      toFirst.push(times[0]!);
      firstToLast.push(times[times.length - 1]! - times[0]!);
    }
    await sleep(100);
  }
  const to = await agents.count();
  const serverLag = await serverLoopLag(server);
  const profileWindowMs = `${probesFrom}-${Date.now() - server.startedAt}`;
  const load = rateBetween(from, to);
  const loadStats = agents.stats();
  await agents.stop();
  latencies.sort((a, b) => a - b);
  const short = load.okPerSec < 0.9 * FANOUT_RATE;
  rows.push({
    name: `status change → ${SUBSCRIBERS} subscribers, under ${load.okPerSec}/s heartbeats (target ${FANOUT_RATE}/s${short ? ", NOT REACHED: under 90 %" : ""})`,
    per_sec: load.okPerSec,
    p50_ms: pct(latencies, 50),
    p99_ms: pct(latencies, 99),
    errors: missing,
  });
  await subs.stop();
  const median = (values: number[]) =>
    pct(
      [...values].sort((a, b) => a - b),
      50,
    );
  extra.fanout = {
    load: {
      target: FANOUT_RATE,
      sentPerSec: load.sentPerSec,
      answeredPerSec: load.okPerSec,
      reached: !short,
      answerP99Ms: loadStats?.answer.p99Ms ?? null,
      skippedBusy: loadStats?.skippedBusy ?? null,
      maxLateMs: loadStats?.maxLateMs ?? null,
    },
    // Medians over the probes, ms from the wedged heartbeat's send.
    phasesMs: {
      toEventTransaction: median(toEventAt),
      toProbeResponse: median(toResponse),
      toFirstSubscriber: median(toFirst),
      firstToLastSubscriber: median(firstToLast),
      maxFirstToLastSubscriber: pct(
        [...firstToLast].sort((a, b) => a - b),
        100,
      ),
    },
    // Per probe, in order: ms to the first and to the last subscriber.
    probesMs: perProbe,
    serverLoopLagMs: serverLag,
    // With BENCH_CPU_PROF_DIR: the probes' window in the server's profile (lib/cpuprofile.ts).
    profileWindowMs,
    subscriberLoopDelayMs: subs.loopDelayMs(),
    telemetryMessagesPerSubscriber: +(subs.telemetry() / SUBSCRIBERS).toFixed(1),
  };
  extra.serverRssKiBAfterFanout = server.rssKiB();
  await server.stop();
}

/** One wire heartbeat of `agent` (healthy unless `body` says otherwise). */
function postHeartbeat(url: string, agent: { id: string; token: string }, body: Record<string, unknown>) {
  return fetch(`${url}/registry/heartbeat`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${agent.token}` },
    body: JSON.stringify({ workspace_id: agent.id, ...body }),
  });
}

/**
 * How late the server's event loop ran since the last call (prom-client's default metrics, which
 * reset the histogram on every scrape), in ms.
 */
async function serverLoopLag(server: { url: string }) {
  const res = await fetch(`${server.url}/api/metrics`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  const text = await res.text();
  const value = (name: string) => {
    const m = new RegExp(`^nodejs_eventloop_lag_${name}_seconds ([\\d.e+-]+)$`, "m").exec(text);
    return m ? +(Number(m[1]) * 1000).toFixed(1) : null;
  };
  return { p50: value("p50"), p99: value("p99"), max: value("max") };
}

async function silence(db: BenchDatabase) {
  if (!db.url) return; // the lock probe needs a second connection: Postgres only
  const server = await startMolecule(db, {
    OFFLINE_AFTER_MS: String(OFFLINE_AFTER_MS),
    SWEEP_INTERVAL_MS: "500",
  });
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  try {
    await sql`update workspaces set status = 'online', last_heartbeat_at = now() where id like 'bench-%'`;
    const eventsBefore = Number(
      (await sql`select count(*)::int as n from workspace_events where type = 'WORKSPACE_OFFLINE'`)[0]!.n,
    );
    const silentAt = Date.now();
    // Another writer of events, as it sees the sweep: how long it waits for the event-log lock.
    const waits: number[] = [];
    let allOffline = 0;
    while (Date.now() - silentAt < OFFLINE_AFTER_MS + 30_000) {
      const t0 = performance.now();
      await sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(${EVENT_LOG_LOCK})`;
      });
      waits.push(performance.now() - t0);
      const [row] =
        await sql`select count(*)::int as n from workspaces where id like 'bench-%' and status <> 'offline'`;
      if (row!.n === 0) {
        allOffline = Date.now() - silentAt;
        break;
      }
      await sleep(10);
    }
    const events =
      Number(
        (await sql`select count(*)::int as n from workspace_events where type = 'WORKSPACE_OFFLINE'`)[0]!.n,
      ) - eventsBefore;
    waits.sort((a, b) => a - b);
    rows.push({
      name: `${db.fleet.length} silent at once → all offline (OFFLINE_AFTER_MS ${OFFLINE_AFTER_MS})`,
      total_ms: allOffline || "not all",
      over_threshold_ms: allOffline ? allOffline - OFFLINE_AFTER_MS : "—",
      events,
      lock_wait_max_ms: +pct(waits, 100).toFixed(1),
      lock_wait_p99_ms: +pct(waits, 99).toFixed(1),
    });
  } finally {
    await sql.end();
    await server.stop();
  }
}

const loadAtStart = loadavg().map((l) => +l.toFixed(2));
try {
  const db = await freshDatabase(WORKSPACES);
  console.log(
    `[bench] ${db.kind}, ${WORKSPACES} workspaces, ${CONNECTIONS} connections, ${SECONDS} s per run`,
  );
  if (ONLY.has("ingest")) await ingest(db);
  if (ONLY.has("fanout")) await fanout(db);
  if (ONLY.has("silence")) await silence(db);
  const result = {
    at: new Date().toISOString(),
    database: db.kind,
    node: process.version,
    params: {
      WORKSPACES,
      SECONDS,
      CONNECTIONS,
      SUBSCRIBERS,
      OFFLINE_AFTER_MS,
      FANOUT_RATE,
      FANOUT_PROBES,
      FLEET_ONLY: [...ONLY].join(","),
    },
    // The machine is shared: 1/5/15-minute load averages at the start and the end of the run.
    loadAverage: { start: loadAtStart, end: loadavg().map((l) => +l.toFixed(2)) },
    rows,
    extra,
  };
  console.table(rows);
  console.log(JSON.stringify(extra, null, 2));
  console.log("load average (1/5/15 min) start", result.loadAverage.start, "end", result.loadAverage.end);
  const dir = join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `fleet-${db.kind}-${result.at.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${file}`);
} finally {
  await cleanup();
}
