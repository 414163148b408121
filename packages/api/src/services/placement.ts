import {
  CARD_HEIGHT,
  CARD_WIDTH,
  PARENT_HEADER,
  PARENT_PADDING,
  regionSizes,
  SLOT_HEIGHT,
  SLOT_WIDTH,
} from "@molecule/contracts";
import { type Database, ne, workspaces } from "@molecule/db";

const COLUMNS = 4;
// Children sit inside their parent's card, below its header (positions are parent-relative).
const CHILD_ORIGIN = { x: PARENT_PADDING, y: PARENT_HEADER };
/** The gap kept between a new card and any sibling's footprint. */
const GAP = 20;

/**
 * Where a new workspace without a position goes: the first grid slot among its siblings that no
 * sibling's footprint overlaps. A sibling that is an expanded team is the whole region the canvas
 * draws around its children (the same rule, `regionSizes`), not one card: a new card placed inside
 * a region would be drawn under it. Positions are relative to the parent card (React Flow subflows).
 */
export async function nextFreeSlot(db: Database, parentId: string | null): Promise<{ x: number; y: number }> {
  // Every live workspace: a region's size depends on its whole subtree.
  const rows = await db
    .select({
      id: workspaces.id,
      parentId: workspaces.parentId,
      x: workspaces.canvasX,
      y: workspaces.canvasY,
      collapsed: workspaces.collapsed,
    })
    .from(workspaces)
    .where(ne(workspaces.status, "removed"));
  const live = new Set(rows.map((r) => r.id));
  const sizes = regionSizes(rows);
  // A parent that is gone (or removed) counts as none, as on the canvas.
  const siblings = rows
    .filter((r) => (r.parentId && live.has(r.parentId) ? r.parentId : null) === parentId)
    .map((r) => ({ x: r.x, y: r.y, ...(sizes.get(r.id) ?? { width: CARD_WIDTH, height: CARD_HEIGHT }) }));
  const origin = parentId ? CHILD_ORIGIN : { x: 0, y: 0 };
  const overlaps = (x: number, y: number) =>
    siblings.some(
      (s) =>
        x < s.x + s.width + GAP &&
        s.x < x + CARD_WIDTH + GAP &&
        y < s.y + s.height + GAP &&
        s.y < y + CARD_HEIGHT + GAP,
    );
  for (let i = 0; i < 10_000; i++) {
    const x = origin.x + (i % COLUMNS) * SLOT_WIDTH;
    const y = origin.y + Math.floor(i / COLUMNS) * SLOT_HEIGHT;
    if (!overlaps(x, y)) return { x, y };
  }
  const bottom = Math.max(origin.y, ...siblings.map((s) => s.y + s.height + GAP));
  return { x: origin.x, y: bottom };
}
