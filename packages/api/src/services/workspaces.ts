import { randomUUID } from "node:crypto";
import type { CreateWorkspace, WorkspaceView } from "@molecule/contracts";
import {
  agentMemories,
  type Database,
  findWorkspace,
  listVisibleWorkspaces,
  toWorkspaceView,
  workspaceSecrets,
  workspaces,
} from "@molecule/db";
import { fieldError } from "./errors";
import { lockEventLog, recordEvent } from "./events";
import { addChildRefusal } from "./org-tree";
import { nextFreeSlot } from "./placement";
import { findRuntime, loadRuntimes } from "./runtimes";
import { seal } from "./secrets-crypto";
import type { Services } from "./services";
import { loadTemplate } from "./templates";
import { mintToken, storeToken } from "./tokens";

export async function listWorkspaces(services: Services, includeRemoved = false): Promise<WorkspaceView[]> {
  const now = new Date();
  return (await listVisibleWorkspaces(services.handle.db, includeRemoved)).map((row) =>
    toWorkspaceView(row, now),
  );
}

/**
 * Creates a workspace (SPEC §4): template defaults fill what the input left empty; the row, its
 * token, encrypted secrets, initial memories and WORKSPACE_CREATED are written in one transaction.
 * Returns the token once (external agents need it; local processes get it from the provisioner).
 */
export async function createWorkspace(
  services: Services,
  input: CreateWorkspace,
): Promise<{ workspace: WorkspaceView; token: string }> {
  const { db } = services.handle;
  const template = input.template === undefined ? null : loadTemplate(input.template);
  if (input.template !== undefined && !template)
    throw fieldError("template", `no template named "${input.template}"`);

  const runtime = input.runtime ?? template?.runtime ?? "demo";
  if (!input.external && !findRuntime(loadRuntimes(services.config.runtimesFile), runtime)) {
    throw fieldError("runtime", `unknown runtime "${runtime}"`);
  }

  const id = randomUUID();
  const namespace = `workspace:${id}`;
  const token = mintToken();
  const position = input.canvas ?? (await nextFreeSlot(db, input.parentId ?? null));
  const memories = [
    ...(input.initialMemories.length ? [] : (template?.initialMemories ?? [])),
    ...input.initialMemories,
  ];

  const row = await db.transaction(async (tx) => {
    await lockEventLog(tx);
    // Checked under the lock a removal's or pause's event also takes: never a live child of a
    // removed parent, nor a new process under a paused one (pause cascades, SPEC §2).
    if (input.parentId) {
      const asDb = tx as unknown as Database;
      const parent = await findWorkspace(asDb, input.parentId);
      if (!parent) throw fieldError("parentId", "no workspace with that id");
      if (parent.status === "removed") throw fieldError("parentId", "that workspace was removed");
      const refusal = await addChildRefusal(asDb, parent);
      if (refusal) throw fieldError("parentId", refusal);
    }
    const [created] = await tx
      .insert(workspaces)
      .values({
        id,
        name: input.name,
        role: input.role || template?.role || "",
        // 0 or omitted: the template's tier, else 3. Omitted concurrency: the template's, else 1.
        tier: input.tier || template?.tier || 3,
        status: input.external ? "awaiting_agent" : "provisioning",
        awarenessNamespace: namespace,
        url: input.url ?? null,
        parentId: input.parentId ?? null,
        maxConcurrentTasks: input.maxConcurrentTasks ?? template?.maxConcurrentTasks ?? 1,
        budgetLimit: input.budgetLimit,
        runtime: input.external ? "external" : runtime,
        model: input.model || template?.model || "",
        external: input.external,
        workspaceDir: input.workspaceDir ?? null,
        workspaceAccess: input.workspaceAccess,
        canvasX: position.x,
        canvasY: position.y,
      })
      .returning();
    if (!input.external) services.processes?.claim(id, token); // see ProcessManager.claim
    await storeToken(tx, id, token);
    const secretRows = Object.entries(input.secrets).map(([key, value]) => ({
      workspaceId: id,
      key,
      ...seal(services.secretsKey, value),
    }));
    if (secretRows.length) await tx.insert(workspaceSecrets).values(secretRows);
    if (memories.length) {
      await tx.insert(agentMemories).values(
        memories.map((m) => ({
          id: randomUUID(),
          workspaceId: id,
          namespace,
          scope: m.scope,
          content: m.content,
        })),
      );
    }
    await recordEvent(tx, {
      workspaceId: id,
      type: "WORKSPACE_CREATED",
      payload: {
        name: input.name,
        parentId: input.parentId ?? null,
        external: input.external,
        status: created!.status,
      },
    });
    return created!;
  });
  if (!input.external) services.processes?.start(id, token);
  return { workspace: toWorkspaceView(row), token };
}
