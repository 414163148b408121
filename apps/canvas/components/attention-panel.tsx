"use client";

import type { CardView } from "@molecule/contracts";
import { useShallow } from "zustand/react/shallow";
import { ago, reasonOf } from "@/lib/status";
import { ATTENTION_STATUSES, useCanvas } from "@/lib/store";
import { useNow } from "@/lib/use-now";
import { RestartButton } from "./restart-button";
import { SideHead } from "./side-head";
import { StatusPill } from "./status-pill";

const ORDER: Record<string, number> = { failed: 0, degraded: 1, offline: 2 };
/** Rows drawn at once; a fleet-wide outage lists the first ones and says how many more. */
const SHOWN = 200;

/** Why this one needs you, in one line. */
function why(ws: CardView, now: number): string {
  if (ws.status === "offline") return `No heartbeat since ${ago(ws.lastHeartbeatAt, now)}`;
  return reasonOf(ws) ?? (ws.status === "failed" ? "Did not come up" : "Unhealthy");
}

/** Degraded, offline and failed workspaces with their reason and a Restart each (issue 11). */
export function AttentionPanel() {
  const list = useCanvas(
    useShallow((s) =>
      Object.values(s.workspaces)
        .filter((ws) => ATTENTION_STATUSES.has(ws.status))
        .sort((a, b) => (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9) || a.name.localeCompare(b.name)),
    ),
  );
  const now = useNow(5000);
  return (
    <aside className="side" aria-label="Needs attention" data-testid="attention-panel">
      <SideHead title="Needs attention" />
      {list.length === 0 ? (
        <p className="muted side__empty">Nothing is degraded, offline or failed.</p>
      ) : (
        <ul className="side__list">
          {list.slice(0, SHOWN).map((ws) => (
            <li key={ws.id} className="attention" data-testid="attention-item" data-workspace-ref={ws.id}>
              <div className="attention__head">
                <button
                  type="button"
                  className="link attention__name"
                  onClick={() => useCanvas.getState().focusCard(ws.id)}
                >
                  {ws.name}
                </button>
                <StatusPill status={ws.status} />
              </div>
              <p className={`attention__why card__reason--${ws.status}`} title={why(ws, now)}>
                {why(ws, now)}
              </p>
              <RestartButton id={ws.id} status={ws.status} compact />
            </li>
          ))}
          {list.length > SHOWN && <li className="muted">…and {list.length - SHOWN} more</li>}
        </ul>
      )}
    </aside>
  );
}
