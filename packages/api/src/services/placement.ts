import { and, type Database, eq, isNull, ne, workspaces } from "@molecule/db";

// Card footprint on the canvas grid (the canvas draws cards 260×140; the gaps keep them apart).
export const SLOT_WIDTH = 300;
export const SLOT_HEIGHT = 180;
const COLUMNS = 4;
// Children sit inside their parent's card, below its header (positions are parent-relative).
const CHILD_ORIGIN = { x: 20, y: 60 };

/**
 * Where a new workspace without a position goes: the first grid slot among its siblings that no
 * sibling card overlaps. Positions are relative to the parent card (React Flow subflows).
 */
export async function nextFreeSlot(db: Database, parentId: string | null): Promise<{ x: number; y: number }> {
  const siblings = await db
    .select({ x: workspaces.canvasX, y: workspaces.canvasY })
    .from(workspaces)
    .where(
      and(
        parentId ? eq(workspaces.parentId, parentId) : isNull(workspaces.parentId),
        ne(workspaces.status, "removed"),
      ),
    );
  const origin = parentId ? CHILD_ORIGIN : { x: 0, y: 0 };
  const overlaps = (x: number, y: number) =>
    siblings.some((s) => Math.abs(s.x - x) < SLOT_WIDTH - 20 && Math.abs(s.y - y) < SLOT_HEIGHT - 20);
  for (let i = 0; i < 10_000; i++) {
    const x = origin.x + (i % COLUMNS) * SLOT_WIDTH;
    const y = origin.y + Math.floor(i / COLUMNS) * SLOT_HEIGHT;
    if (!overlaps(x, y)) return { x, y };
  }
  return { x: origin.x, y: origin.y + siblings.length * SLOT_HEIGHT };
}
