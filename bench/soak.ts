/**
 * The soak (issue 10, item 3): the production server with WORKSPACES (10,000) external
 * workspaces heartbeating on the wire protocol at a compressed interval, for SOAK_MINUTES (10),
 * with a few agents misbehaving on a schedule and one subscribed canvas that drops its stream
 * and resumes by lastEventId every RESUME_EVERY_MS. Retention runs with a short window
 * (SOAK_RETENTION_MS) so the event table stays bounded during the run.
 *
 * Processes: the server (apps/server/dist/main.mjs), the agents (lib/paced-agents.mjs), the
 * subscriber (lib/subscribers.mjs); this process only schedules faults and checks the truth.
 * Postgres only (the checks read workspace_events from a second connection).
 *
 * Truth checks (exit 1 if any fails): no offline for a workspace that was heartbeating, no other
 * status event for an agent that did nothing, every persisted event reached the subscriber once,
 * no RESYNC, every wedge shown as degraded with its sample error, every silence shown offline and
 * back online. Figures: time to each true status against the targets, heartbeat rate,
 * server RSS and event table size at start and end.
 *
 *   DATABASE_URL=postgres://… pnpm --filter @molecule/bench bench:soak    (SOAK_MINUTES=2 to shorten)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { startAgents } from "./lib/agents";
import {
  ADMIN_TOKEN,
  cleanup,
  freshDatabase,
  onCleanup,
  type ReceivedEvent,
  sleep,
  startMolecule,
  startSubscribers,
} from "./lib/harness";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const WORKSPACES = Number(process.env.WORKSPACES ?? 10_000);
const INTERVAL_MS = Number(process.env.SOAK_INTERVAL_MS ?? 5_000);
const OFFLINE_AFTER_MS = Number(process.env.SOAK_OFFLINE_AFTER_MS ?? 3 * INTERVAL_MS);
const FAULT_EVERY_MS = Number(process.env.SOAK_FAULT_EVERY_MS ?? 10_000);
const RETENTION_MS = Number(process.env.SOAK_RETENTION_MS ?? 60_000);
const RETENTION_INTERVAL_MS = Number(process.env.SOAK_RETENTION_INTERVAL_MS ?? 15_000);
const RESUME_EVERY_MS = Number(process.env.RESUME_EVERY_MS ?? 30_000);
const SWEEP_INTERVAL_MS = 500;
// The targets: a wedge within one heartbeat + 100 ms, a silence within OFFLINE_AFTER_MS + 2 s.
const WEDGE_TARGET_MS = INTERVAL_MS + 100;
const OFFLINE_TARGET_MS = OFFLINE_AFTER_MS + 2_000;
// How long a fault's true status may take before it counts as not shown: generous, the machine is
// shared (the figures say how long it really took).
const SHOWN_WITHIN_MS = 2 * INTERVAL_MS + 10_000;

type Episode =
  | {
      kind: "wedge";
      id: string;
      error: string;
      at: number;
      degradedMs: number | null;
      sampleErrorShown: boolean;
      healedAt: number | null;
      onlineMs: number | null;
    }
  | {
      kind: "silence";
      id: string;
      at: number;
      offlineMs: number | null;
      resumedAt: number | null;
      onlineMs: number | null;
    };

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : null;
};

async function main(): Promise<number> {
  if (!process.env.DATABASE_URL) {
    console.log("[soak] skipped: needs Postgres (DATABASE_URL=postgres://…) to check the event table");
    return 0;
  }
  const runMs = MINUTES * 60_000;
  const db = await freshDatabase(WORKSPACES);
  const server = await startMolecule(db, {
    HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS),
    OFFLINE_AFTER_MS: String(OFFLINE_AFTER_MS),
    SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
    EVENT_RETENTION_MS: String(RETENTION_MS),
    EVENT_RETENTION_INTERVAL_MS: String(RETENTION_INTERVAL_MS),
  });
  const sql = postgres(db.url!, { max: 2, onnotice: () => {} });
  onCleanup(() => sql.end());
  const table = async () => {
    const [row] =
      await sql`select count(*)::int as rows, pg_total_relation_size('workspace_events')::bigint as bytes,
      coalesce(max(id), 0)::text as max_id from workspace_events`;
    return { rows: Number(row!.rows), bytes: Number(row!.bytes), maxId: String(row!.max_id) };
  };

  // The fleet was heartbeating before the run (seeded online): its last heartbeat is now.
  await sql`update workspaces set last_heartbeat_at = now() where id like 'bench-%'`;
  const tableStart = await table();
  const rssStartKiB = server.rssKiB();
  let rssPeakKiB = rssStartKiB;

  const subscriber = await startSubscribers(server, 1, {
    LAST_EVENT_ID: tableStart.maxId,
    RESUME_EVERY_MS: String(RESUME_EVERY_MS),
    PAYLOADS: "1",
  });
  const agents = await startAgents(server.url, db.fleet, { intervalMs: INTERVAL_MS });
  const startedAt = Date.now();
  console.log(
    `[soak] ${WORKSPACES} agents, heartbeat every ${INTERVAL_MS} ms (~${Math.round((WORKSPACES * 1000) / INTERVAL_MS)}/s), ` +
      `OFFLINE_AFTER_MS ${OFFLINE_AFTER_MS}, ${MINUTES} min, a wedge and a silence every ${FAULT_EVERY_MS} ms`,
  );

  // The truth: every event id the table held, read every 2 s (before retention can delete it:
  // ids commit in order under the event-log lock, so reading "after the last one seen" misses none).
  const tableEvents = new Map<string, { type: string; workspaceId: string }>();
  let tableCursor = tableStart.maxId;
  const readTable = async () => {
    const rows = await sql`select id::text as id, type, workspace_id from workspace_events
      where id > ${tableCursor}::bigint order by id`;
    for (const r of rows) {
      tableEvents.set(r.id, { type: r.type, workspaceId: r.workspace_id });
      tableCursor = r.id;
    }
  };
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      await readTable().catch((error) => console.error("[soak] reading events:", error));
      rssPeakKiB = Math.max(rssPeakKiB, server.rssKiB());
      await sleep(2_000);
    }
  })();

  const waitForEvent = async (id: string, type: string, since: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = subscriber.received.find((e) => e.workspaceId === id && e.type === type && e.at >= since);
      if (hit) return hit;
      await sleep(20);
    }
    return null;
  };

  // Faulty agents are drawn from the fleet in a scattered order and never reused.
  let drawn = 0;
  const draw = () => db.fleet[(drawn++ * 7_919 + 13) % db.fleet.length]!;
  const episodes: Episode[] = [];

  async function wedge(n: number) {
    const agent = draw();
    const error = `soak wedge ${n}: tool loop stuck on a lock`;
    const at = (await agents.command("wedge", agent.id, error)).at;
    const ep: Episode = {
      kind: "wedge",
      id: agent.id,
      error,
      at,
      degradedMs: null,
      sampleErrorShown: false,
      healedAt: null,
      onlineMs: null,
    };
    episodes.push(ep);
    const degraded = await waitForEvent(agent.id, "WORKSPACE_DEGRADED", at, SHOWN_WITHIN_MS);
    if (degraded) {
      ep.degradedMs = degraded.at - at;
      ep.sampleErrorShown = degraded.payload?.sampleError === error;
    }
    ep.healedAt = (await agents.command("heal", agent.id)).at;
    const online = await waitForEvent(agent.id, "WORKSPACE_ONLINE", ep.healedAt, SHOWN_WITHIN_MS);
    if (online) ep.onlineMs = online.at - ep.healedAt;
  }

  async function silence() {
    const agent = draw();
    const ack = await agents.command("silent", agent.id);
    const ep: Episode = {
      kind: "silence",
      id: agent.id,
      at: ack.at,
      offlineMs: null,
      resumedAt: null,
      onlineMs: null,
    };
    episodes.push(ep);
    const offline = await waitForEvent(agent.id, "WORKSPACE_OFFLINE", ack.at, OFFLINE_AFTER_MS + 20_000);
    if (offline) ep.offlineMs = offline.at - ack.at;
    ep.resumedAt = (await agents.command("resume", agent.id)).at;
    const online = await waitForEvent(agent.id, "WORKSPACE_ONLINE", ep.resumedAt, SHOWN_WITHIN_MS);
    if (online) ep.onlineMs = online.at - ep.resumedAt;
  }

  // New faults start until the last one can finish inside the run.
  const lastStart = startedAt + runMs - (OFFLINE_AFTER_MS + SHOWN_WITHIN_MS);
  const running: Promise<void>[] = [];
  for (let n = 1; Date.now() < lastStart; n++) {
    running.push(wedge(n), silence());
    await sleep(Math.min(FAULT_EVERY_MS, Math.max(0, lastStart - Date.now())));
  }
  await Promise.all(running);
  const left = startedAt + runMs - Date.now();
  if (left > 0) await sleep(left);

  // The run's events are those up to the table's newest id now; events keep coming while the
  // agents run, so both sides are compared up to that id. Settle: the subscriber has them all (or
  // 15 s pass).
  watching = false;
  await watcher;
  await readTable();
  const lastId = BigInt(tableCursor);
  const receivedIds = () => new Set(subscriber.received.map((e) => e.id));
  const settleBy = Date.now() + 15_000;
  while (Date.now() < settleBy && [...tableEvents.keys()].some((id) => !receivedIds().has(id)))
    await sleep(100);
  const load = agents.stats();
  await agents.stop();
  await subscriber.stop();
  const tableEnd = await table();
  const rssEndKiB = server.rssKiB();
  const metricsText = await (
    await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  ).text();
  const eventsDeleted = Number(/^molecule_events_deleted_total (\d+)/m.exec(metricsText)?.[1] ?? 0);
  const [oldest] =
    await sql`select extract(epoch from now() - min(at)) * 1000 as age_ms from workspace_events`;
  await server.stop();

  // ---- the truth -------------------------------------------------------------------------
  const received = subscriber.received.filter((e) => BigInt(e.id) <= lastId);
  const wedges = episodes.filter((e) => e.kind === "wedge");
  const silences = episodes.filter((e) => e.kind === "silence");
  const silenceWindows = new Map(silences.map((e) => [e.id, e]));
  const faulty = new Set(episodes.map((e) => e.id));
  const falseOffline = received.filter((e) => {
    if (e.type !== "WORKSPACE_OFFLINE") return false;
    const window = silenceWindows.get(e.workspaceId);
    return !window || e.at < window.at || (window.resumedAt !== null && e.at > window.resumedAt);
  });
  // An offline earlier than OFFLINE_AFTER_MS after the last heartbeat the server stored is false too.
  const earlyOffline = received.filter(
    (e: ReceivedEvent) =>
      e.type === "WORKSPACE_OFFLINE" &&
      typeof e.payload?.lastHeartbeatAt === "string" &&
      Date.parse(e.eventAt ?? "") - Date.parse(e.payload.lastHeartbeatAt) < OFFLINE_AFTER_MS,
  );
  const steadyEvents = received.filter((e) => !faulty.has(e.workspaceId));
  const ids = received.map((e) => e.id);
  const unique = new Set(ids);
  const lost = [...tableEvents.keys()].filter((id) => !unique.has(id));
  const notInTable = [...unique].filter((id) => !tableEvents.has(id));
  const duplicates = ids.length - unique.size;
  const wedgesShown = wedges.filter((e) => e.degradedMs !== null && e.sampleErrorShown).length;
  const silencesShown = silences.filter((e) => e.offlineMs !== null && e.onlineMs !== null).length;
  const wedgesHealed = wedges.filter((e) => e.onlineMs !== null).length;

  const checks = [
    {
      check: "wedges and silences injected",
      value: Math.min(wedges.length, silences.length) > 0 ? 1 : 0,
      target: 1,
    },
    { check: "false offline (offline while heartbeating)", value: falseOffline.length, target: 0 },
    { check: "offline earlier than OFFLINE_AFTER_MS", value: earlyOffline.length, target: 0 },
    { check: "status events for agents that did nothing", value: steadyEvents.length, target: 0 },
    { check: "events lost (in the table, not on the stream)", value: lost.length, target: 0 },
    { check: "events duplicated on the stream", value: duplicates, target: 0 },
    { check: "events on the stream not in the table", value: notInTable.length, target: 0 },
    { check: "RESYNC received", value: subscriber.resyncs(), target: 0 },
    { check: "wedges shown degraded with the sample error", value: wedgesShown, target: wedges.length },
    { check: "wedges healed → online", value: wedgesHealed, target: wedges.length },
    { check: "silences shown offline, then online", value: silencesShown, target: silences.length },
  ].map((c) => ({ ...c, ok: c.value === c.target }));

  const num = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null);
  const degradedMs = num(wedges.map((e) => e.degradedMs));
  // Offline latency on the database's clock: the event's time minus the last heartbeat it stored.
  const offlineMs = received
    .filter((e) => e.type === "WORKSPACE_OFFLINE" && typeof e.payload?.lastHeartbeatAt === "string")
    .map((e) => Date.parse(e.eventAt ?? "") - Date.parse(String(e.payload?.lastHeartbeatAt)));
  const onlineMs = num(episodes.map((e) => e.onlineMs));
  const timings = [
    {
      status: "wedge → degraded (from the wedge)",
      n: degradedMs.length,
      p50_ms: pct(degradedMs, 50),
      max_ms: pct(degradedMs, 100),
      target_ms: WEDGE_TARGET_MS,
      within: degradedMs.filter((x) => x <= WEDGE_TARGET_MS).length,
    },
    {
      status: "silent → offline (from its last stored heartbeat)",
      n: offlineMs.length,
      p50_ms: pct(offlineMs, 50),
      max_ms: pct(offlineMs, 100),
      target_ms: OFFLINE_TARGET_MS,
      within: offlineMs.filter((x) => x <= OFFLINE_TARGET_MS).length,
    },
    {
      status: "healed / back → online (from the command)",
      n: onlineMs.length,
      p50_ms: pct(onlineMs, 50),
      max_ms: pct(onlineMs, 100),
      target_ms: null,
      within: null,
    },
  ];
  const rates = agents.rates.slice(1); // the first window includes the start-up
  const figures = {
    heartbeatsPerSecTarget: Math.round((WORKSPACES * 1000) / INTERVAL_MS),
    heartbeatsPerSecP50: pct(rates, 50),
    heartbeatsPerSecMin: pct(rates, 0),
    heartbeatAnswerP50MsMedianOfWindows: pct(agents.answerP50s, 50),
    heartbeatAnswerWorstWindowP99Ms: load?.worstP99Ms,
    heartbeatsSent: load?.sent,
    heartbeatsOk: load?.ok,
    heartbeatsNon200: load?.byStatus,
    socketErrors: load?.socketErrors,
    heartbeatsSkippedBusy: load?.skippedBusy,
    scheduleMaxLateMs: load?.maxLateMs,
    steadyAgentMaxGapMs: load?.maxSteadyGapMs,
    streamConnections: subscriber.connections(),
    eventsPersisted: tableEvents.size,
    eventsDeletedByRetention: eventsDeleted,
    oldestKeptEventAgeMs: oldest?.age_ms === null ? null : Math.round(Number(oldest?.age_ms)),
    serverRssMiB: {
      start: +(rssStartKiB / 1024).toFixed(1),
      peak: +(rssPeakKiB / 1024).toFixed(1),
      end: +(rssEndKiB / 1024).toFixed(1),
    },
    eventTable: { start: tableStart, end: tableEnd },
  };

  console.table(checks);
  console.table(timings);
  console.log(figures);
  const result = {
    at: new Date().toISOString(),
    database: db.kind,
    node: process.version,
    params: {
      MINUTES,
      WORKSPACES,
      INTERVAL_MS,
      OFFLINE_AFTER_MS,
      SWEEP_INTERVAL_MS,
      FAULT_EVERY_MS,
      RETENTION_MS,
      RETENTION_INTERVAL_MS,
      RESUME_EVERY_MS,
    },
    checks,
    timings,
    figures,
    episodes,
    falseOffline,
    lost: lost.slice(0, 50),
    notInTable: notInTable.slice(0, 50),
  };
  const dir = join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `soak-${result.at.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${file}`);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length) console.error(`[soak] FAILED: ${failed.map((c) => c.check).join("; ")}`);
  return failed.length ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} finally {
  await cleanup();
}
process.exit(code);
