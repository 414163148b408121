"use client";

import type { CardView } from "@molecule/contracts";
import { type NodeProps, type ReactFlowState, useStore } from "@xyflow/react";
import { type KeyboardEvent, memo } from "react";
import { useShallow } from "zustand/react/shallow";
import { setCollapsed } from "@/lib/actions";
import type { CardNode } from "@/lib/layout";
import { CARD_RESTART_STATUSES, reasonOf, statusLabel } from "@/lib/status";
import { useCanvas } from "@/lib/store";
import { RestartButton } from "./restart-button";
import { StatusPill } from "./status-pill";

/** Below this zoom the text is unreadable anyway: cards draw only name and status (cheap to paint). */
const DETAIL_ZOOM = 0.45;
const zoomedOut = (s: ReactFlowState) => s.transform[2] < DETAIL_ZOOM;

/**
 * One workspace card. Memoised, and it reads its own workspace from the store, so a status change
 * or a heartbeat re-renders this card only. Node data holds just the id (no callbacks).
 */
export const WorkspaceNode = memo(function WorkspaceNode({ id }: NodeProps<CardNode>) {
  const ws = useCanvas((s) => s.workspaces[id]);
  const { restart, dropTarget, children, select } = useCanvas(
    useShallow((s) => ({
      restart: s.restarting[id],
      dropTarget: s.dropTargetId === id,
      children: s.childCounts[id] ?? 0,
      select: s.select,
    })),
  );
  const compact = useStore(zoomedOut);
  if (!ws) return null;

  const label = statusLabel(ws.status);
  const expandedParent = children > 0 && !ws.collapsed;
  const showRestart = CARD_RESTART_STATUSES.has(ws.status) || restart !== undefined;
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      select(id);
    }
  };

  return (
    // SPEC §8: cards are focusable with the status in their accessible name; Enter opens details.
    // A card holds its own buttons, so it cannot itself be a <button>.
    // biome-ignore lint/a11y/useSemanticElements: a <fieldset> is for forms; this is a focusable card
    <div
      className={`card card--${ws.status}${dropTarget ? " card--drop" : ""}${expandedParent ? " card--parent" : ""}${compact ? " card--compact" : ""}`}
      data-workspace-id={ws.id}
      data-status={ws.status}
      role="group"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: SPEC §8 requires focusable cards (see above)
      tabIndex={0}
      aria-label={`${ws.name}, ${label}`}
      onKeyDown={onKeyDown}
    >
      <div className="card__head">
        <span className="card__name" title={ws.name}>
          {ws.name}
        </span>
        <StatusPill status={ws.status} />
        {/* An expanded parent keeps everything in one slim header: its children sit right below. */}
        {expandedParent && !compact && showRestart && <RestartButton id={ws.id} status={ws.status} compact />}
        {expandedParent && !compact && (
          <CollapseToggle id={ws.id} collapsed={ws.collapsed} count={children} />
        )}
      </div>
      {compact ? null : expandedParent ? (
        <Reason ws={ws} />
      ) : (
        <CardBody ws={ws} showRestart={showRestart} childCount={children} />
      )}
    </div>
  );
});

/** Everything below the header; skipped when zoomed far out. */
function CardBody({
  ws,
  showRestart,
  childCount,
}: {
  ws: CardView;
  showRestart: boolean;
  childCount: number;
}) {
  return (
    <>
      {ws.role && (
        <p className="card__role" title={ws.role}>
          {ws.role}
        </p>
      )}
      <Reason ws={ws} />
      <div className="card__meta">
        <span className="chip" title="Tier">
          T{ws.tier}
        </span>
        <span className="chip" title="Runtime">
          {ws.runtime}
        </span>
        <span className="chip chip--muted" title="Active tasks">
          {ws.activeTasks}/{ws.maxConcurrentTasks} tasks
        </span>
        {ws.overBudget && (
          <span className="chip chip--danger" title="Monthly spend reached the budget limit">
            Over budget
          </span>
        )}
      </div>
      {ws.currentTask && (
        <p className="card__task" title={ws.currentTask}>
          <span aria-hidden="true">▸ </span>
          {ws.currentTask}
        </p>
      )}
      {(showRestart || childCount > 0) && (
        <div className="card__actions">
          {showRestart && <RestartButton id={ws.id} status={ws.status} compact />}
          {childCount > 0 && <CollapseToggle id={ws.id} collapsed={ws.collapsed} count={childCount} />}
        </div>
      )}
    </>
  );
}

/** Why a card is amber or red (truncated; the full text on hover and in the details panel). */
function Reason({ ws }: { ws: CardView }) {
  const reason = reasonOf(ws);
  if (!reason) return null;
  return (
    <p
      className={`card__reason card__reason--${ws.status}`}
      title={reason}
      data-testid={ws.status === "degraded" ? "sample-error" : "status-reason"}
    >
      {reason}
    </p>
  );
}

function CollapseToggle({ id, collapsed, count }: { id: string; collapsed: boolean; count: number }) {
  return (
    <button
      type="button"
      className="btn btn--ghost btn--sm nodrag card__collapse"
      aria-expanded={!collapsed}
      aria-label={`${collapsed ? "Show" : "Hide"} ${count} ${count === 1 ? "workspace" : "workspaces"} inside`}
      onClick={(e) => {
        e.stopPropagation();
        void setCollapsed(id, !collapsed);
      }}
    >
      {collapsed ? `▸ ${count}` : `▾ ${count}`}
    </button>
  );
}
