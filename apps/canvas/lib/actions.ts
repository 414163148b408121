"use client";

import { problemOf } from "./errors";
import { descendantsOf } from "./layout";
import { getQueryClient, invalidateWorkspace, rq, runMutation } from "./query";
import { useCanvas } from "./store";

const store = useCanvas.getState;

/**
 * Every change goes through the query client's mutations (typed from the router); afterwards the
 * panels showing the workspace refetch. The live store is still updated by the event stream.
 */
const changed = (id: string) => ({ onSettled: () => invalidateWorkspace(id) });
const api = {
  restart: (id: string) => runMutation(rq.workspace.restart.mutationOptions(changed(id)), { id }),
  move: (moves: { id: string; x: number; y: number }[]) =>
    runMutation(rq.workspace.move.mutationOptions(), { moves }),
  update: (input: { id: string; parentId: string | null }) =>
    runMutation(rq.workspace.update.mutationOptions(changed(input.id)), input),
  setCollapsed: (id: string, collapsed: boolean) =>
    runMutation(rq.workspace.setCollapsed.mutationOptions(), { id, collapsed }),
  pause: (id: string) => runMutation(rq.workspace.pause.mutationOptions(changed(id)), { id }),
  resume: (id: string) => runMutation(rq.workspace.resume.mutationOptions(changed(id)), { id }),
  remove: (id: string, cascade: boolean) =>
    runMutation(rq.workspace.remove.mutationOptions(), { id, cascade }),
  rotateToken: (id: string) => runMutation(rq.workspace.rotateToken.mutationOptions(changed(id)), { id }),
  /** What the server has now, never a cached answer. */
  get: (id: string) => getQueryClient().fetchQuery(rq.workspace.get.queryOptions({ id }, { staleTime: 0 })),
  cards: (includeRemoved: boolean) =>
    getQueryClient().fetchQuery(rq.workspace.cards.queryOptions({ includeRemoved }, { staleTime: 0 })),
};

/** Restart (SPEC §8): "Restarting…" at once, disabled until the card leaves provisioning. */
export async function restartWorkspace(id: string) {
  const current = store().restarting[id];
  if (current?.kind === "pending") return;
  store().setRestarting(id, { kind: "pending", sent: false });
  try {
    const { workspace } = await api.restart(id);
    store().setRestarting(id, { kind: "pending", sent: true });
    store().upsert([workspace]);
  } catch (error) {
    store().setRestarting(id, { kind: "error", message: `Restart failed: ${problemOf(error).message}` });
  }
}

/** Puts cards at new positions in one store update (a Tidy moves thousands: one relayout, not one each). */
function place(moves: readonly { id: string; x: number; y: number }[]) {
  const { workspaces } = store();
  store().upsert(
    moves.flatMap((m) => {
      const ws = workspaces[m.id];
      return ws ? [{ ...ws, x: m.x, y: m.y }] : [];
    }),
  );
}

/**
 * Saves every dragged (or tidied) card in one workspace.move; optimistic, rolled back with a message
 * on failure. Resolves to whether the positions were saved.
 */
export async function saveMoves(moves: { id: string; x: number; y: number }[]): Promise<boolean> {
  const before = moves
    .map((m) => store().workspaces[m.id])
    .filter((w) => w !== undefined)
    .map((w) => ({ id: w.id, x: w.x, y: w.y }));
  place(moves);
  try {
    await api.move(moves);
    return true;
  } catch (error) {
    place(before);
    // React Flow moved the nodes itself while dragging: put them back where the store says.
    store().resetNodes();
    store().toast(
      "error",
      `Could not save the new layout: ${problemOf(error).message} Positions were restored.`,
    );
    return false;
  }
}

/** Changes a card's parent and puts it at (x, y) relative to the new parent (absolute for roots). */
export async function reparent(id: string, parentId: string | null, x: number, y: number) {
  const ws = store().workspaces[id];
  if (!ws) return;
  const before = { parentId: ws.parentId, x: ws.x, y: ws.y };
  store().patch(id, { parentId, x, y });
  let reparented = false;
  try {
    await api.update({ id, parentId });
    reparented = true;
    await api.move([{ id, x, y }]);
    const parent = parentId ? store().workspaces[parentId] : null;
    store().toast(
      "success",
      parent ? `${ws.name} now reports to ${parent.name}.` : `${ws.name} is now a top-level workspace.`,
    );
  } catch (error) {
    const problem = problemOf(error).message;
    if (!reparented) {
      store().patch(id, before);
      store().toast("error", `Could not move ${ws.name}: ${problem}`);
      return;
    }
    // The new parent was saved, the position was not: show what the server has, not a guess.
    const truth = await api.get(id).catch(() => null);
    if (truth) store().upsert([truth.workspace]);
    store().resetNodes();
    store().toast("error", `${ws.name} was moved, but its position could not be saved: ${problem}`);
  }
}

export async function setCollapsed(id: string, collapsed: boolean) {
  store().patch(id, { collapsed });
  try {
    await api.setCollapsed(id, collapsed);
  } catch (error) {
    store().patch(id, { collapsed: !collapsed });
    store().toast("error", `Could not ${collapsed ? "collapse" : "expand"}: ${problemOf(error).message}`);
  }
}

export async function pauseWorkspace(id: string) {
  try {
    await api.pause(id);
  } catch (error) {
    store().toast("error", `Pause failed: ${problemOf(error).message}`);
  }
}

export async function resumeWorkspace(id: string) {
  try {
    await api.resume(id);
  } catch (error) {
    store().toast("error", `Resume failed: ${problemOf(error).message}`);
  }
}

export async function removeWorkspace(id: string, cascade: boolean): Promise<string | null> {
  try {
    await api.remove(id, cascade);
    const ids = [id, ...(cascade ? descendantsOf(store().workspaces, id).map((w) => w.id) : [])];
    store().remove(ids);
    return null;
  } catch (error) {
    return problemOf(error).message;
  }
}

export async function rotateToken(id: string) {
  const ws = store().workspaces[id];
  try {
    const { token } = await api.rotateToken(id);
    store().setTokenReveal({ id, name: ws?.name ?? id, token, reason: "rotated" });
  } catch (error) {
    store().toast("error", `Could not rotate the token: ${problemOf(error).message}`);
  }
}

/** "Show removed" (SPEC §1): on, the removed workspaces are fetched and drawn greyed; off, dropped. */
export async function setShowRemoved(on: boolean) {
  store().setShowRemoved(on);
  if (!on) return;
  try {
    const list = await api.cards(true);
    if (store().showRemoved) store().upsert(list.filter((ws) => ws.status === "removed"));
  } catch (error) {
    store().setShowRemoved(false);
    store().toast("error", `Could not load removed workspaces: ${problemOf(error).message}`);
  }
}
