"use client";

import type { WorkspaceStatus } from "@molecule/contracts";
import { restartWorkspace } from "@/lib/actions";
import { buttonFor, usePausedAncestor } from "@/lib/allowed";
import { useCanvas } from "@/lib/store";

/**
 * Restart with instant feedback: "Restarting…" from the click until the card leaves provisioning;
 * disabled while provisioning (the server treats a second restart as the same one anyway) and
 * wherever the shared rule refuses it (a paused workspace above), with the reason as its title.
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
  const rule = buttonFor("restart", status, usePausedAncestor(id));
  return (
    <div className="restart">
      <button
        type="button"
        className={`btn btn--restart nodrag${compact ? " btn--sm" : ""}`}
        disabled={pending || !rule.enabled}
        title={pending ? undefined : rule.title}
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
