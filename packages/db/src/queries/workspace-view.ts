import type { CardView, Directive, WorkspaceView } from "@molecule/contracts";
import type { WorkspaceRow } from "../schema";

/** The calendar month (UTC) spend belongs to, as stored in spend_month. */
export function spendMonthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** Spend only counts for the month it was reported in; a new month starts at zero. */
export function currentSpend(
  row: Pick<WorkspaceRow, "monthlySpend" | "spendMonth">,
  now = new Date(),
): number {
  return row.spendMonth === spendMonthOf(now) ? row.monthlySpend : 0;
}

export function isOverBudget(
  row: Pick<WorkspaceRow, "monthlySpend" | "spendMonth" | "budgetLimit">,
  now = new Date(),
) {
  return row.budgetLimit != null && currentSpend(row, now) >= row.budgetLimit;
}

/** What the agent should be told in its next heartbeat response (SPEC §3 directives). */
export function pendingDirectives(
  row: Pick<WorkspaceRow, "pendingRestart" | "status" | "monthlySpend" | "spendMonth" | "budgetLimit">,
  now = new Date(),
): Directive[] {
  const directives: Directive[] = [];
  if (row.pendingRestart) directives.push("restart");
  if (row.status === "paused") directives.push("pause");
  if (isOverBudget(row, now)) directives.push("over_budget");
  return directives;
}

/** The columns a canvas card needs (plus what spend and budget are computed from). */
export type CardRow = Pick<
  WorkspaceRow,
  | "id"
  | "name"
  | "role"
  | "tier"
  | "status"
  | "statusReason"
  | "parentId"
  | "runtime"
  | "external"
  | "lastHeartbeatAt"
  | "lastErrorRate"
  | "lastSampleError"
  | "runtimeState"
  | "activeTasks"
  | "maxConcurrentTasks"
  | "uptimeSeconds"
  | "currentTask"
  | "monthlySpend"
  | "spendMonth"
  | "budgetLimit"
  | "canvasX"
  | "canvasY"
  | "collapsed"
  | "updatedAt"
>;

/** What one canvas card shows (workspace.cards); the full view below adds the details. */
export function toCardView(row: CardRow, now = new Date()): CardView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    tier: row.tier,
    status: row.status,
    statusReason: row.statusReason,
    parentId: row.parentId,
    runtime: row.runtime,
    external: row.external,
    lastHeartbeatAt: row.lastHeartbeatAt?.toISOString() ?? null,
    lastErrorRate: row.lastErrorRate,
    lastSampleError: row.lastSampleError,
    runtimeState: row.runtimeState,
    activeTasks: row.activeTasks,
    maxConcurrentTasks: row.maxConcurrentTasks,
    uptimeSeconds: row.uptimeSeconds,
    currentTask: row.currentTask,
    monthlySpend: currentSpend(row, now),
    overBudget: isOverBudget(row, now),
    x: row.canvasX,
    y: row.canvasY,
    collapsed: row.collapsed,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toWorkspaceView(row: WorkspaceRow, now = new Date()): WorkspaceView {
  return {
    ...toCardView(row, now),
    forwardedTo: row.forwardedTo,
    awarenessNamespace: row.awarenessNamespace,
    model: row.model,
    url: row.url,
    spendMonth: row.spendMonth,
    budgetLimit: row.budgetLimit,
    pendingDirectives: pendingDirectives(row, now),
    workspaceDir: row.workspaceDir,
    workspaceAccess: row.workspaceAccess as WorkspaceView["workspaceAccess"],
    createdAt: row.createdAt.toISOString(),
  };
}
