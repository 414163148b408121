import { CARD_HEIGHT, CARD_WIDTH, type CardView, MAX_DRAWN_DEPTH, regionSizes } from "@molecule/contracts";
import type { Node } from "@xyflow/react";

// The card and region geometry is shared with the server's placement of new workspaces.
export { CARD_HEIGHT, CARD_WIDTH, PARENT_HEADER, PARENT_PADDING } from "@molecule/contracts";

/**
 * A removed card (shown with "Show removed") is drawn under every live one: a live workspace may be
 * placed where a removed one was. React Flow lifts each child one above its parent, so a removed
 * team's removed members stay below zero too.
 */
const REMOVED_Z = -100;

/** Node data carries only the id: cards read their workspace from the store (no callbacks in data). */
export type CardData = { id: string };
export type CardNode = Node<CardData, "workspace">;

/**
 * One visible workspace in absolute flow coordinates: what the far-zoom layer draws, the minimap
 * shows, and the viewport culling tests, without asking React Flow (which only holds the cards in
 * view). `region` marks an expanded parent (drawn as an area around its children).
 */
export interface SceneItem {
  id: string;
  parentId: string | null;
  x: number;
  y: number;
  w: number;
  h: number;
  region: boolean;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Builds React Flow nodes from workspaces: parents before children (React Flow requires it),
 * children positioned relative to their parent, descendants of collapsed parents hidden, and
 * expanded parents sized to contain their children. Unchanged nodes keep their object identity so
 * React Flow and memoised cards skip them. The scene holds the same cards in absolute coordinates.
 */
export function buildLayout(
  workspaces: Record<string, CardView>,
  previous: readonly CardNode[],
): { nodes: CardNode[]; scene: SceneItem[] } {
  const prevById = new Map(previous.map((n) => [n.id, n]));
  const children = new Map<string | null, CardView[]>();
  for (const ws of Object.values(workspaces)) {
    const parent = ws.parentId && workspaces[ws.parentId] ? ws.parentId : null;
    const list = children.get(parent);
    if (list) list.push(ws);
    else children.set(parent, [ws]);
  }

  const sizes = regionSizes(Object.values(workspaces));
  const sizeOf = (ws: CardView) => sizes.get(ws.id) ?? null;

  const nodes: CardNode[] = [];
  const scene: SceneItem[] = [];
  const visit = (
    ws: CardView,
    parent: string | null,
    hidden: boolean,
    depth: number,
    ox: number,
    oy: number,
  ) => {
    const size = sizeOf(ws);
    const prev = prevById.get(ws.id);
    // A removed card (shown with "Show removed") stays where it was: the server refuses its moves.
    const fixed = ws.status === "removed";
    const same =
      prev &&
      (prev.draggable === false) === fixed &&
      prev.position.x === ws.x &&
      prev.position.y === ws.y &&
      (prev.parentId ?? null) === parent &&
      Boolean(prev.hidden) === hidden &&
      prev.width === size?.width &&
      prev.height === size?.height;
    if (same) {
      nodes.push(prev);
    } else {
      const node: CardNode = {
        ...(prev ?? {}),
        id: ws.id,
        type: "workspace",
        position: { x: ws.x, y: ws.y },
        data: prev?.data ?? { id: ws.id },
        hidden,
        width: size?.width,
        height: size?.height,
      };
      if (parent) node.parentId = parent;
      else delete node.parentId;
      if (fixed) {
        node.draggable = false;
        node.zIndex = REMOVED_Z;
      } else {
        delete node.draggable;
        delete node.zIndex;
      }
      nodes.push(node);
    }
    const ax = ox + ws.x;
    const ay = oy + ws.y;
    if (!hidden) {
      scene.push({
        id: ws.id,
        parentId: parent,
        x: ax,
        y: ay,
        w: size?.width ?? CARD_WIDTH,
        h: size?.height ?? CARD_HEIGHT,
        region: size !== null,
      });
    }
    if (depth >= MAX_DRAWN_DEPTH) return;
    for (const kid of children.get(ws.id) ?? []) visit(kid, ws.id, hidden || ws.collapsed, depth + 1, ax, ay);
  };
  // Removed trees first: the far-zoom layer and the minimap draw in this order, and live cards go on top.
  const roots = children.get(null) ?? [];
  for (const root of roots) if (root.status === "removed") visit(root, null, false, 0, 0, 0);
  for (const root of roots) if (root.status !== "removed") visit(root, null, false, 0, 0, 0);
  return { nodes, scene };
}

/** The smallest rectangle holding every card (null for an empty canvas). */
export function boundsOf(scene: readonly SceneItem[]): Rect | null {
  if (scene.length === 0) return null;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const s of scene) {
    minX = Math.min(minX, s.x);
    minY = Math.min(minY, s.y);
    maxX = Math.max(maxX, s.x + s.w);
    maxY = Math.max(maxY, s.y + s.h);
  }
  return { x: minX, y: minY, w: maxX - minX, h: maxY - minY };
}

/**
 * Ids of the cards that overlap `rect`, plus their ancestors (React Flow needs a child's parent
 * among its nodes). This is what keeps React Flow small: it is handed these cards, not the fleet.
 */
export function idsInRect(scene: readonly SceneItem[], rect: Rect): Set<string> {
  const out = new Set<string>();
  const parentOf = new Map<string, string | null>();
  for (const s of scene) {
    parentOf.set(s.id, s.parentId);
    if (s.x < rect.x + rect.w && s.x + s.w > rect.x && s.y < rect.y + rect.h && s.y + s.h > rect.y) {
      out.add(s.id);
    }
  }
  for (const id of [...out]) {
    let p = parentOf.get(id) ?? null;
    for (let depth = 0; p && depth < 32 && !out.has(p); depth++) {
      out.add(p);
      p = parentOf.get(p) ?? null;
    }
  }
  return out;
}

/** The topmost (deepest) card under a flow point: scene order is parents first. */
export function itemAt(scene: readonly SceneItem[], x: number, y: number): SceneItem | null {
  for (let i = scene.length - 1; i >= 0; i--) {
    const s = scene[i]!;
    if (x >= s.x && x <= s.x + s.w && y >= s.y && y <= s.y + s.h) return s;
  }
  return null;
}

/** Every descendant id of `id` (for "don't drop a card into its own subtree" and cascade confirms). */
export function descendantsOf(workspaces: Record<string, CardView>, id: string): CardView[] {
  const out: CardView[] = [];
  const all = Object.values(workspaces);
  const queue = [id];
  const seen = new Set(queue);
  while (queue.length) {
    const current = queue.shift()!;
    for (const ws of all) {
      if (ws.parentId === current && !seen.has(ws.id)) {
        seen.add(ws.id);
        out.push(ws);
        queue.push(ws.id);
      }
    }
  }
  return out;
}
