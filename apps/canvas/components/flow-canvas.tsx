"use client";

import {
  ControlButton,
  Controls,
  type OnNodeDrag,
  Panel,
  ReactFlow,
  useReactFlow,
  useStore,
  useStoreApi,
} from "@xyflow/react";
import { type MouseEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { reparent, saveMoves } from "@/lib/actions";
import {
  boundsOf,
  type CardNode,
  descendantsOf,
  idsInRect,
  itemAt,
  PARENT_HEADER,
  PARENT_PADDING,
} from "@/lib/layout";
import { statusLabel } from "@/lib/status";
import { useCanvas } from "@/lib/store";
import { cullKey, cullRect, fitTransform, isFar } from "@/lib/viewport";
import { DotBackground } from "./dot-background";
import { FleetLayer } from "./fleet-layer";
import { FleetMinimap } from "./fleet-minimap";
import { useDark } from "./theme";
import { WorkspaceNode } from "./workspace-node";

// Module level: a new nodeTypes object per render would remount every card.
// https://reactflow.dev/learn/customization/custom-nodes
const nodeTypes = { workspace: WorkspaceNode };
/** Above this many cards the first view is not "fit all" (that would be the far-zoom layer). */
const BIG_ORG = 200;
const MIN_ZOOM = 0.02;
const MAX_ZOOM = 2;

/** The zoom a card is brought to when something asks for it (search, feed, a far-zoom click). */
const FOCUS_ZOOM = 1;

export function FlowCanvas() {
  const { nodes, scene, onNodesChange, select, openMenu, setDropTarget, setPendingNest } = useCanvas(
    useShallow((s) => ({
      nodes: s.nodes,
      scene: s.scene,
      onNodesChange: s.onNodesChange,
      select: s.select,
      openMenu: s.openMenu,
      setDropTarget: s.setDropTarget,
      setPendingNest: s.setPendingNest,
    })),
  );
  const rf = useReactFlow<CardNode>();
  const flow = useStoreApi<CardNode>();
  const dark = useDark();
  const excluded = useRef<Set<string>>(new Set());
  const fitted = useRef(false);
  const [hover, setHover] = useState<{ id: string; x: number; y: number } | null>(null);

  // React Flow gets only the cards around the view (none when zoomed far out): a 5,000-card fleet
  // costs what the screen shows. The key changes a few times per screen panned, not per frame.
  const key = useStore((s) => cullKey(s.transform, s.width || 1440, s.height || 900));
  const inView = useMemo(() => {
    if (key === "far") return new Set<string>();
    const { transform, width, height } = flow.getState();
    return idsInRect(scene, cullRect(transform, width || 1440, height || 900));
  }, [key, scene, flow]);
  const flowNodes = useMemo(() => nodes.filter((n) => inView.has(n.id) || n.dragging), [nodes, inView]);

  // The first view, once the first workspaces are there. A deep link (`/?focus=<id>`, e.g. from an
  // alert) opens on that card; a small org is fitted; a big one opens at a readable zoom on its
  // top-left corner (fitting it would be the far-zoom overview; the minimap shows the rest).
  const partial = useCanvas((s) => s.partial);
  useEffect(() => {
    if (fitted.current || scene.length === 0) return;
    const focus = new URLSearchParams(window.location.search).get("focus");
    const target = focus ? scene.find((s) => s.id === focus) : undefined;
    // The first-paint slice (top-level cards only) decides a big org's first view; a small org is
    // fitted, and a deep link focused, once the full list is in.
    if (partial && ((focus && !target) || scene.length <= BIG_ORG)) return;
    fitted.current = true;
    const { width, height } = flow.getState();
    if (target) {
      void rf.setCenter(target.x + target.w / 2, target.y + target.h / 2, { zoom: FOCUS_ZOOM });
      return;
    }
    const bounds = boundsOf(scene)!;
    if (scene.length <= BIG_ORG) {
      void rf.setViewport(fitTransform(bounds, width || 1440, height || 900, 0.2, MIN_ZOOM, 1));
      return;
    }
    const zoom = 0.8;
    void rf.setViewport({ x: 40 - bounds.x * zoom, y: 40 - bounds.y * zoom, zoom });
  }, [scene, partial, rf, flow]);

  // Search, the feed and the status filters ask for a card: centre it at a readable zoom, then give
  // the card keyboard focus once React Flow has drawn it.
  const focus = useCanvas((s) => s.focus);
  useEffect(() => {
    if (!focus) return;
    const { scene: all, workspaces } = useCanvas.getState();
    // A card inside a collapsed parent is not drawn: go to its nearest visible ancestor.
    let id: string | null = focus.id;
    let item = all.find((s) => s.id === id);
    for (let depth = 0; !item && id && depth < 32; depth++) {
      id = workspaces[id]?.parentId ?? null;
      item = id ? all.find((s) => s.id === id) : undefined;
    }
    if (!item) return;
    const target = item;
    void rf.setCenter(target.x + Math.min(target.w, 600) / 2, target.y + Math.min(target.h, 400) / 2, {
      zoom: Math.max(FOCUS_ZOOM, flow.getState().transform[2]),
    });
    let tries = 0;
    let frame = requestAnimationFrame(function find() {
      // React Flow keeps a node hidden until it has measured it, and a hidden element cannot take
      // focus: try again next frame until it does.
      const el = document.querySelector<HTMLElement>(`.react-flow [data-workspace-id="${target.id}"]`);
      el?.focus({ preventScroll: true });
      if (el && document.activeElement === el) return;
      if (++tries < 120) frame = requestAnimationFrame(find);
    });
    return () => cancelAnimationFrame(frame);
  }, [focus, rf, flow]);

  /** The deepest visible card under the dragged card's centre (not itself, not its own subtree). */
  const dropTargetFor = useCallback(
    (node: CardNode): string | null => {
      const self = rf.getInternalNode(node.id);
      if (!self) return null;
      const w = self.measured.width ?? 0;
      const h = self.measured.height ?? 0;
      const cx = self.internals.positionAbsolute.x + w / 2;
      const cy = self.internals.positionAbsolute.y + h / 2;
      let found: string | null = null;
      const { workspaces } = useCanvas.getState();
      for (const other of flow.getState().nodes) {
        if (other.hidden || excluded.current.has(other.id)) continue;
        // A removed card (shown with "Show removed") takes no children: the server would refuse.
        if (workspaces[other.id]?.status === "removed") continue;
        const internal = rf.getInternalNode(other.id);
        if (!internal) continue;
        const { x, y } = internal.internals.positionAbsolute;
        const ow = internal.measured.width ?? 0;
        const oh = internal.measured.height ?? 0;
        // Nodes are ordered parents first, so the last hit is the deepest card.
        if (cx >= x && cx <= x + ow && cy >= y && cy <= y + oh) found = other.id;
      }
      return found;
    },
    [rf, flow],
  );

  const onNodeDragStart: OnNodeDrag<CardNode> = useCallback((_e, node) => {
    const workspaces = useCanvas.getState().workspaces;
    excluded.current = new Set([node.id, ...descendantsOf(workspaces, node.id).map((w) => w.id)]);
  }, []);

  const onNodeDrag: OnNodeDrag<CardNode> = useCallback(
    (_e, node, dragged) => {
      if (dragged.length !== 1) return;
      const target = dropTargetFor(node);
      setDropTarget(target !== (node.parentId ?? null) ? target : null);
    },
    [dropTargetFor, setDropTarget],
  );

  // Persistence on drag stop: the third argument holds every dragged node (multi-selection drags).
  const onNodeDragStop: OnNodeDrag<CardNode> = useCallback(
    (_e, node, dragged) => {
      setDropTarget(null);
      if (dragged.length === 1) {
        const target = dropTargetFor(node);
        const parent = node.parentId ?? null;
        const abs = rf.getInternalNode(node.id)?.internals.positionAbsolute ?? node.position;
        const ws = useCanvas.getState().workspaces[node.id];
        if (target && target !== parent && ws) {
          const t = rf.getInternalNode(target)?.internals.positionAbsolute ?? { x: 0, y: 0 };
          setPendingNest({
            childId: node.id,
            targetId: target,
            x: Math.round(Math.max(PARENT_PADDING, abs.x - t.x)),
            y: Math.round(Math.max(PARENT_HEADER, abs.y - t.y)),
          });
          return;
        }
        if (!target && parent) {
          void reparent(node.id, null, Math.round(abs.x), Math.round(abs.y));
          return;
        }
      }
      void saveMoves(
        dragged.map((n) => ({ id: n.id, x: Math.round(n.position.x), y: Math.round(n.position.y) })),
      );
    },
    [dropTargetFor, rf, setDropTarget, setPendingNest],
  );

  /** Far out, the pane stands in for the shapes: what card is under the pointer? */
  const shapeAt = useCallback(
    (e: MouseEvent) => {
      if (!isFar(flow.getState().transform[2])) return null;
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      return itemAt(useCanvas.getState().scene, p.x, p.y);
    },
    [rf, flow],
  );

  const fitAll = useCallback(() => {
    const bounds = boundsOf(useCanvas.getState().scene);
    const { width, height } = flow.getState();
    if (bounds) void rf.setViewport(fitTransform(bounds, width, height, 0.1, MIN_ZOOM, 1));
  }, [rf, flow]);

  return (
    <>
      <ReactFlow<CardNode>
        nodes={flowNodes}
        onNodesChange={onNodesChange}
        nodeTypes={nodeTypes}
        colorMode={dark ? "dark" : "light"}
        onNodeDragStart={onNodeDragStart}
        onNodeDrag={onNodeDrag}
        onNodeDragStop={onNodeDragStop}
        onNodeClick={(_e, node) => select(node.id)}
        onNodeContextMenu={(e, node) => {
          e.preventDefault();
          openMenu({ id: node.id, x: e.clientX, y: e.clientY });
        }}
        onPaneClick={(e) => {
          openMenu(null);
          const hit = shapeAt(e);
          if (hit) {
            setHover(null);
            useCanvas.getState().focusCard(hit.id);
          }
        }}
        onPaneMouseMove={(e) => {
          const hit = shapeAt(e);
          setHover(hit ? { id: hit.id, x: e.clientX, y: e.clientY } : null);
        }}
        onPaneMouseLeave={() => setHover(null)}
        onMoveStart={() => setHover(null)}
        onPaneContextMenu={(e) => {
          e.preventDefault();
          openMenu(null);
        }}
        nodesFocusable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        deleteKeyCode={null}
        minZoom={MIN_ZOOM}
        maxZoom={MAX_ZOOM}
        proOptions={{ hideAttribution: true }}
      >
        <DotBackground gap={24} size={1.2} color={dark ? "#334155" : "#cbd5e1"} />
        <FleetLayer />
        {scene.length > 0 && (
          <Panel position="bottom-right">
            <FleetMinimap />
          </Panel>
        )}
        <Controls showInteractive={false} showFitView={false}>
          <ControlButton onClick={fitAll} aria-label="Fit View" title="Fit every workspace in view">
            ⤢
          </ControlButton>
        </Controls>
      </ReactFlow>
      {hover && <ShapeTooltip {...hover} />}
    </>
  );
}

/** The name (and status) of the shape under the pointer when zoomed far out. */
function ShapeTooltip({ id, x, y }: { id: string; x: number; y: number }) {
  const ws = useCanvas((s) => s.workspaces[id]);
  if (!ws) return null;
  return (
    <div
      className="shape-tip"
      role="tooltip"
      data-testid="shape-tooltip"
      data-workspace-status={ws.status}
      style={{ left: x + 14, top: y + 14 }}
    >
      <strong>{ws.name}</strong> · {statusLabel(ws.status)}
    </div>
  );
}
