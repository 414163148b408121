import type { WorkspaceView } from "@molecule/contracts";
import type { Node } from "@xyflow/react";

/** Card footprint (matches packages/api placement: 260×140 cards on a 300×180 grid). */
export const CARD_WIDTH = 260;
export const CARD_HEIGHT = 150;
/** Room around the children inside an expanded parent card. */
export const PARENT_PADDING = 20;
/** Children dropped into a parent never go above its slim header (packages/api placement: y 60). */
export const PARENT_HEADER = 60;

/** Node data carries only the id: cards read their workspace from the store (no callbacks in data). */
export type CardData = { id: string };
export type CardNode = Node<CardData, "workspace">;

interface Size {
  width: number;
  height: number;
}

/**
 * Builds React Flow nodes from workspaces: parents before children (React Flow requires it),
 * children positioned relative to their parent, descendants of collapsed parents hidden, and
 * expanded parents sized to contain their children. Unchanged nodes keep their object identity so
 * React Flow and memoised cards skip them.
 */
export function buildNodes(
  workspaces: Record<string, WorkspaceView>,
  previous: readonly CardNode[],
): CardNode[] {
  const prevById = new Map(previous.map((n) => [n.id, n]));
  const children = new Map<string | null, WorkspaceView[]>();
  for (const ws of Object.values(workspaces)) {
    const parent = ws.parentId && workspaces[ws.parentId] ? ws.parentId : null;
    const list = children.get(parent);
    if (list) list.push(ws);
    else children.set(parent, [ws]);
  }

  const sizes = new Map<string, Size | null>();
  const sizeOf = (ws: WorkspaceView, depth: number): Size | null => {
    if (sizes.has(ws.id)) return sizes.get(ws.id) ?? null;
    const kids = children.get(ws.id);
    let size: Size | null = null;
    if (kids?.length && !ws.collapsed && depth < 32) {
      let width = CARD_WIDTH;
      let height = CARD_HEIGHT;
      for (const kid of kids) {
        const k = sizeOf(kid, depth + 1) ?? { width: CARD_WIDTH, height: CARD_HEIGHT };
        width = Math.max(width, kid.x + k.width + PARENT_PADDING);
        height = Math.max(height, kid.y + k.height + PARENT_PADDING);
      }
      size = { width, height };
    }
    sizes.set(ws.id, size);
    return size;
  };

  const out: CardNode[] = [];
  const visit = (ws: WorkspaceView, parent: string | null, hidden: boolean, depth: number) => {
    const size = sizeOf(ws, depth);
    const prev = prevById.get(ws.id);
    const same =
      prev &&
      prev.position.x === ws.x &&
      prev.position.y === ws.y &&
      (prev.parentId ?? null) === parent &&
      Boolean(prev.hidden) === hidden &&
      prev.width === size?.width &&
      prev.height === size?.height;
    if (same) {
      out.push(prev);
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
      out.push(node);
    }
    if (depth >= 32) return;
    for (const kid of children.get(ws.id) ?? []) visit(kid, ws.id, hidden || ws.collapsed, depth + 1);
  };
  for (const root of children.get(null) ?? []) visit(root, null, false, 0);
  return out;
}

/** Every descendant id of `id` (for "don't drop a card into its own subtree" and cascade confirms). */
export function descendantsOf(workspaces: Record<string, WorkspaceView>, id: string): WorkspaceView[] {
  const out: WorkspaceView[] = [];
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
