"use client";

import { ReactFlowProvider } from "@xyflow/react";
import { useEffect } from "react";
import { startLiveSync } from "@/lib/live";
import { useCanvas } from "@/lib/store";
import { ContextMenu } from "./context-menu";
import { CreateDialog } from "./create-dialog";
import { DetailsPanel } from "./details-panel";
import { NestDialog, RemoveDialog, TokenDialog } from "./dialogs";
import { FlowCanvas } from "./flow-canvas";
import { Toasts } from "./toasts";
import { Toolbar } from "./toolbar";

function Overlay() {
  const load = useCanvas((s) => s.load);
  const empty = useCanvas((s) => s.nodes.length === 0);
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
  return (
    <>
      {createOpen && <CreateDialog />}
      <NestDialog />
      <RemoveDialog />
      <TokenDialog />
    </>
  );
}

export function CanvasApp({ signOut }: { signOut: boolean }) {
  useEffect(() => startLiveSync(), []);
  return (
    <ReactFlowProvider>
      <div className="app">
        <Toolbar signOut={signOut} />
        <main className="stage">
          <FlowCanvas />
          <Overlay />
          <DetailsPanel />
          <ContextMenu />
        </main>
        <Dialogs />
        <Toasts />
      </div>
    </ReactFlowProvider>
  );
}
