"use client";

import type { CardView, EventEnvelope, TelemetryPayload, WorkspaceStatus } from "@molecule/contracts";
import { applyNodeChanges, type NodeChange } from "@xyflow/react";
import { create } from "zustand";
import { FEED_LIMIT, FEED_MAX, mergeFeed } from "./feed";
import { buildLayout, type CardNode, type SceneItem } from "./layout";

/** Direct child counts, recomputed only when the layout changes (cards must not scan all workspaces). */
function countChildren(workspaces: Record<string, CardView>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const ws of Object.values(workspaces)) {
    if (ws.parentId && workspaces[ws.parentId]) counts[ws.parentId] = (counts[ws.parentId] ?? 0) + 1;
  }
  return counts;
}

function layoutOf(workspaces: Record<string, CardView>, previous: CardNode[]) {
  return { ...buildLayout(workspaces, previous), childCounts: countChildren(workspaces) };
}

/** Whether `next` may replace `current`: a snapshot older than the one shown never undoes it. */
export function isNewer(current: CardView | undefined, next: CardView): boolean {
  return !current || Date.parse(next.updatedAt) >= Date.parse(current.updatedAt);
}

export { FEED_LIMIT };

/** What the "needs attention" panel lists (SPEC §1: alive but broken, silent, or never came up). */
export const ATTENTION_STATUSES: ReadonlySet<WorkspaceStatus> = new Set(["degraded", "offline", "failed"]);

export type SidePanel = "attention" | "feed" | null;
export type Theme = "light" | "dark";
/** A request to bring one card into view and give it keyboard focus (search, feed, filters). */
export interface FocusRequest {
  id: string;
  seq: number;
}

export type Connection = "connecting" | "live" | "reconnecting" | "offline";
export type LoadState = { kind: "loading" } | { kind: "ready" } | { kind: "error"; message: string };
/** pending: click sent (sent=true once the server accepted it; cleared when the card leaves provisioning). */
export type RestartState = { kind: "pending"; sent: boolean } | { kind: "error"; message: string };

/** A button on a toast (Tidy's Undo): runs once and dismisses the toast. */
export interface ToastAction {
  label: string;
  run(): void;
}

export interface Toast {
  id: number;
  kind: "info" | "error" | "success";
  message: string;
  action?: ToastAction;
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

export interface CanvasState {
  workspaces: Record<string, CardView>;
  /** Ids removed since the page loaded: an older snapshot that still lists them never brings them back. */
  tombstones: Record<string, true>;
  /** "Show removed" (SPEC §1): removed workspaces stay on the canvas, greyed, with no actions. */
  showRemoved: boolean;
  nodes: CardNode[];
  scene: SceneItem[];
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
  feed: EventEnvelope[];
  /** How many events the feed keeps: FEED_LIMIT, more once older pages were asked for. */
  feedLimit: number;
  /** Whether the server has events older than the feed's last: null until the history was read. */
  feedMore: boolean | null;
  side: SidePanel;
  searchOpen: boolean;
  shortcutsOpen: boolean;
  focus: FocusRequest | null;
  /** Per status, which of its workspaces the toolbar filter showed last (click cycles on). */
  cycle: Partial<Record<WorkspaceStatus, number>>;
  theme: Theme | null;
  /** A Tidy layout is being computed or saved (the toolbar says so; a second Tidy waits). */
  tidying: boolean;

  /**
   * True while the canvas shows only the first-paint slice (top-level cards near the top-left),
   * until the full snapshot replaces it. The first view waits for the full list when it must.
   */
  partial: boolean;

  setLoad(load: LoadState): void;
  setConnection(connection: Connection): void;
  replaceAll(list: CardView[]): void;
  /** The first-paint slice: drawn at once, replaced by the full snapshot (never after it). */
  preview(list: CardView[]): void;
  upsert(list: CardView[]): void;
  remove(ids: string[]): void;
  setShowRemoved(on: boolean): void;
  patch(id: string, patch: Partial<CardView>): void;
  pushFeed(events: EventEnvelope[]): void;
  /** A page of events.recent: `older` when it was asked for with "load older" (grows the bound). */
  addFeedHistory(events: EventEnvelope[], more: boolean, older: boolean): void;
  setSide(side: SidePanel): void;
  setSearchOpen(open: boolean): void;
  setShortcutsOpen(open: boolean): void;
  focusCard(id: string): void;
  /** Focuses the next workspace with `status` (in canvas order) and returns it. */
  cycleStatus(status: WorkspaceStatus): string | null;
  setTheme(theme: Theme | null): void;
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
  toast(kind: Toast["kind"], message: string, action?: ToastAction): void;
  setTidying(tidying: boolean): void;
  dismissToast(id: number): void;
}

let toastSeq = 0;

/** Layout-relevant fields: only changes to these rebuild React Flow nodes (a removed card is fixed). */
function layoutChanged(a: CardView | undefined, b: CardView): boolean {
  return (
    !a ||
    a.x !== b.x ||
    a.y !== b.y ||
    a.parentId !== b.parentId ||
    a.collapsed !== b.collapsed ||
    (a.status === "removed") !== (b.status === "removed")
  );
}

export const useCanvas = create<CanvasState>()((set, get) => ({
  workspaces: {},
  tombstones: {},
  showRemoved: false,
  nodes: [],
  scene: [],
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
  feed: [],
  feedLimit: FEED_LIMIT,
  feedMore: null,
  side: null,
  searchOpen: false,
  shortcutsOpen: false,
  focus: null,
  cycle: {},
  theme: null,
  tidying: false,
  partial: false,

  setLoad: (load) => set({ load }),
  setConnection: (connection) => set({ connection }),

  // A full snapshot (first load, RESYNC): what it lists is the fleet, except that a card this page
  // already holds in a newer version keeps it, and a workspace it saw removed stays removed.
  replaceAll(list) {
    const { workspaces: current, tombstones, showRemoved } = get();
    const workspaces: Record<string, CardView> = {};
    for (const ws of list) {
      if (ws.status === "removed" ? !showRemoved : tombstones[ws.id]) continue;
      const was = current[ws.id];
      workspaces[ws.id] = was && !isNewer(was, ws) ? was : ws;
    }
    set({ workspaces, ...layoutOf(workspaces, get().nodes), load: { kind: "ready" }, partial: false });
  },

  preview(list) {
    if (get().load.kind === "ready") return; // the full snapshot came first: it stays
    get().replaceAll(list);
    set({ partial: true });
  },

  upsert(list) {
    const current = get().workspaces;
    const workspaces: Record<string, CardView> = { ...current };
    let relayout = false;
    const removed: string[] = [];
    let restarting = get().restarting;
    for (const ws of list) {
      const was = current[ws.id];
      // Answers can overtake each other (a slow restart reply, a refresh after an event): a
      // snapshot older than the one shown would undo a newer status.
      if (!isNewer(was, ws)) continue;
      if (ws.status === "removed" && !get().showRemoved) {
        removed.push(ws.id);
        continue;
      }
      if (ws.status !== "removed" && get().tombstones[ws.id]) continue;
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
    const tombstones = { ...get().tombstones };
    for (const id of ids) tombstones[id] = true;
    set({ tombstones });
    if (get().showRemoved) {
      // Shown greyed where it was, instead of disappearing.
      const marked = ids.flatMap((id) => {
        const ws = workspaces[id];
        return ws && ws.status !== "removed" ? [{ ...ws, status: "removed" as const }] : [];
      });
      for (const ws of marked) workspaces[ws.id] = ws;
      if (marked.length) set({ workspaces, ...layoutOf(workspaces, get().nodes) });
      return;
    }
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

  setShowRemoved(showRemoved) {
    set({ showRemoved });
    if (showRemoved) return;
    const gone = Object.values(get().workspaces).filter((ws) => ws.status === "removed");
    if (gone.length) get().remove(gone.map((ws) => ws.id));
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

  pushFeed(events) {
    const { feed, feedLimit } = get();
    const next = mergeFeed(feed, events, feedLimit);
    if (next !== feed) set({ feed: next });
  },
  addFeedHistory(events, more, older) {
    const feedLimit = older ? Math.min(FEED_MAX, get().feedLimit + events.length) : get().feedLimit;
    set({ feed: mergeFeed(get().feed, events, feedLimit), feedLimit, feedMore: more });
  },
  setSide: (side) => set({ side }),
  setSearchOpen: (searchOpen) => set({ searchOpen, menu: null }),
  setShortcutsOpen: (shortcutsOpen) => set({ shortcutsOpen }),
  focusCard(id) {
    set({ focus: { id, seq: (get().focus?.seq ?? 0) + 1 }, menu: null });
  },
  cycleStatus(status) {
    // Canvas order (parents first, then creation order) so repeated clicks walk a stable list.
    const ids = get()
      .nodes.map((n) => n.id)
      .filter((id) => get().workspaces[id]?.status === status);
    if (ids.length === 0) return null;
    const next = ((get().cycle[status] ?? -1) + 1) % ids.length;
    set({ cycle: { ...get().cycle, [status]: next } });
    const id = ids[next]!;
    get().focusCard(id);
    return id;
  },
  setTheme: (theme) => set({ theme }),

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

  toast(kind, message, action) {
    const id = ++toastSeq;
    set({ toasts: [...get().toasts.slice(-3), { id, kind, message, ...(action ? { action } : {}) }] });
    // An offer to undo stays long enough to be read and used.
    setTimeout(() => get().dismissToast(id), kind === "error" || action ? 8000 : 4000);
  },
  setTidying: (tidying) => set({ tidying }),
  dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
}));
