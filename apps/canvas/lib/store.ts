"use client";

import type { TelemetryPayload, WorkspaceView } from "@molecule/contracts";
import { applyNodeChanges, type NodeChange } from "@xyflow/react";
import { create } from "zustand";
import { buildNodes, type CardNode } from "./layout";

/** Direct child counts, recomputed only when the layout changes (cards must not scan all workspaces). */
function countChildren(workspaces: Record<string, WorkspaceView>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const ws of Object.values(workspaces)) {
    if (ws.parentId && workspaces[ws.parentId]) counts[ws.parentId] = (counts[ws.parentId] ?? 0) + 1;
  }
  return counts;
}

function layoutOf(workspaces: Record<string, WorkspaceView>, previous: CardNode[]) {
  return { nodes: buildNodes(workspaces, previous), childCounts: countChildren(workspaces) };
}

export type Connection = "connecting" | "live" | "reconnecting" | "offline";
export type LoadState = { kind: "loading" } | { kind: "ready" } | { kind: "error"; message: string };
/** pending: click sent (sent=true once the server accepted it; cleared when the card leaves provisioning). */
export type RestartState = { kind: "pending"; sent: boolean } | { kind: "error"; message: string };

export interface Toast {
  id: number;
  kind: "info" | "error" | "success";
  message: string;
}

export interface MenuState {
  id: string;
  x: number;
  y: number;
}

/** A drag that ended on another card: nesting waits for the operator's confirmation. */
export interface PendingNest {
  childId: string;
  targetId: string;
  x: number;
  y: number;
}

export interface TokenReveal {
  id: string;
  name: string;
  token: string;
  reason: "created" | "rotated";
}

interface CanvasState {
  workspaces: Record<string, WorkspaceView>;
  nodes: CardNode[];
  childCounts: Record<string, number>;
  load: LoadState;
  connection: Connection;
  selectedId: string | null;
  menu: MenuState | null;
  dropTargetId: string | null;
  pendingNest: PendingNest | null;
  createOpen: boolean;
  removeId: string | null;
  tokenReveal: TokenReveal | null;
  restarting: Record<string, RestartState>;
  toasts: Toast[];

  setLoad(load: LoadState): void;
  setConnection(connection: Connection): void;
  replaceAll(list: WorkspaceView[]): void;
  upsert(list: WorkspaceView[]): void;
  remove(ids: string[]): void;
  patch(id: string, patch: Partial<WorkspaceView>): void;
  applyTelemetry(batch: Map<string, Partial<TelemetryPayload>>): void;
  /** Puts React Flow nodes back where the store says (after a cancelled drop). */
  resetNodes(): void;
  onNodesChange(changes: NodeChange<CardNode>[]): void;
  select(id: string | null): void;
  openMenu(menu: MenuState | null): void;
  setDropTarget(id: string | null): void;
  setPendingNest(nest: PendingNest | null): void;
  setCreateOpen(open: boolean): void;
  setRemoveId(id: string | null): void;
  setTokenReveal(reveal: TokenReveal | null): void;
  setRestarting(id: string, state: RestartState | null): void;
  toast(kind: Toast["kind"], message: string): void;
  dismissToast(id: number): void;
}

let toastSeq = 0;

/** Layout-relevant fields: only changes to these rebuild React Flow nodes. */
function layoutChanged(a: WorkspaceView | undefined, b: WorkspaceView): boolean {
  return !a || a.x !== b.x || a.y !== b.y || a.parentId !== b.parentId || a.collapsed !== b.collapsed;
}

export const useCanvas = create<CanvasState>()((set, get) => ({
  workspaces: {},
  nodes: [],
  childCounts: {},
  load: { kind: "loading" },
  connection: "connecting",
  selectedId: null,
  menu: null,
  dropTargetId: null,
  pendingNest: null,
  createOpen: false,
  removeId: null,
  tokenReveal: null,
  restarting: {},
  toasts: [],

  setLoad: (load) => set({ load }),
  setConnection: (connection) => set({ connection }),

  replaceAll(list) {
    const workspaces: Record<string, WorkspaceView> = {};
    for (const ws of list) if (ws.status !== "removed") workspaces[ws.id] = ws;
    set({ workspaces, ...layoutOf(workspaces, get().nodes), load: { kind: "ready" } });
  },

  upsert(list) {
    const current = get().workspaces;
    const workspaces = { ...current };
    let relayout = false;
    const removed: string[] = [];
    let restarting = get().restarting;
    for (const ws of list) {
      const was = current[ws.id];
      // Answers can overtake each other (a slow restart reply, a refresh after an event): a
      // snapshot older than the one shown would undo a newer status.
      if (was && Date.parse(ws.updatedAt) < Date.parse(was.updatedAt)) continue;
      if (ws.status === "removed") {
        removed.push(ws.id);
        continue;
      }
      relayout ||= layoutChanged(was, ws);
      workspaces[ws.id] = ws;
      // A restart this client sent is over once the card has left provisioning (online, failed…);
      // a failed one stops being news once the status moves on.
      const r = restarting[ws.id];
      const over =
        r?.kind === "pending"
          ? r.sent && ws.status !== "provisioning"
          : r !== undefined && was?.status !== ws.status;
      if (over) {
        restarting = { ...restarting };
        delete restarting[ws.id];
      }
    }
    set({ workspaces, restarting, ...(relayout ? layoutOf(workspaces, get().nodes) : {}) });
    if (removed.length) get().remove(removed);
  },

  remove(ids) {
    const workspaces = { ...get().workspaces };
    let changed = false;
    for (const id of ids) {
      if (workspaces[id]) {
        delete workspaces[id];
        changed = true;
      }
    }
    if (!changed) return;
    const { selectedId, menu } = get();
    set({
      workspaces,
      ...layoutOf(workspaces, get().nodes),
      selectedId: selectedId && workspaces[selectedId] ? selectedId : null,
      menu: menu && workspaces[menu.id] ? menu : null,
    });
  },

  patch(id, patch) {
    const current = get().workspaces[id];
    if (!current) return;
    get().upsert([{ ...current, ...patch }]);
  },

  applyTelemetry(batch) {
    const workspaces = { ...get().workspaces };
    for (const [id, t] of batch) {
      const current = workspaces[id];
      if (!current) continue;
      workspaces[id] = {
        ...current,
        activeTasks: t.activeTasks ?? current.activeTasks,
        currentTask: t.currentTask ?? current.currentTask,
        uptimeSeconds: t.uptimeSeconds ?? current.uptimeSeconds,
        lastErrorRate: t.errorRate ?? current.lastErrorRate,
        lastHeartbeatAt: t.lastHeartbeatAt ?? current.lastHeartbeatAt,
        runtimeState: t.runtimeState ?? current.runtimeState,
        lastSampleError: t.lastSampleError ?? current.lastSampleError,
        monthlySpend: t.monthlySpend ?? current.monthlySpend,
      };
    }
    set({ workspaces });
  },

  resetNodes() {
    set(layoutOf(get().workspaces, get().nodes));
  },

  onNodesChange(changes) {
    set({ nodes: applyNodeChanges(changes, get().nodes) });
  },

  select: (selectedId) => set({ selectedId, menu: null }),
  openMenu: (menu) => set({ menu }),
  setDropTarget: (dropTargetId) => {
    if (get().dropTargetId !== dropTargetId) set({ dropTargetId });
  },
  setPendingNest: (pendingNest) => set({ pendingNest }),
  setCreateOpen: (createOpen) => set({ createOpen, menu: null }),
  setRemoveId: (removeId) => set({ removeId, menu: null }),
  setTokenReveal: (tokenReveal) => set({ tokenReveal }),

  setRestarting(id, state) {
    const restarting = { ...get().restarting };
    if (state) restarting[id] = state;
    else delete restarting[id];
    set({ restarting });
  },

  toast(kind, message) {
    const id = ++toastSeq;
    set({ toasts: [...get().toasts.slice(-3), { id, kind, message }] });
    setTimeout(() => get().dismissToast(id), kind === "error" ? 8000 : 4000);
  },
  dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
}));
