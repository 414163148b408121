import { type Database, workspaces } from "@molecule/db";
import { type AccessDecision, checkAccess, type OrgNode } from "../domain/access";
import { casUpdate } from "./cas";
import { workspaceRemoved } from "./errors";
import type { Services } from "./services";

export async function updateAgentCard(services: Services, id: string, agentCard: Record<string, unknown>) {
  await casUpdate(services.handle.db, id, (row) => {
    if (row.status === "removed") throw workspaceRemoved();
    return {
      transition: null,
      set: { agentCard },
      events: [{ type: "AGENT_CARD_UPDATED", payload: { name: agentCard.name ?? null } }],
    };
  });
}

/** The org tree as the access rule sees it. */
export async function loadOrg(db: Database): Promise<Map<string, OrgNode>> {
  const rows = await db
    .select({
      id: workspaces.id,
      parentId: workspaces.parentId,
      forwardedTo: workspaces.forwardedTo,
      status: workspaces.status,
    })
    .from(workspaces);
  return new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, parentId: r.parentId, forwardedTo: r.forwardedTo, removed: r.status === "removed" },
    ]),
  );
}

export async function accessFor(
  services: Services,
  callerId: string,
  targetId: string,
): Promise<AccessDecision> {
  return checkAccess(await loadOrg(services.handle.db), callerId, targetId);
}
