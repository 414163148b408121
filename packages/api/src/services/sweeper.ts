import { rowsOf, sql, type WorkspaceRow, workspaces } from "@molecule/db";
import { TRPCError } from "@trpc/server";
import { transition } from "../domain/status-machine";
import { casUpdate } from "./cas";
import type { Services } from "./services";

/** How many rows one tick looks at per rule; the next tick picks up the rest. */
const BATCH = 500;

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
   * Tell the sweeper the database failed somewhere else (e.g. a heartbeat could not be written):
   * silence before the next successful tick is then not counted against any workspace.
   */
  noteDbError(error?: unknown): void;
  /**
   * The heartbeat/register path calls this when a request for `workspaceId` arrives and the
   * returned function when it is done (with the error if it failed). A workspace with a request in
   * flight has been heard even if the write is stuck (e.g. the pool is reconnecting after an
   * outage), so it is not marked offline; a database failure also stops silence being counted.
   */
  hearing(workspaceId: string): (error?: unknown) => void;
  /** Database time since which this instance has heard continuously (null: not yet / outage). */
  heardSince(): Date | null;
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
type Kind = "offline" | "failed";

/** Thrown inside the transaction to roll back a sweep whose premise went stale before it wrote. */
class HeardInTime extends Error {}

/**
 * The liveness sweep (SPEC §2): online/degraded workspaces that have been silent for
 * offlineAfterMs go offline; provisioning ones that did not register within provisionTimeoutMs
 * fail. Safe in every server instance at once: each change is a compare-and-set with its event
 * (casUpdate + the pure status machine), so concurrent sweeps write one transition and one event.
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

  const inFlight = new Map<string, number>();
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
    const offlineCutoff = new Date(found.now.getTime() - offlineAfterMs);
    const provisionCutoff = new Date(found.now.getTime() - provisionTimeoutMs);
    const candidates = found.candidates;

    for (const candidate of candidates) {
      if (stopped) break;
      try {
        const done =
          candidate.kind === "offline"
            ? await markOffline(services, candidate.id, offlineCutoff, (id) => inFlight.has(id))
            : await markFailed(services, candidate.id, provisionCutoff, provisionTimeoutMs);
        if (done) report[candidate.kind].push(candidate.id);
      } catch (error) {
        if (error instanceof TRPCError) {
          log(`could not sweep workspace ${candidate.id}: ${error.message}`);
          continue;
        }
        lostHearing(error);
        report.skipped = "db_error";
        return report;
      }
    }
    lastOkAt = performance.now();
    return report;
  }

  function tick(): Promise<SweepReport> {
    // Ticks never overlap: a manual tick during a timer tick waits for it, then runs.
    const previous = running ?? Promise.resolve(null);
    const next = previous.then(() =>
      sweepOnce().catch((error): SweepReport => {
        lostHearing(error);
        return { offline: [], failed: [], skipped: "db_error" };
      }),
    );
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
    noteDbError(error) {
      lostHearing(error);
    },
    heardSince: () => heardSince,
    hearing(workspaceId) {
      inFlight.set(workspaceId, (inFlight.get(workspaceId) ?? 0) + 1);
      let done = false;
      return (error) => {
        if (done) return;
        done = true;
        const left = (inFlight.get(workspaceId) ?? 1) - 1;
        if (left > 0) inFlight.set(workspaceId, left);
        else inFlight.delete(workspaceId);
        // Client errors (bad token, bad input) say nothing about the database.
        if (error !== undefined && !(error instanceof TRPCError && error.code !== "INTERNAL_SERVER_ERROR"))
          lostHearing(error);
      };
    },
  };
}

interface Found {
  /** The database's clock at the query. */
  now: Date;
  candidates: { id: string; kind: Kind }[];
}

/**
 * One statement is both the health probe and the candidate search: it reads the database clock
 * and touches the table (so a lock, a permission problem or a dead connection fails the probe
 * too), and each arm is served by its partial index (workspaces_live_heartbeat_idx,
 * workspaces_provisioning_idx). Only silence since `since` counts (null: since this statement):
 *   now() - greatest(last_heartbeat_at, since) > offlineAfterMs
 * written as two conditions so the index on last_heartbeat_at is usable. Status literals, not
 * parameters, so the planner can match the partial index predicates.
 */
async function findCandidates(services: Db, since: Date | null): Promise<Found> {
  const { offlineAfterMs, provisionTimeoutMs } = services.config;
  const heard = sql`coalesce(${since?.toISOString() ?? null}::timestamptz, now())`;
  const offlineCutoff = sql`now() - ${offlineAfterMs}::float8 * interval '1 millisecond'`;
  const provisionCutoff = sql`now() - ${provisionTimeoutMs}::float8 * interval '1 millisecond'`;
  const result = await services.handle.db.execute(sql`
    select now() as now, null::text as id, null::text as kind
    union all
    (select now(), ${workspaces.id}, 'offline' from ${workspaces}
      where ${workspaces.status} in ('online', 'degraded')
        and (${workspaces.lastHeartbeatAt} < ${offlineCutoff}
          or (${workspaces.lastHeartbeatAt} is null and ${workspaces.statusChangedAt} < ${offlineCutoff}))
        and ${heard} < ${offlineCutoff}
      limit ${BATCH}::int)
    union all
    (select now(), ${workspaces.id}, 'failed' from ${workspaces}
      where ${workspaces.status} = 'provisioning'
        and ${workspaces.statusChangedAt} < ${provisionCutoff}
        and ${heard} < ${provisionCutoff}
      limit ${BATCH}::int)`);
  const rows = rowsOf<{ now: string | Date; id: string | null; kind: Kind | null }>(result);
  const candidates: { id: string; kind: Kind }[] = [];
  for (const row of rows) if (row.id && row.kind) candidates.push({ id: row.id, kind: row.kind });
  return { now: new Date(rows[0]!.now), candidates };
}

const silentSince = (row: WorkspaceRow) => row.lastHeartbeatAt ?? row.statusChangedAt;

/** online/degraded → offline, if the row is still silent when the write happens. */
async function markOffline(
  services: Db,
  id: string,
  cutoff: Date,
  beingHeard: (id: string) => boolean,
): Promise<boolean> {
  try {
    const result = await casUpdate(services.handle.db, id, (row) => {
      if (silentSince(row) >= cutoff || beingHeard(id)) return null;
      const change = transition(row.status, {
        kind: "silence",
        lastHeartbeatAt: row.lastHeartbeatAt?.toISOString() ?? null,
      });
      if (!change) return null;
      return {
        transition: change,
        // The compare-and-set checks the status only; a heartbeat that landed between our read
        // and our write keeps the status `online` but refreshes last_heartbeat_at. The UPDATE
        // returns the row as committed, so check it there and roll back (no event) if it spoke.
        inTransaction: async (_tx, after) => {
          if (silentSince(after) >= cutoff || beingHeard(id)) throw new HeardInTime();
        },
      };
    });
    return result?.transition != null;
  } catch (error) {
    if (error instanceof HeardInTime) return false;
    throw error;
  }
}

/** provisioning → failed, if it is still the same wait that started before the cutoff. */
async function markFailed(services: Db, id: string, cutoff: Date, timeoutMs: number): Promise<boolean> {
  const reason = `did not register within ${formatDuration(timeoutMs)}`;
  const result = await casUpdate(services.handle.db, id, (row) => {
    if (row.statusChangedAt >= cutoff) return null;
    const change = transition(row.status, { kind: "provision_failed", reason });
    return change ? { transition: change } : null;
  });
  return result?.transition != null;
}

/** "120 s", or "400 ms" for the short timeouts tests use. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
