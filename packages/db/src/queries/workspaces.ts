import { asc, eq, ne } from "drizzle-orm";
import type { Database } from "../client";
import { type WorkspaceRow, workspaces } from "../schema";

export async function findWorkspace(db: Database, id: string): Promise<WorkspaceRow | null> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, id)).limit(1);
  return row ?? null;
}

/** Every workspace the canvas draws: all but the removed tombstones (unless asked for), oldest first. */
export async function listVisibleWorkspaces(db: Database, includeRemoved = false): Promise<WorkspaceRow[]> {
  return db
    .select()
    .from(workspaces)
    .where(includeRemoved ? undefined : ne(workspaces.status, "removed"))
    .orderBy(asc(workspaces.createdAt), asc(workspaces.id));
}
