/**
 * How big a workspace is on the canvas. The canvas draws it (apps/canvas/lib/layout.ts) and the
 * server places new workspaces clear of it (packages/api placement), so both use this one rule:
 * a card is CARD_WIDTH × CARD_HEIGHT; an expanded parent is a region around its children
 * (positions are relative to the parent, React Flow subflows), grown by PARENT_PADDING.
 */
export const CARD_WIDTH = 260;
export const CARD_HEIGHT = 150;
/** Room around the children inside an expanded parent card. */
export const PARENT_PADDING = 20;
/** Children never go above an expanded parent's slim header. */
export const PARENT_HEADER = 60;
/** The grid new workspaces are placed on: a card and a gap. */
export const SLOT_WIDTH = 300;
export const SLOT_HEIGHT = 180;
/** Nesting deeper than this is not drawn (and not measured): a guard against cycles in bad data. */
export const MAX_DRAWN_DEPTH = 32;

export interface Size {
  width: number;
  height: number;
}

export interface PlacedWorkspace {
  id: string;
  parentId: string | null;
  x: number;
  y: number;
  collapsed: boolean;
}

/**
 * The size of every expanded parent with children (a region); plain cards and collapsed parents
 * are not in the map (they are CARD_WIDTH × CARD_HEIGHT). A parent id that is not in `items` counts
 * as no parent, as on the canvas.
 */
export function regionSizes(items: Iterable<PlacedWorkspace>): Map<string, Size> {
  const byId = new Map<string, PlacedWorkspace>();
  for (const item of items) byId.set(item.id, item);
  const children = new Map<string, PlacedWorkspace[]>();
  for (const item of byId.values()) {
    if (!item.parentId || !byId.has(item.parentId)) continue;
    const list = children.get(item.parentId);
    if (list) list.push(item);
    else children.set(item.parentId, [item]);
  }
  const sizes = new Map<string, Size | null>();
  const sizeOf = (item: PlacedWorkspace, depth: number): Size | null => {
    const known = sizes.get(item.id);
    if (known !== undefined) return known;
    const kids = children.get(item.id);
    let size: Size | null = null;
    if (kids?.length && !item.collapsed && depth < MAX_DRAWN_DEPTH) {
      let width = CARD_WIDTH;
      let height = CARD_HEIGHT;
      for (const kid of kids) {
        const k = sizeOf(kid, depth + 1) ?? { width: CARD_WIDTH, height: CARD_HEIGHT };
        width = Math.max(width, kid.x + k.width + PARENT_PADDING);
        height = Math.max(height, kid.y + k.height + PARENT_PADDING);
      }
      size = { width, height };
    }
    sizes.set(item.id, size);
    return size;
  };
  // Roots first, so depths count from the top as the canvas draws them.
  const roots = [...byId.values()].filter((item) => !item.parentId || !byId.has(item.parentId));
  for (const root of roots) sizeOf(root, 0);
  const out = new Map<string, Size>();
  for (const item of byId.values()) {
    const size = sizeOf(item, 0);
    if (size) out.set(item.id, size);
  }
  return out;
}
