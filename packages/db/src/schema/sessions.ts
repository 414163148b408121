import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Operator browser sessions (SPEC §4 [r2]). The cookie holds a random id; the row holds only
 * HMAC-SHA256(key = ADMIN_TOKEN, message = id). So the table alone lets nobody sign in, and a new
 * ADMIN_TOKEN matches no existing row: changing the token ends every session without a migration.
 */
export const operatorSessions = pgTable(
  "operator_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("operator_sessions_expires_idx").on(t.expiresAt)],
);
