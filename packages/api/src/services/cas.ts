import type { EventEnvelope, PersistedEventType } from "@molecule/contracts";
import {
  and,
  type Database,
  eq,
  findWorkspace,
  type NewWorkspaceRow,
  sql,
  type WorkspaceRow,
  workspaces,
  workspaceTokens,
} from "@molecule/db";
import { TRPCError } from "@trpc/server";
import type { Transition } from "../domain/status-machine";
import { workspaceNotFound } from "./errors";
import { lockEventLog, recordEvent, type Tx } from "./events";
import { metricsOf } from "./metrics";
import { liveToken, liveTokenHashes } from "./tokens";

export interface CasPlan {
  /** The status change the machine chose, or null to keep the status. */
  transition: Transition | null;
  /** Other columns to write in the same UPDATE. */
  set?: Partial<NewWorkspaceRow>;
  /** Extra events written with the change (e.g. WORKSPACE_BUDGET_EXCEEDED). */
  events?: { type: PersistedEventType; payload: Record<string, unknown> }[];
  /** Extra compare-and-set columns besides status (e.g. budget_exceeded as read). */
  alsoUnchanged?: Partial<Pick<WorkspaceRow, "budgetExceeded">>;
  /**
   * Write only while the agent token with this hash is live. An agent's request is authorised
   * before its write; a restart revoking that token in between must win, or the old process's
   * heartbeat would turn the restarting workspace online. Checked in the UPDATE itself.
   */
  whileTokenLive?: string;
  /** More writes in the same transaction, after the row update succeeded. */
  inTransaction?: (tx: Tx, after: WorkspaceRow) => Promise<void>;
}

export interface CasResult {
  before: WorkspaceRow;
  after: WorkspaceRow;
  transition: Transition | null;
  events: EventEnvelope[];
}

const MAX_ATTEMPTS = 20;

/**
 * The one way a workspace row changes state: read it, let `plan` decide from what was read, then
 * write with a compare-and-set on the status it was read as, with the events in the same
 * transaction. If another writer got there first, re-read and decide again. So concurrent
 * heartbeats, sweeps and operator actions produce exactly one event per transition.
 * `plan` returning null means nothing to write.
 */
export async function casUpdate(
  db: Database,
  id: string,
  plan: (row: WorkspaceRow) => CasPlan | null,
): Promise<CasResult | null> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const before = await findWorkspace(db, id);
    if (!before) throw workspaceNotFound();
    const decided = plan(before);
    if (!decided) return null;
    const { transition } = decided;
    const set: Partial<NewWorkspaceRow> = { ...decided.set, updatedAt: sql`now()` as unknown as Date };
    if (transition) {
      set.status = transition.next;
      set.statusChangedAt = sql`now()` as unknown as Date;
      if (set.statusReason === undefined) set.statusReason = statusReasonFor(transition);
    }
    const conditions = [eq(workspaces.id, id), eq(workspaces.status, before.status)];
    if (decided.alsoUnchanged?.budgetExceeded !== undefined) {
      conditions.push(eq(workspaces.budgetExceeded, decided.alsoUnchanged.budgetExceeded));
    }
    if (decided.whileTokenLive)
      conditions.push(
        sql`exists (select 1 from ${workspaceTokens} where ${liveToken(id, decided.whileTokenLive)})`,
      );
    const toWrite = [...(transition ? [transition.event] : []), ...(decided.events ?? [])];
    const update = (q: Tx | Database) =>
      q
        .update(workspaces)
        .set(set)
        .where(and(...conditions))
        .returning();
    // Most heartbeats change no status and write no event: their one UPDATE is atomic by itself,
    // so they skip BEGIN/COMMIT (two round trips on the hottest path).
    const result =
      toWrite.length === 0 && !decided.inTransaction
        ? await update(db).then(([after]) => (after ? { after, events: [] as EventEnvelope[] } : null))
        : await db.transaction(async (tx) => {
            // The lock and the UPDATE go out together (pipelined): Postgres runs them in order, so
            // the lock is still taken before the row's, with one round trip fewer.
            const [, [after]] = await Promise.all([toWrite.length > 0 ? lockEventLog(tx) : null, update(tx)]);
            if (!after) return null; // lost the race: someone changed the status since we read it
            const events: EventEnvelope[] = [];
            for (const event of toWrite) events.push(await recordEvent(tx, { workspaceId: id, ...event }));
            await decided.inTransaction?.(tx, after);
            return { after, events };
          });
    if (result) {
      // Committed here unless `db` is a caller's transaction (not bound to metrics: not counted).
      if (transition) metricsOf(db)?.countTransition(before.status, transition);
      return { before, after: result.after, transition, events: result.events };
    }
    if (decided.whileTokenLive && !(await liveTokenHashes(db, id)).includes(decided.whileTokenLive)) {
      throw new TRPCError({
        code: "UNAUTHORIZED",
        message: "This workspace token was revoked while the request was in flight.",
      });
    }
  }
  throw new TRPCError({ code: "CONFLICT", message: "The workspace is changing too fast; try again." });
}

/** The sentence kept in status_reason: why a workspace failed or degraded. */
function statusReasonFor(transition: Transition): string | null {
  const p = transition.event.payload;
  if (transition.next === "failed") return String(p.reason ?? "failed to start");
  if (transition.next === "degraded") return p.reason === "wedged" ? "runtime wedged" : "error rate too high";
  return null;
}
