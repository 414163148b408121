import type { RestartRecord } from "@molecule/contracts";

/** The persisted events a restart history is read from (status-machine.ts's transitions, SPEC §2). */
export const RESTART_HISTORY_EVENTS = [
  "WORKSPACE_PROVISIONING",
  "WORKSPACE_ONLINE",
  "WORKSPACE_DEGRADED",
  "WORKSPACE_PROVISION_FAILED",
  "WORKSPACE_PAUSED",
  "WORKSPACE_REMOVED",
] as const;

export interface HistoryEvent {
  id: string;
  type: string;
  at: string;
  payload: Record<string, unknown>;
}

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

/**
 * Folds a workspace's status events (oldest first) into its restarts, newest first. A restart is a
 * WORKSPACE_PROVISIONING event (reason "restart": its `cause` says who, none = an operator; reason
 * "resume": an operator resumed it); its outcome is the next status event: online, degraded or
 * failed, not acknowledged (an external agent kept running, SPEC §2 [r2]), superseded by another
 * restart, paused or removed before it came up, or pending while nothing followed yet.
 */
export function restartsOf(events: HistoryEvent[]): RestartRecord[] {
  const restarts: RestartRecord[] = [];
  let open: RestartRecord | null = null;
  const close = (outcome: RestartRecord["outcome"], at: string, detail: string | null = null) => {
    if (!open) return;
    open.outcome = outcome;
    open.endedAt = at;
    open.detail = detail;
    open = null;
  };
  for (const e of events) {
    switch (e.type) {
      case "WORKSPACE_PROVISIONING": {
        close("superseded", e.at);
        const resume = e.payload.reason === "resume";
        const cause = text(e.payload.cause);
        open = {
          id: e.id,
          at: e.at,
          cause: resume
            ? "resume"
            : cause === "crash" || cause === "crash_loop" || cause === "server_start"
              ? cause
              : "operator",
          previousStatus: resume ? "paused" : text(e.payload.previousStatus),
          outcome: "pending",
          endedAt: null,
          detail: null,
        };
        restarts.push(open);
        break;
      }
      case "WORKSPACE_ONLINE":
      case "WORKSPACE_DEGRADED": {
        const degraded = e.type === "WORKSPACE_DEGRADED";
        const detail = degraded ? text(e.payload.sampleError) : null;
        if (e.payload.restartAcknowledged === false) close("not_acknowledged", e.at, detail);
        else close(degraded ? "degraded" : "online", e.at, detail);
        break;
      }
      case "WORKSPACE_PROVISION_FAILED":
        close("failed", e.at, text(e.payload.reason));
        break;
      case "WORKSPACE_PAUSED":
        close("paused", e.at);
        break;
      case "WORKSPACE_REMOVED":
        close("removed", e.at);
        break;
    }
  }
  return restarts.reverse();
}
