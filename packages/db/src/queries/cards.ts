import type { CardView } from "@molecule/contracts";
import { and, asc, isNull, ne } from "drizzle-orm";
import type { Database } from "../client";
import { workspaces } from "../schema";
import { type CardRow, toCardView } from "./workspace-view";

/**
 * Only the columns a canvas card shows (plus what spend and budget are computed from): the fleet's
 * first paint never reads agent cards, directories or namespaces it does not draw.
 */
const cardColumns: { [K in keyof CardRow]: (typeof workspaces)[K] } = {
  id: workspaces.id,
  name: workspaces.name,
  role: workspaces.role,
  tier: workspaces.tier,
  status: workspaces.status,
  statusReason: workspaces.statusReason,
  parentId: workspaces.parentId,
  runtime: workspaces.runtime,
  external: workspaces.external,
  lastHeartbeatAt: workspaces.lastHeartbeatAt,
  lastErrorRate: workspaces.lastErrorRate,
  lastSampleError: workspaces.lastSampleError,
  runtimeState: workspaces.runtimeState,
  activeTasks: workspaces.activeTasks,
  maxConcurrentTasks: workspaces.maxConcurrentTasks,
  uptimeSeconds: workspaces.uptimeSeconds,
  currentTask: workspaces.currentTask,
  monthlySpend: workspaces.monthlySpend,
  spendMonth: workspaces.spendMonth,
  budgetLimit: workspaces.budgetLimit,
  canvasX: workspaces.canvasX,
  canvasY: workspaces.canvasY,
  collapsed: workspaces.collapsed,
  updatedAt: workspaces.updatedAt,
};

/**
 * Every card the canvas draws (all but removed tombstones, unless `includeRemoved`: "show
 * removed"), oldest first like the full list.
 */
export async function listCards(db: Database, now = new Date(), includeRemoved = false): Promise<CardView[]> {
  const rows = await db
    .select(cardColumns)
    .from(workspaces)
    .where(includeRemoved ? undefined : ne(workspaces.status, "removed"))
    .orderBy(asc(workspaces.createdAt), asc(workspaces.id));
  return rows.map((row) => toCardView(row, now));
}

/**
 * The first `first` top-level cards by position (top row first, then left to right): what a big
 * org's first view (its top-left corner) shows, so the canvas paints before the full list is in.
 * Top-level only: a child without its parent would be drawn at its parent-relative position.
 */
export async function listFirstCards(db: Database, first: number, now = new Date()): Promise<CardView[]> {
  const rows = await db
    .select(cardColumns)
    .from(workspaces)
    .where(and(ne(workspaces.status, "removed"), isNull(workspaces.parentId)))
    .orderBy(asc(workspaces.canvasY), asc(workspaces.canvasX), asc(workspaces.id))
    .limit(first);
  return rows.map((row) => toCardView(row, now));
}
