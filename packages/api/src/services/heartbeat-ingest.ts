import type { WorkspaceStatus } from "@molecule/contracts";
import {
  DEGRADE_AT,
  type Heartbeat,
  type HeartbeatOutput,
  RECOVER_BELOW,
  type TelemetryPayload,
  WEDGED,
} from "@molecule/contracts";
import { pendingDirectives, spendMonthOf } from "@molecule/db";
import { TRPCError } from "@trpc/server";
import { transition } from "../domain/status-machine";
import { invalidToken, otherWorkspace } from "./errors";
import { recordHeartbeat } from "./registry";
import type { HeartbeatServices } from "./services";

/**
 * Group commit for heartbeats (SPEC §10, ARCHITECTURE "How data flows").
 *
 * Heartbeats that arrive while a batch is being written wait for the next one, and each batch is
 * ONE prepared statement: it checks every token, compare-and-sets every row whose status the
 * heartbeat does not change, and returns what each caller needs. So a steady fleet costs one
 * round trip per batch instead of four per heartbeat, and the ingest rate can beat Postgres's
 * one-row-per-transaction rate. A heartbeat that changes a status (or crosses a budget) is not
 * written by the batch: it takes the transaction-with-event path (recordHeartbeat → casUpdate),
 * which keeps "exactly one event per transition" in one place.
 *
 * The SQL below mirrors, as a WHERE condition, exactly when the status machine returns no
 * transition for a heartbeat (domain/status-machine.ts); heartbeat-ingest.test.ts checks the two
 * agree for every status and every class of heartbeat.
 *
 * A heartbeat that will change the status skips the batch (SPEC §10: a status change reaches
 * every canvas within 100 ms, under load): its wait for a batch slot and the batch's round trip
 * would come before its own transaction anyway. Which heartbeats those are is known from the
 * status each workspace's last heartbeat left (`known`), with the token that heartbeat carried:
 * only that token goes straight to the transaction (an unknown one is checked by the batch first,
 * so no stranger's request ever takes the event-log lock). A stale guess costs a round trip, never
 * a wrong status: the transaction path re-reads the row and decides again.
 */

/** What one caller gets back, or the error its own request earned. */
interface Pending {
  tokenHash: string;
  hb: Heartbeat;
  resolve(output: HeartbeatOutput): void;
  reject(error: unknown): void;
}

interface BatchRow {
  ord: number;
  tokenWorkspace: string | null;
  status: string | null;
  pendingRestart: boolean;
  budgetLimit: number | null;
  monthlySpend: number;
  spendMonth: string | null;
  lastHeartbeatAt: Date | string;
  lastErrorRate: number;
  lastSampleError: string;
  runtimeState: string;
  activeTasks: number;
  currentTask: string;
  uptimeSeconds: number;
}

// The condition under which the status machine keeps the status (no transition, no event):
// a pending external restart (only register ends it), paused, online and healthy, degraded and
// not recovered. Anything else goes to the transaction path.
const STEADY = `(w.pending_restart
      or w.status = 'paused'
      or (w.status = 'online' and a.runtime_state <> '${WEDGED}' and a.error_rate < ${DEGRADE_AT})
      or (w.status = 'degraded' and not (a.error_rate < ${RECOVER_BELOW} and a.runtime_state = '')))`;

// Spend as the heartbeat makes it: a positive report replaces it, else this month's stored spend.
const SPEND = `(case when a.monthly_spend > 0 then a.monthly_spend::bigint
      when w.spend_month = $2 then w.monthly_spend else 0 end)`;
const OVER = `coalesce(w.budget_limit <= ${SPEND}, false)`;

export const HEARTBEAT_BATCH_SQL = `
with input as (
  select * from json_to_recordset($1::json) as i(
    ord int, token_hash text, workspace_id text, error_rate float8, sample_error text,
    active_tasks int, uptime_seconds int, current_task text, monthly_spend float8, runtime_state text)
),
auth as (
  select i.*, t.workspace_id as token_workspace
  from input i
  left join workspace_tokens t on t.token_hash = i.token_hash and t.revoked_at is null
),
updated as (
  update workspaces w set
    last_heartbeat_at = now(),
    updated_at = now(),
    last_error_rate = a.error_rate,
    active_tasks = a.active_tasks,
    uptime_seconds = a.uptime_seconds,
    current_task = a.current_task,
    runtime_state = a.runtime_state,
    -- A non-empty sample replaces; an empty one clears only when nothing is wrong, so a degraded
    -- card keeps showing why (the same rule as registry.ts).
    last_sample_error = case
      when a.sample_error <> '' then a.sample_error
      when a.runtime_state = '${WEDGED}' or a.error_rate >= ${DEGRADE_AT} or w.status = 'degraded'
        then w.last_sample_error
      else '' end,
    monthly_spend = case when a.monthly_spend > 0 then a.monthly_spend::bigint else w.monthly_spend end,
    spend_month = case when a.monthly_spend > 0 then $2 else w.spend_month end,
    budget_exceeded = ${OVER}
  from auth a
  where w.id = a.workspace_id
    and a.token_workspace = a.workspace_id
    and ${STEADY}
    -- Crossing the budget writes WORKSPACE_BUDGET_EXCEEDED: that is the transaction path's job.
    and not (${OVER} and not w.budget_exceeded)
  returning a.ord, w.status::text as status, w.pending_restart, w.budget_limit::float8 as budget_limit,
    w.monthly_spend::float8 as monthly_spend, w.spend_month, w.last_heartbeat_at, w.last_error_rate,
    w.last_sample_error, w.runtime_state, w.active_tasks, w.current_task, w.uptime_seconds
)
select a.ord, a.token_workspace as "tokenWorkspace", u.status, u.pending_restart as "pendingRestart",
  u.budget_limit as "budgetLimit", u.monthly_spend as "monthlySpend", u.spend_month as "spendMonth",
  u.last_heartbeat_at as "lastHeartbeatAt", u.last_error_rate as "lastErrorRate",
  u.last_sample_error as "lastSampleError", u.runtime_state as "runtimeState",
  u.active_tasks as "activeTasks", u.current_task as "currentTask", u.uptime_seconds as "uptimeSeconds"
from auth a left join updated u on u.ord = a.ord`;

export interface IngestOptions {
  /** Most heartbeats in one statement (default 500). */
  maxBatch?: number;
  /** Batches written at once (default 2); each workspace is in at most one of them. */
  maxInFlight?: number;
}

export interface IngestStats {
  batches: number;
  heartbeats: number;
  /** Heartbeats that changed a status or crossed a budget: written on the transaction path. */
  transitions: number;
}

export class HeartbeatIngest {
  readonly stats: IngestStats = { batches: 0, heartbeats: 0, transitions: 0 };
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  // Workspaces in a batch (or a straight transaction) being written: a second heartbeat of the
  // same workspace waits for the next batch, so writes of one workspace never overlap or reorder
  // (no lock waits, no deadlocks between batches, the later heartbeat wins).
  private busy = new Set<string>();
  /** Per workspace: the status its last accepted heartbeat left, and that heartbeat's token. */
  private known = new Map<string, { status: WorkspaceStatus; pendingRestart: boolean; tokenHash: string }>();
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly services: HeartbeatServices,
    options: IngestOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxInFlight = options.maxInFlight ?? 2;
  }

  /** Records one heartbeat whose body was validated; resolves with that caller's own answer. */
  submit(tokenHash: string, hb: Heartbeat): Promise<HeartbeatOutput> {
    const id = hb.workspaceId;
    if (
      this.changesStatus(tokenHash, hb) &&
      !this.busy.has(id) &&
      !this.queue.some((p) => p.hb.workspaceId === id)
    ) {
      this.busy.add(id);
      this.stats.transitions++;
      return this.transactHeld(tokenHash, hb);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ tokenHash, hb, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // Let the rest of this event-loop turn's requests join the batch.
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  /** Whether this heartbeat, from the token last accepted for it, changes the known status. */
  private changesStatus(tokenHash: string, hb: Heartbeat): boolean {
    const known = this.known.get(hb.workspaceId);
    if (!known || known.tokenHash !== tokenHash || known.pendingRestart) return false;
    return transition(known.status, { kind: "heartbeat", ...hb }) !== null;
  }

  private learn(id: string, tokenHash: string, status: WorkspaceStatus, pendingRestart: boolean) {
    // Bounded by the fleet; a map this large means ids churn, and forgetting only costs a batch.
    if (this.known.size >= 1_000_000) this.known.clear();
    this.known.set(id, { status, pendingRestart, tokenHash });
  }

  /**
   * The transaction-with-event path (recordHeartbeat → casUpdate) for a workspace marked busy,
   * which it lets go when done; learns the status it leaves.
   */
  private async transactHeld(tokenHash: string, hb: Heartbeat): Promise<HeartbeatOutput> {
    try {
      const out = await recordHeartbeat(this.services, hb.workspaceId, hb, tokenHash);
      this.learn(hb.workspaceId, tokenHash, out.status, out.directives.includes("restart"));
      return out;
    } finally {
      this.busy.delete(hb.workspaceId);
      this.pump();
    }
  }

  private pump() {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      const ids = new Set<string>();
      for (const item of this.queue) {
        const id = item.hb.workspaceId;
        if (batch.length < this.maxBatch && !this.busy.has(id) && !ids.has(id)) {
          ids.add(id);
          batch.push(item);
        } else rest.push(item);
      }
      this.queue = rest;
      if (batch.length === 0) return; // everything left waits for a workspace in flight
      this.inFlight++;
      for (const id of ids) this.busy.add(id);
      // What the batch still holds: write() lets each workspace go as its caller is answered, or
      // hands it on to its transaction (which lets it go when done).
      const held = new Set(ids);
      void this.write(batch, held).finally(() => {
        this.inFlight--;
        for (const id of held) this.busy.delete(id);
        this.pump();
      });
    }
  }

  private async write(batch: Pending[], held: Set<string>) {
    let rows: BatchRow[];
    try {
      rows = await this.runBatch(batch);
    } catch (error) {
      // One caller's bad value (a string Postgres cannot store) must not fail everybody else's
      // heartbeat: on a data error, write them one by one so only that caller gets the error.
      if (batch.length > 1 && isDataError(error)) {
        await Promise.all(batch.map((item) => this.write([item], held)));
        return;
      }
      const failure = isDataError(error)
        ? new TRPCError({
            code: "BAD_REQUEST",
            message: "The heartbeat holds a value that cannot be stored.",
          })
        : error;
      for (const item of batch) item.reject(failure);
      return;
    }
    this.stats.batches++;
    this.stats.heartbeats += batch.length;
    const now = new Date();
    for (const row of rows) {
      const item = batch[row.ord];
      if (!item) continue;
      if (row.tokenWorkspace === null) item.reject(invalidToken());
      else if (row.tokenWorkspace !== item.hb.workspaceId) item.reject(otherWorkspace());
      else if (row.status === null) {
        // The heartbeat changes the status (or crosses the budget): one transaction with its event.
        // The workspace stays busy until it commits, so its next heartbeat is written after it.
        this.stats.transitions++;
        held.delete(item.hb.workspaceId);
        this.transactHeld(item.tokenHash, item.hb).then(item.resolve, item.reject);
      } else {
        const after = {
          status: row.status as HeartbeatOutput["status"],
          pendingRestart: row.pendingRestart,
          budgetLimit: row.budgetLimit,
          monthlySpend: Number(row.monthlySpend),
          spendMonth: row.spendMonth,
        };
        this.learn(item.hb.workspaceId, item.tokenHash, after.status, after.pendingRestart);
        // Answered: its next heartbeat need not wait for the rest of this batch.
        held.delete(item.hb.workspaceId);
        this.busy.delete(item.hb.workspaceId);
        this.services.telemetry.publish(item.hb.workspaceId, telemetryOf(row, now));
        item.resolve({
          status: after.status,
          heartbeatIntervalMs: this.services.config.heartbeatIntervalMs,
          directives: pendingDirectives(after, now),
        });
      }
    }
  }

  private runBatch(batch: Pending[]): Promise<BatchRow[]> {
    const input = batch.map(({ tokenHash, hb }, ord) => ({
      ord,
      token_hash: tokenHash,
      workspace_id: hb.workspaceId,
      error_rate: hb.errorRate,
      sample_error: hb.sampleError,
      active_tasks: hb.activeTasks,
      uptime_seconds: hb.uptimeSeconds,
      current_task: hb.currentTask,
      monthly_spend: hb.monthlySpend,
      runtime_state: hb.runtimeState,
    }));
    return this.services.handle.query<BatchRow>(HEARTBEAT_BATCH_SQL, [
      JSON.stringify(input),
      spendMonthOf(new Date()),
    ]);
  }
}

function telemetryOf(row: BatchRow, now: Date): TelemetryPayload {
  const at = row.lastHeartbeatAt instanceof Date ? row.lastHeartbeatAt : new Date(row.lastHeartbeatAt);
  return {
    activeTasks: row.activeTasks,
    currentTask: row.currentTask,
    uptimeSeconds: row.uptimeSeconds,
    errorRate: row.lastErrorRate,
    lastHeartbeatAt: (Number.isNaN(at.getTime()) ? now : at).toISOString(),
    runtimeState: row.runtimeState,
    lastSampleError: row.lastSampleError,
    monthlySpend: row.spendMonth === spendMonthOf(now) ? Number(row.monthlySpend) : 0,
  };
}

/** SQLSTATE class 22 (data exception: bad encoding, NUL in text, out of range) or invalid JSON text. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("22") || code === "2P000");
}
