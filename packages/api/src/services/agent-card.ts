import { type Database, workspaces } from "@molecule/db";
import { type AccessDecision, checkAccess, type OrgNode } from "../domain/access";
import { casUpdate } from "./cas";
import { workspaceRemoved } from "./errors";
import type { Services } from "./services";

/**
 * Whether two JSON values are the same document. Object key order does not count (jsonb does not
 * keep it, so a stored card comes back reordered); array order does.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((key) => Object.hasOwn(right, key) && sameJson(left[key], right[key]))
  );
}

/**
 * Stores the agent's card. A card equal to the stored one writes nothing and emits no event
 * (SPEC §3 [r2]): agents resend their card freely, and every event takes the event-log lock.
 */
export async function updateAgentCard(services: Services, id: string, agentCard: Record<string, unknown>) {
  await casUpdate(services.handle.db, id, (row) => {
    if (row.status === "removed") throw workspaceRemoved();
    if (sameJson(row.agentCard, agentCard)) return null;
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
