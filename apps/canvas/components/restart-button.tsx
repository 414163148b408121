"use client";

import type { WorkspaceStatus } from "@molecule/contracts";
import { restartWorkspace } from "@/lib/actions";
import { useCanvas } from "@/lib/store";

/**
 * Restart with instant feedback: "Restarting…" from the click until the card leaves provisioning;
 * disabled while provisioning (the server treats a second restart as the same one anyway).
 */
export function RestartButton({
  id,
  status,
  compact,
}: {
  id: string;
  status: WorkspaceStatus;
  compact?: boolean;
}) {
  const state = useCanvas((s) => s.restarting[id]);
  const pending = state?.kind === "pending";
  return (
    <div className="restart">
      <button
        type="button"
        className={`btn btn--restart nodrag${compact ? " btn--sm" : ""}`}
        disabled={pending || status === "provisioning"}
        aria-busy={pending}
        onClick={(e) => {
          e.stopPropagation();
          void restartWorkspace(id);
        }}
      >
        <span aria-hidden="true" className={pending ? "spin" : undefined}>
          ↻
        </span>
        {pending ? "Restarting…" : "Restart"}
      </button>
      {state?.kind === "error" && (
        <p className="restart__error" role="alert">
          {state.message}
        </p>
      )}
    </div>
  );
}
