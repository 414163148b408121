import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { workspaceStatus } from "./enums";

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** One row per workspace. Removed workspaces stay as tombstones (status = 'removed'). */
export const workspaces = pgTable(
  "workspaces",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    role: text("role").notNull().default(""),
    tier: integer("tier").notNull().default(3),
    status: workspaceStatus("status").notNull().default("provisioning"),
    /** Why the status is what it is, when that needs saying (failed: the reason). */
    statusReason: text("status_reason"),
    statusChangedAt: tz("status_changed_at").notNull().defaultNow(),
    awarenessNamespace: text("awareness_namespace").notNull(),
    agentCard: jsonb("agent_card").$type<Record<string, unknown>>().notNull().default({}),
    url: text("url"),
    parentId: text("parent_id"),
    forwardedTo: text("forwarded_to"),
    lastHeartbeatAt: tz("last_heartbeat_at"),
    lastErrorRate: doublePrecision("last_error_rate").notNull().default(0),
    lastSampleError: text("last_sample_error").notNull().default(""),
    runtimeState: text("runtime_state").notNull().default(""),
    activeTasks: integer("active_tasks").notNull().default(0),
    maxConcurrentTasks: integer("max_concurrent_tasks").notNull().default(1),
    uptimeSeconds: integer("uptime_seconds").notNull().default(0),
    currentTask: text("current_task").notNull().default(""),
    /** Cents spent in `spendMonth` (UTC, "YYYY-MM"). */
    monthlySpend: bigint("monthly_spend", { mode: "number" }).notNull().default(0),
    spendMonth: text("spend_month"),
    budgetLimit: bigint("budget_limit", { mode: "number" }),
    /** Set when spend crossed the limit, so WORKSPACE_BUDGET_EXCEEDED fires once per crossing. */
    budgetExceeded: boolean("budget_exceeded").notNull().default(false),
    /** An operator restart an external agent has not picked up yet (delivered as a directive). */
    pendingRestart: boolean("pending_restart").notNull().default(false),
    runtime: text("runtime").notNull().default("demo"),
    model: text("model").notNull().default(""),
    external: boolean("external").notNull().default(false),
    workspaceDir: text("workspace_dir"),
    workspaceAccess: text("workspace_access").notNull().default("none"),
    canvasX: doublePrecision("canvas_x").notNull().default(0),
    canvasY: doublePrecision("canvas_y").notNull().default(0),
    collapsed: boolean("collapsed").notNull().default(false),
    createdAt: tz("created_at").notNull().defaultNow(),
    updatedAt: tz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("workspaces_access_check", sql`${t.workspaceAccess} in ('none', 'read_only', 'read_write')`),
    check("workspaces_tier_check", sql`${t.tier} between 1 and 4`),
    // The liveness sweep scans only live rows by heartbeat age, and provisioning rows by age.
    index("workspaces_live_heartbeat_idx")
      .on(t.lastHeartbeatAt)
      .where(sql`${t.status} in ('online', 'degraded')`),
    index("workspaces_provisioning_idx").on(t.statusChangedAt).where(sql`${t.status} = 'provisioning'`),
    // The canvas lists every non-removed workspace; the org tree walks parents.
    index("workspaces_visible_idx").on(t.createdAt).where(sql`${t.status} <> 'removed'`),
    index("workspaces_parent_idx").on(t.parentId),
  ],
);

export type WorkspaceRow = typeof workspaces.$inferSelect;
export type NewWorkspaceRow = typeof workspaces.$inferInsert;
