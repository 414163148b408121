import { index, pgTable, serial, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** Workspace tokens: only the SHA-256 (hex) and an 8-character prefix are stored (SPEC §3). */
export const workspaceTokens = pgTable(
  "workspace_tokens",
  {
    id: serial("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    prefix: text("prefix").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("workspace_tokens_hash_idx").on(t.tokenHash),
    index("workspace_tokens_ws_idx").on(t.workspaceId),
  ],
);
