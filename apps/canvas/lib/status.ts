import { STATUS_LABELS, type WorkspaceStatus, type WorkspaceView } from "@molecule/contracts";

export { STATUS_LABELS };

/** Statuses whose card offers Restart right on the card (SPEC §8). */
export const CARD_RESTART_STATUSES: ReadonlySet<WorkspaceStatus> = new Set(["degraded", "offline", "failed"]);

export function statusLabel(status: WorkspaceStatus): string {
  return STATUS_LABELS[status] ?? status;
}

/** Why a card is amber or red: the last sample error (degraded) or the status reason (failed). */
export function reasonOf(
  ws: Pick<WorkspaceView, "status" | "lastSampleError" | "statusReason">,
): string | null {
  if (ws.status === "degraded") return ws.lastSampleError || null;
  if (ws.status === "failed") return ws.statusReason || null;
  return null;
}

/** "3s ago", "4m ago", "2h ago", "never". */
export function ago(iso: string | null, now: number): string {
  if (!iso) return "never";
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.floor(hours / 24)}d ago`;
}

export function formatCents(cents: number | null): string {
  if (cents == null) return "no limit";
  return `$${(cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function formatUptime(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d ${Math.floor((seconds % 86400) / 3600)}h`;
}
