import { judgeAction, type WorkspaceView } from "@molecule/contracts";
import { findWorkspace, toWorkspaceView } from "@molecule/db";
import { TRPCError } from "@trpc/server";
import { transition } from "../domain/status-machine";
import { type CasResult, casUpdate } from "./cas";
import { actionRefused, HasChildren, workspaceNotFound } from "./errors";
import { type Tx, withEventLogLocked } from "./events";
import { descendantsOf, pausedAncestor } from "./org-tree";
import { NOT_STARTED } from "./registry";
import type { Services } from "./services";
import { mintToken, rotateTokenIn } from "./tokens";

async function view(services: Services, id: string): Promise<WorkspaceView> {
  const row = await findWorkspace(services.handle.db, id);
  if (!row) throw workspaceNotFound();
  return toWorkspaceView(row);
}

/**
 * workspace.restart (SPEC §2): → provisioning, idempotent while already provisioning (a double
 * click is one restart). A local workspace gets a new token in the same transaction (the old
 * process's token dies at once) and the provisioner starts a fresh process with it. An external
 * workspace keeps its token and gets a pending `restart` directive; its agent restarts itself and
 * registers again.
 */
export async function restartWorkspace(
  services: Services,
  id: string,
): Promise<{ workspace: WorkspaceView; restarted: boolean }> {
  const token = mintToken();
  let external = false;
  // Under the event-log lock, like pause: an ancestor cannot be paused between our look at the
  // parent chain and the write (SPEC §2: pause cascades, so nothing restarts under a paused one).
  const result = await withEventLogLocked(services.handle.db, async (_, tx) => {
    const ancestor = await pausedAncestor(tx, (await findWorkspace(tx, id))?.parentId ?? null);
    return casUpdate(tx, id, (row) => {
      const verdict = judgeAction("restart", row.status, { pausedAncestor: ancestor });
      if (!verdict.ok) throw actionRefused(verdict);
      external = row.external;
      const change = transition(row.status, { kind: "restart" });
      if (!change) return null;
      return {
        transition: change,
        set: row.external ? { pendingRestart: true } : NOT_STARTED,
        inTransaction: row.external ? undefined : (t) => claimAndRotate(services, t, id, token),
      };
    });
  });
  if (result) countCommitted(services, [result]);
  if (result && !external) services.processes?.start(id, token);
  return {
    workspace: result ? toWorkspaceView(result.after) : await view(services, id),
    restarted: result !== null,
  };
}

/** Rotates to `token` in the transaction, telling the provisioner first (ProcessManager.claim). */
function claimAndRotate(services: Services, tx: Tx, id: string, token: string) {
  services.processes?.claim(id, token);
  return rotateTokenIn(tx, id, token);
}

/** workspace.pause: the workspace and every descendant → paused; their processes stop. */
export async function pauseWorkspace(services: Services, id: string): Promise<{ paused: string[] }> {
  const paused = await withEventLogLocked(services.handle.db, async (_, tx) => {
    const root = await findWorkspace(tx, id);
    if (!root) throw workspaceNotFound();
    const verdict = judgeAction("pause", root.status);
    if (!verdict.ok) throw actionRefused(verdict);
    const done: CasResult[] = [];
    for (const target of [id, ...(await descendantsOf(tx, id)).map((d) => d.id)]) {
      const result = await casUpdate(tx, target, (row) => {
        const change = transition(row.status, { kind: "pause" });
        return change ? { transition: change } : null;
      });
      if (result) done.push(result);
    }
    return done;
  });
  countCommitted(services, paused);
  // After the commit, like remove: never stop a process for a pause that rolled back.
  for (const p of paused) if (!p.after.external) services.processes?.stop(p.after.id);
  return { paused: paused.map((p) => p.after.id) };
}

/**
 * workspace.resume: paused → provisioning (external: awaiting_agent); a local one is started.
 * Refused while an ancestor is still paused: resume from the top down.
 */
export async function resumeWorkspace(services: Services, id: string): Promise<{ workspace: WorkspaceView }> {
  const token = mintToken();
  // Under the event-log lock: a pause of an ancestor changes nothing on this (already paused) row,
  // so the compare-and-set alone would not notice it.
  const result = await withEventLogLocked(services.handle.db, async (_, tx) => {
    const ancestor = await pausedAncestor(tx, (await findWorkspace(tx, id))?.parentId ?? null);
    return casUpdate(tx, id, (row) => {
      const verdict = judgeAction("resume", row.status, { pausedAncestor: ancestor });
      if (!verdict.ok) throw actionRefused(verdict);
      return {
        transition: transition(row.status, { kind: "resume", external: row.external }),
        set: NOT_STARTED,
        inTransaction: row.external ? undefined : (t) => claimAndRotate(services, t, id, token),
      };
    });
  });
  countCommitted(services, [result!]);
  if (!result!.after.external) services.processes?.start(id, token);
  return { workspace: toWorkspaceView(result!.after) };
}

/**
 * workspace.remove: → removed (a tombstone), tokens revoked, processes stopped. With children it
 * needs `cascade: true`; otherwise CONFLICT naming them, and nothing changes.
 */
export async function removeWorkspace(
  services: Services,
  id: string,
  cascade: boolean,
): Promise<{ removed: string[] }> {
  // Nothing can be added under the subtree between reading it and removing it, so no live
  // workspace is ever left under a removed parent.
  const removed = await withEventLogLocked(services.handle.db, async (_, tx) => {
    const root = await findWorkspace(tx, id);
    if (!root) throw workspaceNotFound();
    const verdict = judgeAction("remove", root.status);
    if (!verdict.ok) throw actionRefused(verdict);
    const descendants = await descendantsOf(tx, id);
    if (descendants.length > 0 && !cascade) {
      const names = descendants.map((d) => d.name);
      throw new TRPCError({
        code: "CONFLICT",
        message: `"${root.name}" has ${names.length} workspace${names.length === 1 ? "" : "s"} under it (${names.slice(0, 10).join(", ")}${names.length > 10 ? ", …" : ""}). Remove with cascade to remove them too.`,
        cause: new HasChildren(descendants.map((d) => ({ id: d.id, name: d.name }))),
      });
    }
    const done: CasResult[] = [];
    // Deepest first, each its own compare-and-set (a savepoint).
    for (const target of [...descendants.map((d) => d.id)].reverse().concat(id)) {
      const result = await casUpdate(tx, target, (row) => {
        const change = transition(row.status, { kind: "remove" });
        return change
          ? {
              transition: change,
              set: { pendingRestart: false },
              inTransaction: (t) => rotateTokenIn(t, target, null),
            }
          : null;
      });
      if (result) done.push(result);
    }
    return done;
  });
  countCommitted(services, removed);
  // After the commit: a process stopped for a removal that then rolled back would be wrong.
  for (const r of removed) services.processes?.stop(r.after.id);
  return { removed: removed.map((r) => r.after.id) };
}

/**
 * workspace.rotateToken: a new token for an external agent, shown once. Local workspaces get a
 * fresh token at every restart instead (rotating under a running process would cut it off).
 */
export async function rotateWorkspaceToken(
  services: Services,
  id: string,
): Promise<{ token: string; prefix: string }> {
  const token = mintToken();
  // Through casUpdate: a remove committing meanwhile changes the status, so the rotation re-reads
  // and refuses instead of leaving a live token on a removed workspace.
  await casUpdate(services.handle.db, id, (row) => {
    if (row.status === "removed") throw workspaceNotFound();
    if (!row.external) {
      throw new TRPCError({
        code: "BAD_REQUEST",
        message:
          "Only external workspaces have a token to rotate; restart a local workspace to give its process a new one.",
      });
    }
    return { transition: null, inTransaction: (tx) => rotateTokenIn(tx, id, token) };
  });
  return { token, prefix: token.slice(0, 8) };
}

/** casUpdate in a caller's transaction does not count its transition: counted here, after the commit. */
function countCommitted(services: Services, results: CasResult[]) {
  for (const r of results) if (r.transition) services.metrics.countTransition(r.before.status, r.transition);
}
