CREATE TABLE "workspace_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_memories" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"namespace" text NOT NULL,
	"scope" text DEFAULT 'LOCAL' NOT NULL,
	"content" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_memories_scope_check" CHECK ("agent_memories"."scope" in ('LOCAL', 'TEAM', 'GLOBAL'))
);
--> statement-breakpoint
CREATE TABLE "workspace_secrets" (
	"workspace_id" text NOT NULL,
	"key" text NOT NULL,
	"nonce" text NOT NULL,
	"ciphertext" text NOT NULL,
	"tag" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workspace_secrets_workspace_id_key_pk" PRIMARY KEY("workspace_id","key")
);
--> statement-breakpoint
CREATE TABLE "workspace_tokens" (
	"id" serial PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text DEFAULT '' NOT NULL,
	"tier" integer DEFAULT 3 NOT NULL,
	"status" text DEFAULT 'provisioning' NOT NULL,
	"status_reason" text,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"awareness_namespace" text NOT NULL,
	"agent_card" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"url" text,
	"parent_id" text,
	"forwarded_to" text,
	"last_heartbeat_at" timestamp with time zone,
	"last_error_rate" double precision DEFAULT 0 NOT NULL,
	"last_sample_error" text DEFAULT '' NOT NULL,
	"runtime_state" text DEFAULT '' NOT NULL,
	"active_tasks" integer DEFAULT 0 NOT NULL,
	"max_concurrent_tasks" integer DEFAULT 1 NOT NULL,
	"uptime_seconds" integer DEFAULT 0 NOT NULL,
	"current_task" text DEFAULT '' NOT NULL,
	"monthly_spend" bigint DEFAULT 0 NOT NULL,
	"spend_month" text,
	"budget_limit" bigint,
	"budget_exceeded" boolean DEFAULT false NOT NULL,
	"pending_restart" boolean DEFAULT false NOT NULL,
	"runtime" text DEFAULT 'demo' NOT NULL,
	"model" text DEFAULT '' NOT NULL,
	"external" boolean DEFAULT false NOT NULL,
	"workspace_dir" text,
	"workspace_access" text DEFAULT 'none' NOT NULL,
	"canvas_x" double precision DEFAULT 0 NOT NULL,
	"canvas_y" double precision DEFAULT 0 NOT NULL,
	"collapsed" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workspaces_access_check" CHECK ("workspaces"."workspace_access" in ('none', 'read_only', 'read_write')),
	CONSTRAINT "workspaces_tier_check" CHECK ("workspaces"."tier" between 1 and 4)
);
--> statement-breakpoint
ALTER TABLE "agent_memories" ADD CONSTRAINT "agent_memories_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workspace_secrets" ADD CONSTRAINT "workspace_secrets_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workspace_tokens" ADD CONSTRAINT "workspace_tokens_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "workspace_events_ws_idx" ON "workspace_events" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE INDEX "agent_memories_ws_idx" ON "agent_memories" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "workspace_tokens_hash_idx" ON "workspace_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "workspace_tokens_ws_idx" ON "workspace_tokens" USING btree ("workspace_id");--> statement-breakpoint
CREATE INDEX "workspaces_live_heartbeat_idx" ON "workspaces" USING btree ("last_heartbeat_at") WHERE "workspaces"."status" in ('online', 'degraded');--> statement-breakpoint
CREATE INDEX "workspaces_provisioning_idx" ON "workspaces" USING btree ("status_changed_at") WHERE "workspaces"."status" = 'provisioning';--> statement-breakpoint
CREATE INDEX "workspaces_visible_idx" ON "workspaces" USING btree ("created_at") WHERE "workspaces"."status" <> 'removed';--> statement-breakpoint
CREATE INDEX "workspaces_parent_idx" ON "workspaces" USING btree ("parent_id");