-- Reverts 0003: the key check row and the per-value key id go (values stay encrypted as they are).
DROP TABLE "secrets_key_check";--> statement-breakpoint
ALTER TABLE "workspace_secrets" DROP COLUMN "key_id";
