"use client";

import { ACTION_FROM } from "@molecule/contracts";
import { useEffect, useRef } from "react";
import { pauseWorkspace, restartWorkspace, resumeWorkspace, rotateToken, setCollapsed } from "@/lib/actions";
import { buttonFor, usePausedAncestor } from "@/lib/allowed";
import { useCanvas } from "@/lib/store";
import { tidy } from "@/lib/tidy-run";

export function ContextMenu() {
  const menu = useCanvas((s) => s.menu);
  const ws = useCanvas((s) => (s.menu ? s.workspaces[s.menu.id] : undefined));
  const children = useCanvas((s) => (s.menu ? (s.childCounts[s.menu.id] ?? 0) : 0));
  const pausedAncestor = usePausedAncestor(menu?.id ?? "");
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (menu) ref.current?.querySelector("button")?.focus();
  }, [menu]);
  if (!menu || !ws) return null;
  const store = useCanvas.getState();
  // Which items are offered, and enabled, comes from the shared rule (SPEC §2).
  const can = (action: Parameters<typeof buttonFor>[0]) => buttonFor(action, ws.status, pausedAncestor);
  const [restart, pause, resume, remove] = [can("restart"), can("pause"), can("resume"), can("remove")];
  const gone = ws.status === "removed"; // shown with "Show removed": nothing left to do to it
  const run = (fn: () => void) => () => {
    store.openMenu(null);
    fn();
  };
  return (
    <div
      ref={ref}
      className="menu"
      role="menu"
      aria-label={`Actions for ${ws.name}`}
      style={{ left: menu.x, top: menu.y }}
      onKeyDown={(e) => {
        if (e.key === "Escape") store.openMenu(null);
        // WAI-ARIA menu pattern: arrows move between items, wrapping; Home and End jump.
        const items = [...e.currentTarget.querySelectorAll<HTMLButtonElement>("button:not([disabled])")];
        const at = items.indexOf(document.activeElement as HTMLButtonElement);
        const to =
          e.key === "ArrowDown"
            ? (at + 1) % items.length
            : e.key === "ArrowUp"
              ? (at - 1 + items.length) % items.length
              : e.key === "Home"
                ? 0
                : e.key === "End"
                  ? items.length - 1
                  : null;
        if (to !== null) {
          e.preventDefault();
          items[to]?.focus();
        }
      }}
    >
      <button type="button" role="menuitem" onClick={run(() => store.select(ws.id))}>
        Open details
      </button>
      {ACTION_FROM.restart.includes(ws.status) && (
        <button
          type="button"
          role="menuitem"
          disabled={!restart.enabled}
          title={restart.title}
          onClick={run(() => void restartWorkspace(ws.id))}
        >
          Restart
        </button>
      )}
      {ws.status === "paused" ? (
        <button
          type="button"
          role="menuitem"
          disabled={!resume.enabled}
          title={resume.title}
          onClick={run(() => void resumeWorkspace(ws.id))}
        >
          Resume
        </button>
      ) : (
        pause.enabled && (
          <button type="button" role="menuitem" onClick={run(() => void pauseWorkspace(ws.id))}>
            Pause{children > 0 ? " (with its team)" : ""}
          </button>
        )
      )}
      {children > 0 && !gone && (
        <button type="button" role="menuitem" onClick={run(() => void setCollapsed(ws.id, !ws.collapsed))}>
          {ws.collapsed ? "Expand" : "Collapse"}
        </button>
      )}
      {children > 0 && !gone && (
        <button type="button" role="menuitem" onClick={run(() => void tidy(ws.id))}>
          Tidy team
        </button>
      )}
      {ws.external && !gone && (
        <button type="button" role="menuitem" onClick={run(() => void rotateToken(ws.id))}>
          Rotate token
        </button>
      )}
      {remove.enabled && (
        <>
          <hr />
          <button
            type="button"
            role="menuitem"
            className="menu__danger"
            onClick={run(() => store.setRemoveId(ws.id))}
          >
            Remove…
          </button>
        </>
      )}
    </div>
  );
}
