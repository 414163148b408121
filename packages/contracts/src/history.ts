import { z } from "zod";
import { EventEnvelopeSchema } from "./events";
import { WorkspaceIdSchema } from "./ids";

/** An event id (a bigserial as a decimal string), as a cursor. */
const EventIdSchema = z.string().regex(/^\d{1,19}$/, { message: "must be an event id (digits)" });

/** One heartbeat as the server's in-memory history keeps it (workspace.history). */
export const HistorySampleSchema = z.object({
  /** When the heartbeat arrived (server clock). */
  at: z.string(),
  errorRate: z.number(),
  /** Milliseconds since the previous heartbeat; null for the first one this server heard. */
  gapMs: z.number().nullable(),
});
export type HistorySample = z.infer<typeof HistorySampleSchema>;

export const WorkspaceHistorySchema = z.object({
  /** Oldest first, at most `limit` samples within the last `windowMs`. */
  samples: z.array(HistorySampleSchema),
  limit: z.number(),
  windowMs: z.number(),
});
export type WorkspaceHistory = z.infer<typeof WorkspaceHistorySchema>;

/** Most events one events.recent page returns. */
export const RECENT_EVENTS_MAX = 200;

export const RecentEventsInputSchema = z.object({
  limit: z
    .number()
    .int()
    .min(1)
    .max(RECENT_EVENTS_MAX, { message: `must be at most ${RECENT_EVENTS_MAX}` })
    .default(50),
  /** Only events older than this id (the oldest one already shown: "load older"). */
  before: EventIdSchema.optional(),
});
export type RecentEventsInput = z.input<typeof RecentEventsInputSchema>;
export type RecentEventsQuery = z.output<typeof RecentEventsInputSchema>;

export const RecentEventsSchema = z.object({
  /** Newest first. */
  events: z.array(EventEnvelopeSchema),
  /** Pass as `before` for the next older page; null when there is none. */
  nextBefore: z.string().nullable(),
});

/** Why a workspace's process was (re)started. */
export const RESTART_CAUSES = ["operator", "crash", "crash_loop", "server_start", "resume"] as const;
/** How it ended: the status event that followed it, or still pending. */
export const RESTART_OUTCOMES = [
  "pending",
  "online",
  "degraded",
  "failed",
  "not_acknowledged",
  "superseded",
  "paused",
  "removed",
] as const;

export const RestartRecordSchema = z.object({
  /** The WORKSPACE_PROVISIONING event's id. */
  id: z.string(),
  at: z.string(),
  cause: z.enum(RESTART_CAUSES),
  previousStatus: z.string().nullable(),
  outcome: z.enum(RESTART_OUTCOMES),
  /** When the outcome was reached; null while pending. */
  endedAt: z.string().nullable(),
  /** The failure's reason, or the degrade's sample error. */
  detail: z.string().nullable(),
});
export type RestartRecord = z.infer<typeof RestartRecordSchema>;

export const RestartsInputSchema = z.object({
  id: WorkspaceIdSchema,
  limit: z.number().int().min(1).max(100).default(20),
});
