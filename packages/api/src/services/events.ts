import type { EventEnvelope, PersistedEventType } from "@molecule/contracts";
import {
  and,
  asc,
  type Database,
  desc,
  type EventRow,
  gt,
  lt,
  type SQL,
  sql,
  workspaceEvents,
} from "@molecule/db";

/** The Postgres channel every server instance LISTENs on (SPEC §6). */
export const EVENTS_CHANNEL = "molecule_events";
// NOTIFY payloads must stay under 8,000 bytes; bigger events are announced by id and read back.
export const MAX_NOTIFY_BYTES = 7_500;

// Serializes the transactions that write events, so event ids are committed in id order.
const EVENT_LOG_LOCK = 7_312_002;

/**
 * Call first in any transaction that will record events, before it locks any row. Bigserial ids
 * are handed out at INSERT, not at COMMIT; without this, two transactions could commit ids 10 then
 * 9, and a client that resumed from 10 would never see 9. Taking it before row locks keeps a
 * single lock order (this lock → rows), so it cannot deadlock with heartbeats, which lock only rows.
 */
export async function lockEventLog(tx: Tx) {
  await tx.execute(sql`select pg_advisory_xact_lock(${EVENT_LOG_LOCK})`);
}

/** The transaction handle Drizzle passes to `db.transaction` callbacks. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * A transaction that first takes the event-log lock. Every write that records an event takes it,
 * so org edits done inside (reparent, create under a parent, pause/remove a subtree) read the tree
 * and change it with no other such write in between. `work` gets the transaction both as itself
 * and as a Database, for the helpers that take one (casUpdate nests as a savepoint).
 */
export function withEventLogLocked<T>(
  db: Database,
  work: (tx: Tx, asDb: Database) => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await lockEventLog(tx);
    return work(tx, tx as unknown as Database);
  });
}

/**
 * One page of persisted events matching `where`, newest first, older than `before` when given;
 * `next` is the `before` of the following page, or null when this one is the last.
 */
export async function eventsPage(
  db: Database,
  where: SQL | undefined,
  before: string | undefined,
  limit: number,
): Promise<{ events: EventEnvelope[]; next: string | null }> {
  const rows = await db
    .select()
    .from(workspaceEvents)
    .where(and(where, before ? lt(workspaceEvents.id, Number(before)) : undefined))
    .orderBy(desc(workspaceEvents.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    events: page.map(toEnvelope),
    next: rows.length > limit ? String(page[page.length - 1]!.id) : null,
  };
}

/**
 * Persisted events after id `after` (and before `before`, when given), oldest first, at most
 * `limit`: what a resuming stream replays and what the event bus catches up on after a lost NOTIFY.
 */
export function eventsAfter(db: Database, after: bigint, limit: number, before: bigint | null = null) {
  return db
    .select()
    .from(workspaceEvents)
    .where(
      and(
        gt(workspaceEvents.id, Number(after)),
        before === null ? undefined : lt(workspaceEvents.id, Number(before)),
      ),
    )
    .orderBy(asc(workspaceEvents.id))
    .limit(limit);
}

export function toEnvelope(row: EventRow): EventEnvelope {
  return {
    id: String(row.id),
    type: row.type as EventEnvelope["type"],
    workspaceId: row.workspaceId,
    at: row.at.toISOString(),
    payload: row.payload,
  };
}

/** A timestamptz as toEnvelope writes it (`Date.toISOString()`: UTC, milliseconds, truncated). */
export const isoSql = (column: SQL) =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The envelope of the workspace_events row `e` as JSON built by Postgres, equal to
 * `toEnvelope(row)` once parsed: for NOTIFYs sent by the statement that has the row.
 */
export const envelopeJsonSql = (e: string) =>
  sql`json_build_object('id', ${sql.raw(e)}.id::text, 'type', ${sql.raw(e)}.type,
    'workspaceId', ${sql.raw(e)}.workspace_id, 'at', ${isoSql(sql.raw(`${e}.at`))},
    'payload', ${sql.raw(e)}.payload)`;

/**
 * Persists an event inside the caller's transaction (which must have called lockEventLog) and
 * queues its NOTIFY, which Postgres delivers only if the transaction commits: listeners never see
 * an event whose change was rolled back.
 *
 * The INSERT and the NOTIFY go out together, without waiting for each other (pipelined on the
 * transaction's connection): the NOTIFY reads the row this session has just inserted (currval),
 * so it costs no round trip of its own. A status change is a handful of round trips, and on a
 * busy server each one waits its turn on the event loop (bench/README.md, fleet fan-out).
 */
export async function recordEvent(
  tx: Tx,
  event: { workspaceId: string; type: PersistedEventType; payload?: Record<string, unknown> },
): Promise<EventEnvelope> {
  const [[row]] = await Promise.all([
    tx
      .insert(workspaceEvents)
      .values({ workspaceId: event.workspaceId, type: event.type, payload: event.payload ?? {} })
      .returning(),
    tx.execute(sql`select pg_notify(${EVENTS_CHANNEL},
        case when octet_length(n.text) > ${MAX_NOTIFY_BYTES} then json_build_object('ref', n.id::text)::text
        else n.text end)
      from (select e.id, ${envelopeJsonSql("e")}::text as text from workspace_events e
            where e.id = currval(pg_get_serial_sequence('workspace_events', 'id'))) n`),
  ]);
  return toEnvelope(row!);
}
