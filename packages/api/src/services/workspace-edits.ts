import type { MoveInput, UpdateWorkspaceInput, WorkspaceView } from "@molecule/contracts";
import {
  agentMemories,
  and,
  asc,
  currentSpend,
  desc,
  eq,
  findWorkspace,
  inArray,
  isOverBudget,
  listSecretKeys,
  type NewWorkspaceRow,
  ne,
  sql,
  toWorkspaceView,
  workspaceEvents,
  workspaces,
} from "@molecule/db";
import { TRPCError } from "@trpc/server";
import { forwardingLoops, wouldCycle } from "../domain/access";
import { loadOrg } from "./agent-card";
import { casUpdate } from "./cas";
import { fieldError, workspaceNotFound } from "./errors";
import { eventsPage, lockEventLog, recordEvent, toEnvelope, withEventLogLocked } from "./events";
import { addChildRefusal } from "./org-tree";
import type { Services } from "./services";

/**
 * workspace.update: name, role, tier, model, parentId, forwardedTo, budgetLimit,
 * maxConcurrentTasks. Reparenting refuses cycles and removed parents; forwarding refuses loops.
 */
export async function updateWorkspace(
  services: Services,
  input: UpdateWorkspaceInput & { tier?: number },
): Promise<WorkspaceView> {
  const { id, ...fields } = input;
  const changes = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  // Under the event-log lock: two concurrent reparents (A into B, B into A) cannot both pass the
  // cycle check and together make a loop.
  const row = await withEventLogLocked(services.handle.db, async (tx, db) => {
    const org = await loadOrg(db);
    const self = org.get(id);
    if (!self || self.removed) throw workspaceNotFound();
    if (changes.parentId) {
      const parent = org.get(changes.parentId as string);
      if (!parent) throw fieldError("parentId", "no workspace with that id");
      if (parent.removed) throw fieldError("parentId", "that workspace was removed");
      if (wouldCycle(org, id, parent.id))
        throw fieldError("parentId", "would put the workspace inside itself");
      // A running workspace moved under a paused team would run where nothing should (pause
      // cascades); a paused one may move there.
      const moving = (await findWorkspace(db, id))!;
      const target = (await findWorkspace(db, parent.id))!;
      const refusal = moving.status === "paused" ? null : await addChildRefusal(db, target);
      if (refusal) throw fieldError("parentId", refusal);
    }
    if (changes.forwardedTo) {
      if (!org.get(changes.forwardedTo as string))
        throw fieldError("forwardedTo", "no workspace with that id");
      if (forwardingLoops(org, id, changes.forwardedTo as string))
        throw fieldError("forwardedTo", "would make a forwarding loop");
    }
    const before = (await findWorkspace(db, id))!;
    if (Object.keys(changes).length === 0) return before;
    // A lower limit can put the workspace over budget at once: the same crossing a heartbeat
    // reports (one WORKSPACE_BUDGET_EXCEEDED per crossing, SPEC §4), not only at the next one.
    const set: Partial<NewWorkspaceRow> = { ...changes, updatedAt: sql`now()` as unknown as Date };
    let crossed = false;
    if ("budgetLimit" in changes) {
      const over = isOverBudget({ ...before, budgetLimit: changes.budgetLimit as number | null });
      set.budgetExceeded = over;
      crossed = over && !before.budgetExceeded;
    }
    const [after] = await tx.update(workspaces).set(set).where(eq(workspaces.id, id)).returning();
    await recordEvent(tx, { workspaceId: id, type: "WORKSPACE_UPDATED", payload: { changed: changes } });
    if (crossed)
      await recordEvent(tx, {
        workspaceId: id,
        type: "WORKSPACE_BUDGET_EXCEEDED",
        payload: { monthlySpend: currentSpend(after!), budgetLimit: after!.budgetLimit },
      });
    return after!;
  });
  return toWorkspaceView(row);
}

/** workspace.move: every position in one transaction (all or nothing), one event per workspace. */
export async function moveWorkspaces(services: Services, input: MoveInput): Promise<{ moved: number }> {
  const { db } = services.handle;
  const ids = [...new Set(input.moves.map((m) => m.id))];
  await db.transaction(async (tx) => {
    await lockEventLog(tx);
    const found = await tx
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(and(inArray(workspaces.id, ids), ne(workspaces.status, "removed")));
    if (found.length !== ids.length) {
      const missing = ids.filter((id) => !found.some((f) => f.id === id));
      throw new TRPCError({
        code: "NOT_FOUND",
        message: `Unknown or removed workspace: ${missing.slice(0, 5).join(", ")}.`,
      });
    }
    for (const move of input.moves) {
      await tx
        .update(workspaces)
        .set({ canvasX: move.x, canvasY: move.y, updatedAt: sql`now()` as unknown as Date })
        .where(eq(workspaces.id, move.id));
      await recordEvent(tx, {
        workspaceId: move.id,
        type: "WORKSPACE_MOVED",
        payload: { x: move.x, y: move.y },
      });
    }
  });
  return { moved: input.moves.length };
}

export async function setCollapsed(
  services: Services,
  id: string,
  collapsed: boolean,
): Promise<WorkspaceView> {
  const result = await casUpdate(services.handle.db, id, (row) => {
    if (row.status === "removed") throw workspaceNotFound();
    if (row.collapsed === collapsed) return null;
    return {
      transition: null,
      set: { collapsed },
      events: [{ type: "WORKSPACE_UPDATED", payload: { changed: { collapsed } } }],
    };
  });
  return result
    ? toWorkspaceView(result.after)
    : toWorkspaceView((await findWorkspace(services.handle.db, id))!);
}

/** workspace.get: the workspace, its secret keys (never values), memories and recent events. */
export async function getWorkspaceDetails(services: Services, id: string) {
  const { db } = services.handle;
  const row = await findWorkspace(db, id);
  if (!row) throw workspaceNotFound();
  const [secretKeys, memories, events] = await Promise.all([
    listSecretKeys(db, id),
    db
      .select()
      .from(agentMemories)
      .where(eq(agentMemories.workspaceId, id))
      .orderBy(asc(agentMemories.createdAt))
      .limit(200),
    db
      .select()
      .from(workspaceEvents)
      .where(eq(workspaceEvents.workspaceId, id))
      .orderBy(desc(workspaceEvents.id))
      .limit(20),
  ]);
  return {
    workspace: toWorkspaceView(row),
    agentCard: row.agentCard,
    secretKeys,
    memories: memories.map((m) => ({
      id: m.id,
      workspaceId: m.workspaceId,
      namespace: m.namespace,
      scope: m.scope,
      content: m.content,
      createdAt: m.createdAt.toISOString(),
    })),
    events: events.map(toEnvelope),
  };
}

/** workspace.events: the status timeline, newest first, paged by event id. */
export async function workspaceTimeline(
  services: Services,
  id: string,
  cursor: string | undefined,
  limit: number,
) {
  const { db } = services.handle;
  if (!(await findWorkspace(db, id))) throw workspaceNotFound();
  const { events, next } = await eventsPage(db, eq(workspaceEvents.workspaceId, id), cursor, limit);
  return { events, nextCursor: next };
}
