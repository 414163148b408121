CREATE TYPE "public"."workspace_status" AS ENUM('provisioning', 'awaiting_agent', 'online', 'degraded', 'offline', 'failed', 'paused', 'removed');--> statement-breakpoint
-- Partial indexes whose predicates compare status must be rebuilt around the type change.
DROP INDEX "workspaces_live_heartbeat_idx";--> statement-breakpoint
DROP INDEX "workspaces_provisioning_idx";--> statement-breakpoint
DROP INDEX "workspaces_visible_idx";--> statement-breakpoint
ALTER TABLE "workspaces" ALTER COLUMN "status" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "workspaces" ALTER COLUMN "status" SET DATA TYPE "public"."workspace_status" USING "status"::"public"."workspace_status";--> statement-breakpoint
ALTER TABLE "workspaces" ALTER COLUMN "status" SET DEFAULT 'provisioning'::"public"."workspace_status";--> statement-breakpoint
CREATE INDEX "workspaces_live_heartbeat_idx" ON "workspaces" USING btree ("last_heartbeat_at") WHERE "workspaces"."status" in ('online', 'degraded');--> statement-breakpoint
CREATE INDEX "workspaces_provisioning_idx" ON "workspaces" USING btree ("status_changed_at") WHERE "workspaces"."status" = 'provisioning';--> statement-breakpoint
CREATE INDEX "workspaces_visible_idx" ON "workspaces" USING btree ("created_at") WHERE "workspaces"."status" <> 'removed';
