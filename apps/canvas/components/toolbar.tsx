"use client";

import { WORKSPACE_STATUSES } from "@molecule/contracts";
import { useShallow } from "zustand/react/shallow";
import { setShowRemoved } from "@/lib/actions";
import { statusLabel } from "@/lib/status";
import { ATTENTION_STATUSES, type SidePanel, useCanvas } from "@/lib/store";
import { tidy } from "@/lib/tidy-run";
import { ThemeToggle } from "./theme";

const CONNECTION_LABELS = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline",
} as const;

export function ConnectionIndicator() {
  const connection = useCanvas((s) => s.connection);
  return (
    <output className={`conn conn--${connection}`} aria-live="polite" data-testid="connection">
      <span className="conn__dot" aria-hidden="true" />
      {CONNECTION_LABELS[connection]}
    </output>
  );
}

/**
 * Counts per status, so a degraded card somewhere off-screen is still noticed. Each count is a
 * filter: a click brings the next workspace with that status into view and focuses it.
 */
function StatusSummary() {
  const counts = useCanvas(
    useShallow((s) => {
      const c: Record<string, number> = {};
      for (const ws of Object.values(s.workspaces)) c[ws.status] = (c[ws.status] ?? 0) + 1;
      return WORKSPACE_STATUSES.map((status) => c[status] ?? 0);
    }),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  return (
    <ul className="summary" aria-label="Workspaces by status">
      <li className="summary__total">
        {total} workspace{total === 1 ? "" : "s"}
      </li>
      {WORKSPACE_STATUSES.map((status, i) =>
        counts[i] ? (
          <li key={status}>
            <button
              type="button"
              className={`summary__item summary__item--${status}`}
              data-testid={`filter-${status}`}
              title={`Show the next ${statusLabel(status).toLowerCase()} workspace`}
              onClick={() => useCanvas.getState().cycleStatus(status)}
            >
              <span className="pill__dot" aria-hidden="true" />
              {counts[i]} {statusLabel(status).toLowerCase()}
            </button>
          </li>
        ) : null,
      )}
    </ul>
  );
}

function SideToggle({ panel, label, count }: { panel: SidePanel; label: string; count?: number }) {
  const open = useCanvas((s) => s.side === panel);
  return (
    <button
      type="button"
      className={`btn btn--ghost${open ? " btn--active" : ""}`}
      aria-pressed={open}
      data-testid={`toggle-${panel}`}
      onClick={() => useCanvas.getState().setSide(open ? null : panel)}
    >
      {label}
      {count ? <span className="badge">{count}</span> : null}
    </button>
  );
}

/** "Show removed" (SPEC §1): removed workspaces drawn greyed with a Removed pill, or not at all. */
function ShowRemovedToggle() {
  const on = useCanvas((s) => s.showRemoved);
  return (
    <button
      type="button"
      className={`btn btn--ghost${on ? " btn--active" : ""}`}
      aria-pressed={on}
      data-testid="toggle-show-removed"
      onClick={() => void setShowRemoved(!on)}
    >
      Show removed
    </button>
  );
}

/** Tidy the whole org (elkjs on a worker); busy while it lays out and saves, Undo on the toast. */
function TidyButton() {
  const tidying = useCanvas((s) => s.tidying);
  const empty = useCanvas((s) => s.scene.length === 0);
  return (
    <button
      type="button"
      className="btn btn--ghost"
      disabled={tidying || empty}
      aria-busy={tidying}
      title="Arrange every card so none overlap, children inside their parents"
      onClick={() => void tidy()}
    >
      {tidying ? "Tidying…" : "Tidy"}
    </button>
  );
}

export function Toolbar({ signOut }: { signOut: boolean }) {
  const setCreateOpen = useCanvas((s) => s.setCreateOpen);
  const attention = useCanvas((s) => {
    let n = 0;
    for (const ws of Object.values(s.workspaces)) if (ATTENTION_STATUSES.has(ws.status)) n++;
    return n;
  });
  return (
    <header className="toolbar">
      <div className="brand">
        <svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true">
          <circle cx="6" cy="7" r="3.2" fill="#6366f1" />
          <circle cx="18" cy="7" r="3.2" fill="#10b981" />
          <circle cx="12" cy="18" r="3.2" fill="#f59e0b" />
          <path d="M6 7L18 7L12 18Z" fill="none" stroke="#94a3b8" strokeWidth="1.4" />
        </svg>
        <span>Molecule</span>
      </div>
      <StatusSummary />
      <div className="toolbar__end">
        <button
          type="button"
          className="btn btn--ghost search-button"
          onClick={() => useCanvas.getState().setSearchOpen(true)}
          aria-keyshortcuts="Control+K Meta+K"
        >
          Search <kbd>Ctrl K</kbd>
        </button>
        <TidyButton />
        <SideToggle panel="attention" label="Needs attention" count={attention} />
        <SideToggle panel="feed" label="Activity" />
        <ShowRemovedToggle />
        <ConnectionIndicator />
        <ThemeToggle />
        <button
          type="button"
          className="btn btn--ghost btn--icon"
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          onClick={() => useCanvas.getState().setShortcutsOpen(true)}
        >
          ?
        </button>
        <button type="button" className="btn btn--primary" onClick={() => setCreateOpen(true)}>
          + Create workspace
        </button>
        {signOut && (
          <button
            type="button"
            className="btn btn--ghost"
            onClick={async () => {
              await fetch("/api/session", { method: "DELETE" });
              window.location.href = "/sign-in";
            }}
          >
            Sign out
          </button>
        )}
      </div>
    </header>
  );
}
