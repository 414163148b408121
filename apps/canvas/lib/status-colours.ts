import type { WorkspaceStatus } from "@molecule/contracts";

/** SPEC §1's dot colours (Tailwind 500s), shared by the far-zoom layer, the minimap and e2e checks. */
export const STATUS_COLOURS: Record<WorkspaceStatus, string> = {
  provisioning: "#0ea5e9",
  awaiting_agent: "#8b5cf6",
  online: "#10b981",
  degraded: "#f59e0b",
  offline: "#71717a",
  failed: "#ef4444",
  paused: "#6366f1",
  removed: "#a1a1aa",
};
