import { type EventEnvelope, OnEventInputSchema } from "@molecule/contracts";
import { asc, desc, gt, workspaceEvents } from "@molecule/db";
import { tracked } from "@trpc/server";
import { toEnvelope } from "../services/events";
import { operatorProcedure, router } from "../trpc";

const REPLAY_PAGE = 500;

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

  /**
   * The live stream over SSE (SPEC §6). Subscribes to the bus first, then replays persisted events
   * after `lastEventId` from the database, then drains live ones, skipping ids already sent: every
   * event after the cursor arrives exactly once. Persisted events are `tracked` so the client's
   * reconnect resumes from the last one it saw; telemetry is sent untracked (it is not stored).
   * https://trpc.io/docs/server/subscriptions#tracked
   */
  onEvent: operatorProcedure.input(OnEventInputSchema).subscription(async function* ({ ctx, input, signal }) {
    const queue: EventEnvelope[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = ctx.services.bus.subscribe((event) => {
      queue.push(event);
      wake?.();
    });
    const aborted = new Promise<void>((resolve) =>
      signal?.addEventListener("abort", () => resolve(), { once: true }),
    );
    try {
      let last = BigInt(input?.lastEventId ?? -1);
      if (last >= 0n) {
        for (;;) {
          const rows = await ctx.services.handle.db
            .select()
            .from(workspaceEvents)
            .where(gt(workspaceEvents.id, Number(last)))
            .orderBy(asc(workspaceEvents.id))
            .limit(REPLAY_PAGE);
          for (const row of rows) {
            last = BigInt(row.id);
            yield tracked(String(row.id), toEnvelope(row));
          }
          if (rows.length < REPLAY_PAGE) break;
        }
      }
      while (!signal?.aborted) {
        const event = queue.shift();
        if (!event) {
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
          wake = null;
          continue;
        }
        if (!event.id) {
          yield event; // telemetry
          continue;
        }
        const id = BigInt(event.id);
        if (last >= 0n && id <= last) continue; // already replayed
        last = id;
        yield tracked(event.id, event);
      }
    } finally {
      unsubscribe();
    }
  }),
});
