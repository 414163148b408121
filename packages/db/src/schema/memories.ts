import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

export const agentMemories = pgTable(
  "agent_memories",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    namespace: text("namespace").notNull(),
    scope: text("scope").notNull().default("LOCAL"),
    content: text("content").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("agent_memories_scope_check", sql`${t.scope} in ('LOCAL', 'TEAM', 'GLOBAL')`),
    index("agent_memories_ws_idx").on(t.workspaceId, t.createdAt),
  ],
);
