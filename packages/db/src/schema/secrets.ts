import { integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { workspaces } from "./workspaces";

/** AES-256-GCM encrypted values: base64 nonce, ciphertext and tag. Plaintext is never stored. */
export const workspaceSecrets = pgTable(
  "workspace_secrets",
  {
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    nonce: text("nonce").notNull(),
    ciphertext: text("ciphertext").notNull(),
    tag: text("tag").notNull(),
    /** Which key sealed this value (secretsKeyId): a server with another key refuses to start. */
    keyId: text("key_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.key] })],
);

/**
 * One row: the id of the key this database's secrets are encrypted with (SPEC §5 [r2]), written by
 * the first server that stores or checks a secret, compared by every server at start.
 */
export const secretsKeyCheck = pgTable("secrets_key_check", {
  id: integer("id").primaryKey().default(1),
  keyId: text("key_id").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
