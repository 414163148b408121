-- Reverts 0000: drops every table it created.
DROP TABLE IF EXISTS "workspace_tokens";--> statement-breakpoint
DROP TABLE IF EXISTS "workspace_secrets";--> statement-breakpoint
DROP TABLE IF EXISTS "agent_memories";--> statement-breakpoint
DROP TABLE IF EXISTS "workspace_events";--> statement-breakpoint
DROP TABLE IF EXISTS "workspaces";
