import { z } from "zod";

/** Persisted event types (SPEC §6), stored in workspace_events with the change that caused them. */
export const PERSISTED_EVENT_TYPES = [
  "WORKSPACE_CREATED",
  "WORKSPACE_UPDATED",
  "WORKSPACE_MOVED",
  "WORKSPACE_PROVISIONING",
  "WORKSPACE_ONLINE",
  "WORKSPACE_DEGRADED",
  "WORKSPACE_OFFLINE",
  "WORKSPACE_PROVISION_FAILED",
  "WORKSPACE_PAUSED",
  "WORKSPACE_REMOVED",
  "AGENT_CARD_UPDATED",
  "WORKSPACE_BUDGET_EXCEEDED",
] as const;

/**
 * Streamed but never stored: live telemetry from heartbeats. On the SSE stream it is coalesced
 * (SPEC §6): at most one message per 250 ms per subscriber, `workspaceId` empty and
 * `payload.workspaces` mapping each workspace that reported to its latest TelemetryPayload.
 */
export const TELEMETRY_EVENT = "WORKSPACE_TELEMETRY" as const;

/**
 * Stream-only: the client resumed from an id older than the oldest event still kept
 * (EVENT_RETENTION_DAYS), so it cannot be brought up to date by replay: reload the list.
 */
export const RESYNC_EVENT = "RESYNC" as const;

export const EVENT_TYPES = [...PERSISTED_EVENT_TYPES, TELEMETRY_EVENT, RESYNC_EVENT] as const;
export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;
export type PersistedEventType = (typeof PERSISTED_EVENT_TYPES)[number];

/**
 * The event envelope. `id` is the bigserial of workspace_events as a decimal string; telemetry
 * events are not stored and carry the id of the last persisted event they follow, suffixed "t"
 * so they can never be mistaken for a resumable id.
 */
export const EventEnvelopeSchema = z.object({
  id: z.string(),
  type: EventTypeSchema,
  workspaceId: z.string(),
  at: z.string(),
  payload: z.record(z.string(), z.unknown()),
});
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

export const OnEventInputSchema = z
  .object({
    lastEventId: z
      .string()
      .regex(/^\d{1,19}$/)
      .nullish(),
  })
  .optional();

/** What a coalesced WORKSPACE_TELEMETRY message carries: the latest values per workspace. */
export interface TelemetryMessagePayload {
  workspaces: Record<string, TelemetryPayload>;
}

/** Telemetry of one workspace, as carried in a WORKSPACE_TELEMETRY message. */
export interface TelemetryPayload {
  activeTasks: number;
  currentTask: string;
  uptimeSeconds: number;
  errorRate: number;
  lastHeartbeatAt: string;
  runtimeState: string;
  /** What the card shows under an amber pill: it can change while the status stays degraded. */
  lastSampleError: string;
  monthlySpend: number;
}
