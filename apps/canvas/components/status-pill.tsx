import type { WorkspaceStatus } from "@molecule/contracts";
import { statusLabel } from "@/lib/status";

/** The coloured dot + label of SPEC §1; degraded is a filled amber pill. */
export function StatusPill({ status }: { status: WorkspaceStatus }) {
  return (
    <span className={`pill pill--${status}`} data-testid="status-pill">
      <span className="pill__dot" aria-hidden="true" />
      {statusLabel(status)}
    </span>
  );
}
