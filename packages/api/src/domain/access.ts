import { type AccessReason, LIMITS } from "@molecule/contracts";

export interface OrgNode {
  id: string;
  parentId: string | null;
  forwardedTo: string | null;
  removed: boolean;
}

export interface AccessDecision {
  allowed: boolean;
  reason: AccessReason;
}

/** Ancestors of `id`, nearest first, capped at LIMITS.accessDepth and safe against parent loops. */
function ancestors(nodes: ReadonlyMap<string, OrgNode>, id: string): string[] {
  const chain: string[] = [];
  let current = nodes.get(id)?.parentId ?? null;
  while (current && chain.length < LIMITS.accessDepth && !chain.includes(current)) {
    chain.push(current);
    current = nodes.get(current)?.parentId ?? null;
  }
  return chain;
}

/** Follows forwardedTo (≤ 8 hops, no loops) to the workspace that really answers. */
function resolveForward(nodes: ReadonlyMap<string, OrgNode>, id: string): string | "loop" {
  const seen = new Set([id]);
  let current = id;
  for (let hop = 0; hop < LIMITS.forwardHops; hop++) {
    const next = nodes.get(current)?.forwardedTo;
    if (!next) return current;
    if (seen.has(next)) return "loop";
    seen.add(next);
    current = next;
  }
  return nodes.get(current)?.forwardedTo ? "loop" : current;
}

/** Whether making `parentId` the parent of `id` would put `id` inside its own subtree. */
export function wouldCycle(nodes: ReadonlyMap<string, OrgNode>, id: string, parentId: string): boolean {
  const seen = new Set<string>();
  for (let cur: string | null = parentId; cur && !seen.has(cur); cur = nodes.get(cur)?.parentId ?? null) {
    if (cur === id) return true;
    seen.add(cur);
  }
  return false;
}

/** Whether forwarding `id` to `target` would loop (or chain beyond LIMITS.forwardHops). */
export function forwardingLoops(nodes: ReadonlyMap<string, OrgNode>, id: string, target: string): boolean {
  const self = nodes.get(id);
  if (!self) return false;
  const next = new Map(nodes).set(id, { ...self, forwardedTo: target });
  return resolveForward(next, id) === "loop";
}

/**
 * SPEC §3 access rule: self, siblings (all roots are siblings), parent ↔ child and
 * ancestor ↔ descendant are allowed; cousins, unrelated subtrees, unknown or removed workspaces are
 * not. A forwarded target is judged at the end of its forwarding chain.
 */
export function checkAccess(
  nodes: ReadonlyMap<string, OrgNode>,
  callerId: string,
  targetId: string,
): AccessDecision {
  const caller = nodes.get(callerId);
  if (!caller) return { allowed: false, reason: "unknown_caller" };
  if (caller.removed) return { allowed: false, reason: "removed" };
  if (!nodes.has(targetId)) return { allowed: false, reason: "unknown_target" };
  const finalId = resolveForward(nodes, targetId);
  if (finalId === "loop") return { allowed: false, reason: "forward_loop" };
  const target = nodes.get(finalId);
  if (!target) return { allowed: false, reason: "unknown_target" };
  if (target.removed) return { allowed: false, reason: "removed" };

  if (caller.id === target.id) return { allowed: true, reason: "self" };
  if (caller.parentId === target.parentId) return { allowed: true, reason: "siblings" };
  if (caller.parentId === target.id) return { allowed: true, reason: "parent" };
  if (target.parentId === caller.id) return { allowed: true, reason: "child" };
  if (ancestors(nodes, caller.id).includes(target.id)) return { allowed: true, reason: "ancestor" };
  if (ancestors(nodes, target.id).includes(caller.id)) return { allowed: true, reason: "descendant" };
  return { allowed: false, reason: "not_related" };
}
