import type { WorkspaceStatus } from "@molecule/contracts";
import { rowsOf, type SQL, sql } from "@molecule/db";
import { TRPCError } from "@trpc/server";
import { transition } from "../domain/status-machine";
import { casUpdate } from "./cas";
import { EVENTS_CHANNEL, envelopeJsonSql, isoSql, withEventLogLocked } from "./events";
import { metricsOf } from "./metrics";
import type { Services } from "./services";

/** How many provisioning rows one tick looks at; the next tick picks up the rest. */
const BATCH = 500;
/**
 * The offline pass writes silent workspaces in chunks, each one transaction holding the event-log
 * lock; the chunk size adapts so that each takes about CHUNK_TARGET_MS (SPEC §10: the sweep never
 * holds the event log for more than 100 ms at a time).
 */
const CHUNK_TARGET_MS = 40;
const MIN_CHUNK = 50;
const MAX_CHUNK = 2_000;

export interface SweepReport {
  /** Workspaces this tick moved to offline / failed. */
  offline: string[];
  failed: string[];
  /** Why nothing was judged this tick, if so ("db_error": the database did not answer). */
  skipped: "db_error" | null;
}

export interface Sweeper {
  /** One sweep now (also what the timer runs). Never throws; ticks never overlap. */
  tick(): Promise<SweepReport>;
  /** Stops the timer and waits for a running tick. */
  stop(): Promise<void>;
  /**
   * The heartbeat/register path calls this when a request for `workspaceId` arrives and the
   * returned function when it is done. A workspace with a request in flight has been heard even if
   * the write is stuck (e.g. the pool is reconnecting after an outage), so it is not marked
   * offline. Whether the database is down is decided by the sweep's own queries only (SPEC §2
   * [r2]): one request's database error — maybe its own bad input — never stops liveness for all.
   */
  hearing(workspaceId: string): (error?: unknown) => void;
  /** Database time since which this instance has heard continuously (null: not yet / outage). */
  heardSince(): Date | null;
  /** How long the last offline chunk held the event-log lock, in ms (metrics, benchmarks). */
  lastChunkMs(): number;
}

export interface SweeperOptions {
  /** Run ticks on a timer every config.sweepIntervalMs (default true; tests may drive tick()). */
  timer?: boolean;
  /**
   * A gap between two successful ticks longer than this means this process was not listening
   * (event loop stalled, process suspended, tick hung on the database): silence is counted again
   * from the end of the gap. Default max(offlineAfterMs / 2, 5 × sweepIntervalMs).
   */
  maxGapMs?: number;
  log?: (message: string, error?: unknown) => void;
}

type Db = Pick<Services, "handle" | "config">;

/**
 * The liveness sweep (SPEC §2): online/degraded workspaces that have been silent for
 * offlineAfterMs go offline; provisioning ones that did not register within provisionTimeoutMs
 * fail. Safe in every server instance at once: the offline pass is a set-based compare-and-set on
 * the status with the events in the same statement (markOfflineChunk), the provisioning pass goes
 * through casUpdate and the pure status machine, so concurrent sweeps write one transition and
 * one event per workspace.
 *
 * Silence is measured on the database clock, and only silence this instance was able to hear
 * counts: `heardSince` is the database time since which our own database access has worked
 * without a break. A workspace goes offline only when
 *   now() - greatest(last_heartbeat_at, heardSince) > offlineAfterMs
 * so a database outage (heartbeats failing to be written) never turns into a fleet-wide
 * "offline" when the database comes back: the agents get a full offlineAfterMs to be heard again.
 */
export function startSweeper(services: Db, options: SweeperOptions = {}): Sweeper {
  const { offlineAfterMs, provisionTimeoutMs, sweepIntervalMs } = services.config;
  const maxGapMs = options.maxGapMs ?? Math.max(offlineAfterMs / 2, 5 * sweepIntervalMs);
  const log = options.log ?? ((message, error) => console.error(`[sweeper] ${message}`, error ?? ""));

  let heardSince: Date | null = null;
  let lastOkAt = 0; // performance.now() at the end of the last successful tick
  let failing = false;
  let running: Promise<SweepReport> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let chunk = 500;
  let lastChunkMs = 0;

  const inFlight = new Map<string, number>();
  // Workspaces whose heartbeat arrived but could not be written because of the database (not the
  // caller): they were heard, so that one workspace is not silent while the pool recovers. Only
  // that workspace: one request's failure never stops liveness for the others (SPEC §2 [r2]).
  const heardButUnwritten = new Map<string, number>();
  const beingHeard = () => {
    const since = Date.now() - offlineAfterMs;
    for (const [id, at] of heardButUnwritten) if (at < since) heardButUnwritten.delete(id);
    return [...new Set([...inFlight.keys(), ...heardButUnwritten.keys()])];
  };
  const lostHearing = (error: unknown) => {
    heardSince = null;
    if (!failing) log("database unreachable; silence is not counted until it answers again", error);
    failing = true;
  };

  async function sweepOnce(): Promise<SweepReport> {
    const report: SweepReport = { offline: [], failed: [], skipped: null };
    const startedAt = performance.now();
    // After an outage, or a gap in which this process did not run, listening starts afresh.
    const since = heardSince !== null && startedAt - lastOkAt <= maxGapMs ? heardSince : null;
    let found: Found;
    try {
      found = await findCandidates(services, since);
    } catch (error) {
      lostHearing(error);
      report.skipped = "db_error";
      return report;
    }
    // A tick that hung on the database (locks, a dying connection) heard nothing meanwhile.
    if (performance.now() - startedAt > maxGapMs) {
      heardSince = null;
      report.skipped = "db_error";
      return report;
    }
    if (failing) log("database answers again; counting silence from now");
    failing = false;
    heardSince = since ?? found.now;
    const provisionCutoff = new Date(found.now.getTime() - provisionTimeoutMs);

    try {
      // Silent online/degraded workspaces go offline in chunks, each one statement (see below),
      // until a chunk finds nobody left.
      while (found.silent && !stopped) {
        const chunkStarted = performance.now();
        const went = await markOfflineChunk(services, heardSince, chunk, beingHeard());
        const took = performance.now() - chunkStarted;
        lastChunkMs = took;
        const ids = went.map((w) => w.id);
        report.offline.push(...ids);
        countOffline(services, went, took);
        // Keep each chunk's hold on the event log short (SPEC §10: ≤ 100 ms at a time).
        chunk = took > CHUNK_TARGET_MS ? Math.max(MIN_CHUNK, chunk >> 1) : Math.min(MAX_CHUNK, chunk * 2);
        if (ids.length === 0) break;
      }
      for (const id of found.provisioning) {
        if (stopped) break;
        try {
          const next = await markFailed(services, id, provisionCutoff, provisionTimeoutMs);
          if (next === "failed") report.failed.push(id);
        } catch (error) {
          if (!(error instanceof TRPCError)) throw error;
          log(`could not sweep workspace ${id}: ${error.message}`);
        }
      }
    } catch (error) {
      lostHearing(error);
      report.skipped = "db_error";
      return report;
    }
    lastOkAt = performance.now();
    return report;
  }

  function tick(): Promise<SweepReport> {
    // Ticks never overlap: a manual tick during a timer tick waits for it, then runs.
    const previous = running ?? Promise.resolve(null);
    const next = previous.then(() => {
      const started = performance.now();
      return sweepOnce()
        .catch((error): SweepReport => {
          lostHearing(error);
          return { offline: [], failed: [], skipped: "db_error" };
        })
        .finally(() =>
          metricsOf(services.handle.db)?.sweepDuration.observe((performance.now() - started) / 1000),
        );
    });
    running = next;
    void next.finally(() => {
      if (running === next) running = null;
    });
    return next;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void tick().finally(schedule);
    }, sweepIntervalMs);
    timer.unref?.();
  };
  if (options.timer !== false) schedule();

  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      // A tick stuck on a dead connection must not hang shutdown; its result no longer matters.
      const waited = new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
      await Promise.race([running?.catch(() => {}), waited]);
    },
    heardSince: () => heardSince,
    lastChunkMs: () => lastChunkMs,
    hearing(workspaceId) {
      inFlight.set(workspaceId, (inFlight.get(workspaceId) ?? 0) + 1);
      let done = false;
      return (error) => {
        if (done) return;
        done = true;
        const left = (inFlight.get(workspaceId) ?? 1) - 1;
        if (left > 0) inFlight.set(workspaceId, left);
        else inFlight.delete(workspaceId);
        // A client error (bad token, bad input) is no sign of life; a database failure is.
        if (error !== undefined && !(error instanceof TRPCError && error.code !== "INTERNAL_SERVER_ERROR"))
          heardButUnwritten.set(workspaceId, Date.now());
      };
    },
  };
}

interface Found {
  /** The database's clock at the query. */
  now: Date;
  /** Whether some online/degraded workspace is silent past the cutoff (the offline pass runs). */
  silent: boolean;
  /** Provisioning workspaces past the provision timeout. */
  provisioning: string[];
}

/**
 * The silence test of one row (alias w), on the database clock: only silence since `heard` counts,
 *   now() - greatest(last_heartbeat_at, heard) > offlineAfterMs
 * written as separate conditions so the index on last_heartbeat_at is usable. Status literals,
 * not parameters, so the planner can match the partial index predicate.
 */
function silent(heard: SQL, offlineAfterMs: number): SQL {
  const cutoff = sql`now() - ${offlineAfterMs}::float8 * interval '1 millisecond'`;
  return sql`w.status in ('online', 'degraded')
    and (w.last_heartbeat_at < ${cutoff}
      or (w.last_heartbeat_at is null and w.status_changed_at < ${cutoff}))
    and ${heard} < ${cutoff}`;
}

/**
 * One statement is both the health probe and the candidate search: it reads the database clock
 * and touches the table (so a lock, a permission problem or a dead connection fails the probe
 * too). Each arm is served by its partial index (workspaces_live_heartbeat_idx,
 * workspaces_provisioning_idx).
 */
async function findCandidates(services: Db, since: Date | null): Promise<Found> {
  const { offlineAfterMs, provisionTimeoutMs } = services.config;
  const heard = sql`coalesce(${since?.toISOString() ?? null}::timestamptz, now())`;
  const provisionCutoff = sql`now() - ${provisionTimeoutMs}::float8 * interval '1 millisecond'`;
  const result = await services.handle.db.execute(sql`
    select now() as now,
      exists (select 1 from workspaces w where ${silent(heard, offlineAfterMs)}) as silent,
      array(select w.id from workspaces w
        where w.status = 'provisioning' and w.status_changed_at < ${provisionCutoff}
          and ${heard} < ${provisionCutoff}
        limit ${BATCH}::int) as provisioning`);
  const row = rowsOf<{ now: Date | string; silent: boolean; provisioning: string[] | null }>(result)[0]!;
  return { now: new Date(row.now), silent: row.silent, provisioning: row.provisioning ?? [] };
}

/** A timestamptz as JavaScript's toISOString() writes it (UTC, milliseconds, "Z"). */

/**
 * online/degraded → offline for up to `limit` silent workspaces, set-based: one transaction that
 * takes the event-log lock, then ONE statement that picks the silent rows (re-checked on their
 * latest version under the row lock), writes their status and their WORKSPACE_OFFLINE events and
 * NOTIFYs them like any persisted event (events.ts), so listeners see them only if it commits.
 * The status condition is the compare-and-set: a workspace another sweep already took offline is
 * not silent-online any more, so concurrent sweeps write one event per workspace.
 */
async function markOfflineChunk(
  services: Db,
  heardSince: Date | null,
  limit: number,
  beingHeard: string[],
): Promise<{ id: string; was: string }[]> {
  const heard = sql`${(heardSince ?? new Date()).toISOString()}::timestamptz`;
  return withEventLogLocked(services.handle.db, async (tx) => {
    const result = await tx.execute(sql`
      with candidates as (
        select w.id, w.status from workspaces w
        where ${silent(heard, services.config.offlineAfterMs)}
          and w.id not in (select json_array_elements_text(${JSON.stringify(beingHeard)}::json))
        limit ${Math.trunc(limit)}::int
        -- A row a heartbeat is writing right now is skipped, never waited for: that heartbeat is
        -- a sign of life, and the sweep must not hold the event log while it waits.
        for update skip locked
      ),
      went as (
        update workspaces w
        set status = 'offline', status_changed_at = now(), updated_at = now(), status_reason = null
        from candidates c
        where w.id = c.id
        returning w.id, w.last_heartbeat_at, c.status as was
      ),
      events as (
        insert into workspace_events (workspace_id, type, payload)
        select id, 'WORKSPACE_OFFLINE', jsonb_build_object('lastHeartbeatAt', ${isoSql(sql`last_heartbeat_at`)})
        from went
        order by id
        returning id, workspace_id, type, payload, at
      )
      select e.workspace_id as id, g.was, pg_notify(${EVENTS_CHANNEL}, ${envelopeJsonSql("e")}::text)
      from events e join went g on g.id = e.workspace_id`);
    return rowsOf<{ id: string; was: string }>(result);
  });
}

/** The offline chunk's transitions, by the status each workspace had (one increment per status). */
function countOffline(services: Db, went: { was: string }[], tookMs: number) {
  const metrics = metricsOf(services.handle.db);
  if (!metrics) return;
  metrics.offlineChunkLock.set(tookMs / 1000);
  const byStatus = new Map<string, number>();
  for (const w of went) byStatus.set(w.was, (byStatus.get(w.was) ?? 0) + 1);
  for (const [from, n] of byStatus) metrics.transitions.inc({ from, to: "offline" }, n);
}

/**
 * provisioning → failed, if it is still the same wait that started before the cutoff. An external
 * workspace whose restart was never acknowledged but which kept heartbeating goes back to what its
 * latest heartbeat says instead (SPEC §2 [r2]): the agent kept running without restarting.
 */
async function markFailed(
  services: Db,
  id: string,
  cutoff: Date,
  timeoutMs: number,
): Promise<WorkspaceStatus | null> {
  const reason = `did not register within ${formatDuration(timeoutMs)}`;
  const result = await casUpdate(services.handle.db, id, (row) => {
    if (row.statusChangedAt >= cutoff) return null;
    const stillHeard =
      row.pendingRestart &&
      row.lastHeartbeatAt !== null &&
      row.lastHeartbeatAt > row.statusChangedAt &&
      Date.now() - row.lastHeartbeatAt.getTime() < services.config.offlineAfterMs;
    const change = stillHeard
      ? transition(row.status, {
          kind: "restart_unacknowledged",
          errorRate: row.lastErrorRate,
          runtimeState: row.runtimeState,
          sampleError: row.lastSampleError,
        })
      : transition(row.status, { kind: "provision_failed", reason });
    if (!change) return null;
    return { transition: change, set: stillHeard ? { pendingRestart: false } : {} };
  });
  return result?.transition?.next ?? null;
}

/** "120 s", or "400 ms" for the short timeouts tests use. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
