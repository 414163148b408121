import { z } from "zod";

/**
 * Every status a workspace can be in (SPEC §1). The Postgres ENUM `workspace_status` is generated
 * from this same tuple (packages/db), so the database rejects anything not listed here.
 */
export const WORKSPACE_STATUSES = [
  "provisioning",
  "awaiting_agent",
  "online",
  "degraded",
  "offline",
  "failed",
  "paused",
  "removed",
] as const;

export const WorkspaceStatusSchema = z.enum(WORKSPACE_STATUSES);
export type WorkspaceStatus = z.infer<typeof WorkspaceStatusSchema>;

/** Human labels used by the canvas pill and by docs. */
export const STATUS_LABELS: Record<WorkspaceStatus, string> = {
  provisioning: "Starting",
  awaiting_agent: "Awaiting agent",
  online: "Online",
  degraded: "Degraded",
  offline: "Offline",
  failed: "Failed",
  paused: "Paused",
  removed: "Removed",
};
