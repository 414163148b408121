import { rowsOf, sql } from "@molecule/db";
import { metricsOf } from "./metrics";
import type { Services } from "./services";

/** Rows one delete statement removes at most; the next chunk follows at once. */
export const RETENTION_CHUNK = 5_000;
// Held by the instance that is pruning, so two instances do not delete the same rows at once.
const RETENTION_LOCK = 7_312_003;

type Db = Pick<Services, "handle" | "config">;

export interface RetentionReport {
  deleted: number;
  /** Another server instance was pruning: this one left it to them. */
  skipped: boolean;
}

/**
 * Deletes persisted events older than config.eventRetentionMs (SPEC §6 [r2]), in chunks of
 * `chunk` rows, each its own short transaction.
 *
 * What is deleted is always a prefix of the log by id: the leading run of events older than the
 * cutoff, stopping at the first kept one (an event's `at` is its transaction's start, so ids and
 * times can disagree by milliseconds; deleting by time alone could leave a hole in the middle).
 * A prefix is what the resume check in events.onEvent relies on: "the oldest kept id is past the
 * one I need" is then the same as "something I need was deleted". The newest event is never
 * deleted, so that check still has an oldest id after a long quiet spell.
 *
 * It does not take the event-log lock (events.ts): that lock orders the commits of new ids at
 * the end of the log, and deleting rows at the start neither hands out ids nor touches rows an
 * append writes, so appends are never blocked by it. Readers replaying the log see a snapshot.
 */
export async function pruneEvents(
  services: Db,
  { chunk = RETENTION_CHUNK, stopped = () => false }: { chunk?: number; stopped?: () => boolean } = {},
): Promise<RetentionReport> {
  const report: RetentionReport = { deleted: 0, skipped: false };
  const keepMs = services.config.eventRetentionMs;
  while (!stopped()) {
    const n = await services.handle.db.transaction(async (tx) => {
      const [lock] = rowsOf<{ ok: boolean }>(
        await tx.execute(sql`select pg_try_advisory_xact_lock(${RETENTION_LOCK}) as ok`),
      );
      if (!lock?.ok) return null;
      const result = await tx.execute(sql`
        with head as (
          select id, at from workspace_events order by id limit ${Math.trunc(chunk)}::int
        ),
        keep_from as (
          select coalesce(
            (select min(id) from head where at >= now() - ${keepMs}::float8 * interval '1 millisecond'),
            (select max(id) from workspace_events)
          ) as id
        ),
        gone as (
          delete from workspace_events e
          where e.id in (select id from head) and e.id < (select id from keep_from)
          returning 1
        )
        select count(*)::int as n from gone`);
      return rowsOf<{ n: number }>(result)[0]?.n ?? 0;
    });
    if (n === null) {
      report.skipped = true;
      break;
    }
    report.deleted += n;
    if (n > 0) metricsOf(services.handle.db)?.eventsDeleted.inc(n);
    if (n < chunk) break;
  }
  return report;
}

export interface RetentionJob {
  /** One pass now (also what the timer runs); passes never overlap. */
  run(): Promise<RetentionReport>;
  stop(): Promise<void>;
}

/** The retention pass once at start, then every config.eventRetentionIntervalMs. */
export function startEventRetention(
  services: Db,
  log: (message: string, error?: unknown) => void,
): RetentionJob {
  let running: Promise<RetentionReport> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const run = () => {
    running ??= pruneEvents(services, { stopped: () => stopped })
      .catch((error): RetentionReport => {
        // The database may be down for a while: the next pass tries again.
        log("event retention pass failed", error);
        return { deleted: 0, skipped: false };
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        timer = null;
        void run().finally(schedule);
        // setTimeout fires at once for delays past 2^31 - 1 ms (~24.8 days).
      },
      Math.min(services.config.eventRetentionIntervalMs, 2 ** 31 - 1),
    );
    timer.unref?.();
  };
  void run().finally(schedule);
  return {
    run,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
