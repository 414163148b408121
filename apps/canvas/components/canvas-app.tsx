"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import { useEffect } from "react";
import { startLiveSync } from "@/lib/live";
import { getQueryClient } from "@/lib/query";
import { useCanvas } from "@/lib/store";
import { ActivityFeed } from "./activity-feed";
import { AttentionPanel } from "./attention-panel";
import { ContextMenu } from "./context-menu";
import { CreateDialog } from "./create-dialog";
import { DetailsPanel } from "./details-panel";
import { NestDialog, RemoveDialog, TokenDialog } from "./dialogs";
import { FlowCanvas } from "./flow-canvas";
import { SearchDialog } from "./search-dialog";
import { ShortcutsDialog } from "./shortcuts-dialog";
import { ThemeSync } from "./theme";
import { Toasts } from "./toasts";
import { Toolbar } from "./toolbar";

function Overlay() {
  const load = useCanvas((s) => s.load);
  const empty = useCanvas((s) => s.scene.length === 0);
  const setCreateOpen = useCanvas((s) => s.setCreateOpen);
  if (load.kind === "loading") {
    return (
      <div className="overlay" role="status">
        <div className="spinner" aria-hidden="true" />
        <p>Loading workspaces…</p>
      </div>
    );
  }
  if (load.kind === "error") {
    return (
      <div className="overlay">
        <div className="empty" role="alert">
          <h2>Could not load the canvas</h2>
          <p>{load.message}</p>
          <button type="button" className="btn btn--primary" onClick={() => window.location.reload()}>
            Try again
          </button>
        </div>
      </div>
    );
  }
  if (!empty) return null;
  return (
    <div className="overlay">
      <div className="empty" data-testid="empty-state">
        <div className="empty__art" aria-hidden="true">
          <span />
          <span />
          <span />
        </div>
        <h2>No workspaces yet</h2>
        <p>A workspace is one agent in your org chart: a role, a process, and a live status.</p>
        <button type="button" className="btn btn--primary btn--lg" onClick={() => setCreateOpen(true)}>
          + Create workspace
        </button>
      </div>
    </div>
  );
}

function Dialogs() {
  const createOpen = useCanvas((s) => s.createOpen);
  const searchOpen = useCanvas((s) => s.searchOpen);
  return (
    <>
      {createOpen && <CreateDialog />}
      {searchOpen && <SearchDialog />}
      <ShortcutsDialog />
      <NestDialog />
      <RemoveDialog />
      <TokenDialog />
    </>
  );
}

function SidePanel() {
  const side = useCanvas((s) => s.side);
  if (side === "attention") return <AttentionPanel />;
  if (side === "feed") return <ActivityFeed />;
  return null;
}

/** Ctrl/Cmd+K opens search anywhere; "?" opens the shortcut sheet unless the operator is typing. */
function onGlobalKey(e: KeyboardEvent) {
  const store = useCanvas.getState();
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
    e.preventDefault();
    store.setSearchOpen(true);
    return;
  }
  const typing =
    e.target instanceof HTMLElement && e.target.closest("input, textarea, select, [contenteditable]");
  if (e.key === "?" && !typing && !document.querySelector(".modal")) {
    e.preventDefault();
    store.setShortcutsOpen(true);
  }
}

export function CanvasApp({ signOut }: { signOut: boolean }) {
  useEffect(() => startLiveSync(), []);
  useEffect(() => {
    window.addEventListener("keydown", onGlobalKey);
    return () => window.removeEventListener("keydown", onGlobalKey);
  }, []);
  return (
    <QueryClientProvider client={getQueryClient()}>
      <ReactFlowProvider>
        <div className="app">
          <Toolbar signOut={signOut} />
          <main className="stage">
            <SidePanel />
            <FlowCanvas />
            <Overlay />
            <DetailsPanel />
            <ContextMenu />
          </main>
          <Dialogs />
          <Toasts />
          <ThemeSync />
        </div>
      </ReactFlowProvider>
    </QueryClientProvider>
  );
}
