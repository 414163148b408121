import {
  type EventEnvelope,
  OnEventInputSchema,
  RESYNC_EVENT,
  RecentEventsInputSchema,
  TELEMETRY_EVENT,
} from "@molecule/contracts";
import { type Database, desc, sql, workspaceEvents } from "@molecule/db";
import { tracked } from "@trpc/server";
import { recentEvents } from "../services/details-history";
import { eventsAfter, toEnvelope } from "../services/events";
import type { TelemetryBatch } from "../services/telemetry";
import { operatorProcedure, router } from "../trpc";

const REPLAY_PAGE = 500;
/** SPEC §6: at most one telemetry message per subscriber per 250 ms. */
export const TELEMETRY_EVERY_MS = 250;
/** SPEC §6: a subscriber holding more than this much undelivered is cut off (it resumes by id). */
export const MAX_QUEUED_EVENTS = 1_000;
export const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

const streamMessage = (
  type: typeof TELEMETRY_EVENT | typeof RESYNC_EVENT,
  payload: Record<string, unknown>,
) => ({ id: "", type, workspaceId: "", at: new Date().toISOString(), payload }) satisfies EventEnvelope;

export const eventsRouter = router({
  /** The newest persisted event id: read it before workspace.list, then subscribe from it. */
  latestId: operatorProcedure.query(async ({ ctx }) => {
    const [row] = await ctx.services.handle.db
      .select({ id: workspaceEvents.id })
      .from(workspaceEvents)
      .orderBy(desc(workspaceEvents.id))
      .limit(1);
    return { lastEventId: String(row?.id ?? 0) };
  }),

  /** The feed's history: persisted events from before the page opened, newest first, paged. */
  recent: operatorProcedure
    .input(RecentEventsInputSchema)
    .query(({ ctx, input }) => recentEvents(ctx.services, input)),

  /**
   * The live stream over SSE (SPEC §6). Subscribes to the bus first, then replays persisted events
   * after `lastEventId` from the database, then drains live ones, skipping ids already sent: every
   * event after the cursor arrives exactly once. Persisted events are `tracked` so the client's
   * reconnect resumes from the last one it saw, and are never delayed; telemetry is coalesced
   * into one untracked message per 250 ms. Keep-alive pings come from tRPC (see trpc.ts).
   * A subscriber that does not drain is disconnected rather than buffered without bound.
   * https://trpc.io/docs/server/subscriptions#tracked
   */
  onEvent: operatorProcedure.input(OnEventInputSchema).subscription(async function* ({ ctx, input, signal }) {
    const queue: { event: EventEnvelope; bytes: number }[] = [];
    let queuedBytes = 0;
    let cutOff = false;
    let telemetry: TelemetryBatch | null = null;
    let wake: (() => void) | null = null;
    const unsubscribe = ctx.services.bus.subscribe((event, bytes) => {
      if (cutOff) return;
      queue.push({ event, bytes });
      queuedBytes += bytes;
      if (queue.length > MAX_QUEUED_EVENTS || queuedBytes > MAX_QUEUED_BYTES) {
        cutOff = true;
        queue.length = 0;
        ctx.disconnect();
      }
      wake?.();
    });
    const unsubscribeTelemetry = ctx.services.bus.subscribeTelemetry((batch) => {
      if (telemetry) Object.assign(telemetry, batch);
      else telemetry = { ...batch };
      wake?.();
    });
    const aborted = new Promise<void>((resolve) =>
      signal?.addEventListener("abort", () => resolve(), { once: true }),
    );
    try {
      let last = BigInt(input?.lastEventId ?? -1);
      if (last >= 0n) {
        for (let page = 0; ; page++) {
          const rows = await eventsAfter(ctx.services.handle.db, last, REPLAY_PAGE);
          // Checked after the first page is read: a retention pass that deleted what the client
          // needs before this read is seen here; one deleting after it came too late to matter.
          if (page === 0 && (await olderThanRetention(ctx.services.handle.db, last))) {
            yield streamMessage(RESYNC_EVENT, {});
          }
          for (const row of rows) {
            last = BigInt(row.id);
            yield tracked(String(row.id), toEnvelope(row));
          }
          if (rows.length < REPLAY_PAGE) break;
        }
      }
      let telemetryDue = 0;
      while (!signal?.aborted && !cutOff) {
        const next = queue.shift();
        if (next) {
          queuedBytes -= next.bytes;
          const id = BigInt(next.event.id);
          if (last >= 0n && id <= last) continue; // already replayed
          last = id;
          yield tracked(next.event.id, next.event);
          continue;
        }
        const now = Date.now();
        if (telemetry && now >= telemetryDue) {
          const workspaces = telemetry;
          telemetry = null;
          telemetryDue = now + TELEMETRY_EVERY_MS;
          yield streamMessage(TELEMETRY_EVENT, { workspaces });
          continue;
        }
        // Sleep until a persisted event, the next telemetry slot (if any is waiting), or the end.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => {
            wake = resolve;
            if (telemetry) timer = setTimeout(resolve, telemetryDue - now);
          }),
          aborted,
        ]);
        wake = null;
        if (timer) clearTimeout(timer);
      }
    } finally {
      unsubscribe();
      unsubscribeTelemetry();
    }
  }),
});

/**
 * Whether events after `last` were already deleted by retention, so a replay would have holes:
 * the oldest kept id is past the one the client needs next. (Ids can have gaps from rolled-back
 * inserts; at worst that asks a client to reload once more than needed.)
 */
async function olderThanRetention(db: Database, last: bigint): Promise<boolean> {
  const [row] = await db
    .select({ oldest: sql<string | null>`min(${workspaceEvents.id})` })
    .from(workspaceEvents);
  return row?.oldest != null && BigInt(row.oldest) > last + 1n;
}
