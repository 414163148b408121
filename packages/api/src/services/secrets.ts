import { and, eq, findWorkspace, listSecretKeys, sql, workspaceSecrets } from "@molecule/db";
import { TRPCError } from "@trpc/server";
import { workspaceNotFound } from "./errors";
import { open, seal } from "./secrets-crypto";
import type { Services } from "./services";

async function assertLive(services: Services, id: string) {
  const row = await findWorkspace(services.handle.db, id);
  if (!row || row.status === "removed") throw workspaceNotFound();
}

/** Keys and timestamps only: values never leave the server except into the workspace's process. */
export async function listSecrets(services: Services, id: string) {
  await assertLive(services, id);
  return listSecretKeys(services.handle.db, id);
}

export async function setSecret(services: Services, id: string, key: string, value: string) {
  await assertLive(services, id);
  const sealed = seal(services.secretsKey, value);
  await services.handle.db
    .insert(workspaceSecrets)
    .values({ workspaceId: id, key, ...sealed })
    .onConflictDoUpdate({
      target: [workspaceSecrets.workspaceId, workspaceSecrets.key],
      set: { ...sealed, updatedAt: sql`now()` as unknown as Date },
    });
  return { key };
}

export async function deleteSecret(services: Services, id: string, key: string) {
  await assertLive(services, id);
  const deleted = await services.handle.db
    .delete(workspaceSecrets)
    .where(and(eq(workspaceSecrets.workspaceId, id), eq(workspaceSecrets.key, key)))
    .returning({ key: workspaceSecrets.key });
  if (deleted.length === 0) throw new TRPCError({ code: "NOT_FOUND", message: `No secret named ${key}.` });
  return { key };
}

/** Plaintext secrets for the workspace's own process environment (provisioner only). */
export async function decryptedSecrets(services: Services, id: string): Promise<Record<string, string>> {
  const rows = await services.handle.db
    .select()
    .from(workspaceSecrets)
    .where(eq(workspaceSecrets.workspaceId, id));
  return Object.fromEntries(rows.map((r) => [r.key, open(services.secretsKey, r)]));
}
