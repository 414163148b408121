import type { Heartbeat, HeartbeatOutput, RegisterOutput } from "@molecule/contracts";
import { currentSpend, pendingDirectives, spendMonthOf, sql, type WorkspaceRow } from "@molecule/db";
import { isUnhealthy, transition } from "../domain/status-machine";
import { casUpdate } from "./cas";
import { workspaceRemoved } from "./errors";
import type { HeartbeatServices, Services } from "./services";

const NOW = sql`now()` as unknown as Date;

/**
 * The telemetry of a process that has not started yet: a restart or resume clears what the old
 * process reported, so the card does not show a wedge or tasks of a runtime that is gone.
 */
export const NOT_STARTED = { runtimeState: "", lastErrorRate: 0, activeTasks: 0, currentTask: "" } as const;

function assertLive(row: WorkspaceRow) {
  if (row.status === "removed") throw workspaceRemoved();
}

/** A fresh agent process announces itself: SPEC §2 "register" rows; clears what the old process left. */
export async function registerAgent(
  services: Services,
  id: string,
  input: { url: string | null; agentCard: Record<string, unknown> },
  tokenHash: string,
): Promise<RegisterOutput> {
  const result = await casUpdate(services.handle.db, id, (row) => {
    assertLive(row);
    return {
      whileTokenLive: tokenHash,
      transition: transition(row.status, { kind: "register" }),
      set: {
        url: input.url ?? row.url,
        agentCard: input.agentCard,
        // Registration is a sign of life (so the sweep does not see stale silence), and a fresh
        // process has no wedge, no errors and no pending restart.
        lastHeartbeatAt: NOW,
        runtimeState: "",
        lastErrorRate: 0,
        lastSampleError: "",
        pendingRestart: false,
      },
    };
  });
  return { status: result!.after.status, heartbeatIntervalMs: services.config.heartbeatIntervalMs };
}

/**
 * Applies one heartbeat (SPEC §2): always stores the telemetry, changes the status only as the
 * machine says, emits WORKSPACE_BUDGET_EXCEEDED once per crossing, then streams live telemetry.
 */
export async function recordHeartbeat(
  services: HeartbeatServices,
  id: string,
  hb: Heartbeat,
  tokenHash: string,
): Promise<HeartbeatOutput> {
  const now = new Date();
  const result = await casUpdate(services.handle.db, id, (row) => {
    assertLive(row);
    // While an external agent has a restart pending, its old runtime's heartbeats must not count
    // as the fresh start the operator asked for: only register ends the restart.
    const change = row.pendingRestart ? null : transition(row.status, { kind: "heartbeat", ...hb });
    const nextStatus = change?.next ?? row.status;
    const keepSample = isUnhealthy(hb) || nextStatus === "degraded";
    const spend = hb.monthlySpend > 0 ? hb.monthlySpend : currentSpend(row, now);
    const over = row.budgetLimit != null && spend >= row.budgetLimit;
    return {
      whileTokenLive: tokenHash,
      transition: change,
      set: {
        lastHeartbeatAt: NOW,
        lastErrorRate: hb.errorRate,
        activeTasks: hb.activeTasks,
        uptimeSeconds: hb.uptimeSeconds,
        currentTask: hb.currentTask,
        runtimeState: hb.runtimeState,
        // A non-empty sample replaces; an empty one clears only when nothing is wrong, so a
        // degraded card keeps showing why.
        lastSampleError: hb.sampleError !== "" ? hb.sampleError : keepSample ? row.lastSampleError : "",
        ...(hb.monthlySpend > 0 ? { monthlySpend: hb.monthlySpend, spendMonth: spendMonthOf(now) } : {}),
        budgetExceeded: over,
      },
      alsoUnchanged: { budgetExceeded: row.budgetExceeded },
      events:
        over && !row.budgetExceeded
          ? [
              {
                type: "WORKSPACE_BUDGET_EXCEEDED",
                payload: { monthlySpend: spend, budgetLimit: row.budgetLimit },
              },
            ]
          : [],
    };
  });
  const after = result!.after;
  services.telemetry.publish(id, {
    activeTasks: after.activeTasks,
    currentTask: after.currentTask,
    uptimeSeconds: after.uptimeSeconds,
    errorRate: after.lastErrorRate,
    lastHeartbeatAt: (after.lastHeartbeatAt ?? now).toISOString(),
    runtimeState: after.runtimeState,
    lastSampleError: after.lastSampleError,
    monthlySpend: currentSpend(after, now),
  });
  return {
    status: after.status,
    heartbeatIntervalMs: services.config.heartbeatIntervalMs,
    directives: pendingDirectives(after, now),
  };
}
