import {
  DEGRADE_AT,
  judgeAction,
  type PersistedEventType,
  RECOVER_BELOW,
  WEDGED,
  type WorkspaceStatus,
} from "@molecule/contracts";

/** What can happen to a workspace (SPEC §2). Heartbeat carries only what the rules read. */
export type RestartCause = "crash" | "server_start";

export type Trigger =
  | { kind: "register" }
  | { kind: "heartbeat"; errorRate: number; runtimeState: string; sampleError: string }
  | { kind: "silence"; lastHeartbeatAt: string | null }
  | { kind: "provision_failed"; reason: string }
  /**
   * The local provisioner gives up on a process that keeps dying: failed from wherever it was
   * running, in one event (a restart event first would show "Starting" for something that will
   * never start).
   */
  | { kind: "crash_loop"; reason: string }
  /** An external restart timed out, but the old runtime kept heartbeating (SPEC §2 [r2]). */
  | { kind: "restart_unacknowledged"; errorRate: number; runtimeState: string; sampleError: string }
  /** cause: why the provisioner (not an operator) restarts it; shown in the timeline. */
  | { kind: "restart"; cause?: RestartCause }
  | { kind: "pause" }
  | { kind: "resume"; external: boolean }
  | { kind: "remove" };

export interface Transition {
  next: WorkspaceStatus;
  event: { type: PersistedEventType; payload: Record<string, unknown> };
}

/** A heartbeat is unhealthy when the runtime says it is wedged or its error rate is at/over DEGRADE_AT. */
export function isUnhealthy(hb: { errorRate: number; runtimeState: string }): boolean {
  return hb.runtimeState === WEDGED || hb.errorRate >= DEGRADE_AT;
}

/** Recovery needs a low error rate AND an empty runtimeState (any non-empty state blocks it). */
export function canRecover(hb: { errorRate: number; runtimeState: string }): boolean {
  return hb.errorRate < RECOVER_BELOW && hb.runtimeState === "";
}

/** Statuses in which a local workspace's process runs (or is being started). */
const RUNNING: readonly WorkspaceStatus[] = ["provisioning", "online", "degraded", "offline"];
const NOT_YET_ONLINE: readonly WorkspaceStatus[] = ["provisioning", "awaiting_agent", "offline", "failed"];

function degraded(hb: { errorRate: number; runtimeState: string; sampleError: string }): Transition {
  return {
    next: "degraded",
    event: {
      type: "WORKSPACE_DEGRADED",
      payload: {
        reason: hb.runtimeState === WEDGED ? "wedged" : "error_rate",
        sampleError: hb.sampleError,
        errorRate: hb.errorRate,
      },
    },
  };
}

const online = (from: WorkspaceStatus): Transition => ({
  next: "online",
  event: { type: "WORKSPACE_ONLINE", payload: { recoveredFrom: from } },
});

/**
 * The status machine: every row of SPEC §2 and nothing else. Pure, so it is tested row by row;
 * callers apply the result with a compare-and-set on `current`. `null` means "no transition"
 * (the status stays and no event is written).
 */
export function transition(current: WorkspaceStatus, trigger: Trigger): Transition | null {
  switch (trigger.kind) {
    case "register":
      return NOT_YET_ONLINE.includes(current) || current === "degraded" ? online(current) : null;

    case "heartbeat": {
      if (NOT_YET_ONLINE.includes(current)) {
        // Never a false "online" first: an unhealthy first heartbeat goes straight to degraded.
        return isUnhealthy(trigger) ? degraded(trigger) : online(current);
      }
      if (current === "online") return isUnhealthy(trigger) ? degraded(trigger) : null;
      if (current === "degraded") return canRecover(trigger) ? online("degraded") : null;
      return null; // paused keeps its status (telemetry is still stored); removed never changes.
    }

    case "silence":
      return current === "online" || current === "degraded"
        ? {
            next: "offline",
            event: { type: "WORKSPACE_OFFLINE", payload: { lastHeartbeatAt: trigger.lastHeartbeatAt } },
          }
        : null;

    case "provision_failed":
      return current === "provisioning"
        ? {
            next: "failed",
            event: { type: "WORKSPACE_PROVISION_FAILED", payload: { reason: trigger.reason } },
          }
        : null;

    case "crash_loop":
      return RUNNING.includes(current)
        ? {
            next: "failed",
            event: {
              type: "WORKSPACE_PROVISION_FAILED",
              payload: { reason: trigger.reason, previousStatus: current },
            },
          }
        : null;

    case "restart_unacknowledged": {
      // Back to what the latest heartbeat says, saying the restart never happened.
      if (current !== "provisioning") return null;
      const next = isUnhealthy(trigger) ? degraded(trigger) : online(current);
      return {
        next: next.next,
        event: { ...next.event, payload: { ...next.event.payload, restartAcknowledged: false } },
      };
    }

    case "restart": {
      // The shared action rule; idempotent while provisioning: a double click is one restart.
      const verdict = judgeAction("restart", current);
      if (!verdict.ok || verdict.noOp) return null;
      return {
        next: "provisioning",
        event: {
          type: "WORKSPACE_PROVISIONING",
          payload: {
            reason: "restart",
            previousStatus: current,
            ...(trigger.cause ? { cause: trigger.cause } : {}),
          },
        },
      };
    }

    case "pause": {
      const verdict = judgeAction("pause", current);
      return !verdict.ok || verdict.noOp
        ? null
        : { next: "paused", event: { type: "WORKSPACE_PAUSED", payload: { previousStatus: current } } };
    }

    case "resume":
      return judgeAction("resume", current).ok
        ? {
            next: trigger.external ? "awaiting_agent" : "provisioning",
            event: { type: "WORKSPACE_PROVISIONING", payload: { reason: "resume" } },
          }
        : null;

    case "remove":
      return !judgeAction("remove", current).ok
        ? null
        : { next: "removed", event: { type: "WORKSPACE_REMOVED", payload: { previousStatus: current } } };
  }
}
