import { asc, eq } from "drizzle-orm";
import type { Database } from "../client";
import { workspaceSecrets } from "../schema";

/** A workspace's secret keys and timestamps, by key. Never the values (SPEC §5). */
export async function listSecretKeys(
  db: Database,
  workspaceId: string,
): Promise<{ key: string; createdAt: string; updatedAt: string }[]> {
  const rows = await db
    .select({
      key: workspaceSecrets.key,
      createdAt: workspaceSecrets.createdAt,
      updatedAt: workspaceSecrets.updatedAt,
    })
    .from(workspaceSecrets)
    .where(eq(workspaceSecrets.workspaceId, workspaceId))
    .orderBy(asc(workspaceSecrets.key));
  return rows.map((r) => ({
    key: r.key,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }));
}
