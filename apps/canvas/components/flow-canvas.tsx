"use client";

import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  type Node,
  type OnNodeDrag,
  ReactFlow,
  useReactFlow,
} from "@xyflow/react";
import { useCallback, useEffect, useRef } from "react";
import { useShallow } from "zustand/react/shallow";
import { reparent, saveMoves } from "@/lib/actions";
import { type CardNode, descendantsOf, PARENT_HEADER, PARENT_PADDING } from "@/lib/layout";
import { useCanvas } from "@/lib/store";
import { WorkspaceNode } from "./workspace-node";

// Module level: a new nodeTypes object per render would remount every card.
// https://reactflow.dev/learn/customization/custom-nodes
const nodeTypes = { workspace: WorkspaceNode };
/** Above this many cards, only those in view are rendered and the first view is not "fit all". */
const BIG_ORG = 200;
/** Used to centre a deep-linked card before React Flow has measured it. */
const CARD_WIDTH_GUESS = 260;
const CARD_HEIGHT_GUESS = 120;

const STATUS_COLOURS: Record<string, string> = {
  provisioning: "#0ea5e9",
  awaiting_agent: "#8b5cf6",
  online: "#10b981",
  degraded: "#f59e0b",
  offline: "#71717a",
  failed: "#ef4444",
  paused: "#6366f1",
};
const minimapColour = (node: Node) =>
  STATUS_COLOURS[useCanvas.getState().workspaces[node.id]?.status ?? ""] ?? "#a1a1aa";

export function FlowCanvas() {
  const { nodes, onNodesChange, select, openMenu, setDropTarget, setPendingNest } = useCanvas(
    useShallow((s) => ({
      nodes: s.nodes,
      onNodesChange: s.onNodesChange,
      select: s.select,
      openMenu: s.openMenu,
      setDropTarget: s.setDropTarget,
      setPendingNest: s.setPendingNest,
    })),
  );
  const rf = useReactFlow<CardNode>();
  const excluded = useRef<Set<string>>(new Set());
  const fitted = useRef(false);

  // Fit the view once, when the first workspaces are there. A big org is not squeezed into one
  // screen of unreadable dots (which would also put every card in the DOM): it opens at a readable
  // zoom on its top-left corner; the minimap and Fit View show the rest.
  useEffect(() => {
    if (fitted.current || nodes.length === 0) return;
    fitted.current = true;
    // A deep link (`/?focus=<workspace id>`, e.g. from an alert) opens on that card at full size.
    const focus = new URLSearchParams(window.location.search).get("focus");
    const target = focus ? nodes.find((n) => n.id === focus && !n.hidden) : undefined;
    if (target) {
      requestAnimationFrame(() => {
        const internal = rf.getInternalNode(target.id);
        const at = internal?.internals.positionAbsolute ?? target.position;
        const w = internal?.measured.width ?? CARD_WIDTH_GUESS;
        const h = internal?.measured.height ?? CARD_HEIGHT_GUESS;
        void rf.setCenter(at.x + w / 2, at.y + h / 2, { zoom: 1 });
      });
      return;
    }
    if (nodes.length <= BIG_ORG) {
      requestAnimationFrame(() => void rf.fitView({ maxZoom: 1, padding: 0.2 }));
      return;
    }
    let minX = Number.POSITIVE_INFINITY;
    let minY = Number.POSITIVE_INFINITY;
    for (const n of nodes) {
      if (n.parentId) continue;
      minX = Math.min(minX, n.position.x);
      minY = Math.min(minY, n.position.y);
    }
    const zoom = 0.8;
    void rf.setViewport({ x: 40 - minX * zoom, y: 40 - minY * zoom, zoom });
  }, [nodes, rf]);

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
      for (const other of useCanvas.getState().nodes) {
        if (other.hidden || excluded.current.has(other.id)) continue;
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
    [rf],
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

  return (
    <ReactFlow<CardNode>
      nodes={nodes}
      onNodesChange={onNodesChange}
      nodeTypes={nodeTypes}
      onNodeDragStart={onNodeDragStart}
      onNodeDrag={onNodeDrag}
      onNodeDragStop={onNodeDragStop}
      onNodeClick={(_e, node) => select(node.id)}
      onNodeContextMenu={(e, node) => {
        e.preventDefault();
        openMenu({ id: node.id, x: e.clientX, y: e.clientY });
      }}
      onPaneClick={() => openMenu(null)}
      onPaneContextMenu={(e) => {
        e.preventDefault();
        openMenu(null);
      }}
      nodesFocusable={false}
      nodesConnectable={false}
      edgesFocusable={false}
      deleteKeyCode={null}
      minZoom={0.05}
      maxZoom={2}
      onlyRenderVisibleElements={nodes.length > BIG_ORG}
      proOptions={{ hideAttribution: true }}
    >
      <Background variant={BackgroundVariant.Dots} gap={24} size={1.2} color="#cbd5e1" />
      {nodes.length > 0 && (
        <MiniMap
          pannable
          zoomable
          nodeColor={minimapColour}
          nodeStrokeWidth={0}
          maskColor="rgba(241,245,249,0.7)"
        />
      )}
      <Controls showInteractive={false} />
    </ReactFlow>
  );
}
