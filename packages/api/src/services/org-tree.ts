import { judgeAction, pausedAncestorOf, type TreeNode, type WorkspaceStatus } from "@molecule/contracts";
import { type Database, eq, workspaces } from "@molecule/db";

interface TreeRow {
  id: string;
  parentId: string | null;
  name: string;
  status: string;
}

/** Every non-removed descendant of `id`, parents before children (breadth-first). */
export async function descendantsOf(db: Database, id: string): Promise<TreeRow[]> {
  const rows = await db
    .select({
      id: workspaces.id,
      parentId: workspaces.parentId,
      name: workspaces.name,
      status: workspaces.status,
    })
    .from(workspaces);
  const children = new Map<string, TreeRow[]>();
  for (const row of rows) {
    if (row.status === "removed" || !row.parentId) continue;
    const list = children.get(row.parentId) ?? [];
    list.push(row);
    children.set(row.parentId, list);
  }
  const out: TreeRow[] = [];
  const seen = new Set([id]);
  const queue = [id];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (seen.has(child.id)) continue; // defensive: parent loops cannot be written, but never spin
      seen.add(child.id);
      out.push(child);
      queue.push(child.id);
    }
  }
  return out;
}

/**
 * The name of the nearest paused workspace at or above `parentId`, or null. Reads the parent chain
 * (one row per level, depth cap 32) and lets the shared rule walk it, as the canvas does.
 */
export async function pausedAncestor(db: Database, parentId: string | null): Promise<string | null> {
  const chain = new Map<string, TreeNode>();
  for (let next = parentId, depth = 0; next && depth < 32 && !chain.has(next); depth++) {
    const [row] = await db
      .select({ parentId: workspaces.parentId, status: workspaces.status, name: workspaces.name })
      .from(workspaces)
      .where(eq(workspaces.id, next))
      .limit(1);
    if (!row) break;
    chain.set(next, row);
    next = row.parentId;
  }
  return pausedAncestorOf((id) => chain.get(id), parentId);
}

/**
 * Why a running workspace may not be placed under `parent` (created there, or moved there), or
 * null: pause cascades, so nothing runs under a paused workspace (SPEC §2).
 */
export async function addChildRefusal(
  db: Database,
  parent: { status: WorkspaceStatus; parentId: string | null },
): Promise<string | null> {
  const verdict = judgeAction("addChild", parent.status, {
    pausedAncestor: await pausedAncestor(db, parent.parentId),
  });
  return verdict.ok ? null : verdict.reason;
}
