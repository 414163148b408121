"use client";

import { LIMITS } from "@molecule/contracts";
import { saveMoves } from "./actions";
import { useCanvas } from "./store";
import type { TidyCard, TidyMove } from "./tidy";
import type { TidyRequest } from "./tidy.worker";

/** Runs the layout on a worker (never blocks the canvas), or in the page where workers are missing. */
function layoutOffThread(request: TidyRequest): Promise<TidyMove[]> {
  if (typeof Worker === "undefined") {
    return Promise.all([import("elkjs/lib/elk.bundled.js"), import("./tidy")]).then(([elk, tidy]) =>
      tidy.tidyMoves(new elk.default(), request.cards, request.rootId),
    );
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./tidy.worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<{ moves?: TidyMove[]; error?: string }>) => {
      worker.terminate();
      if (event.data.moves) resolve(event.data.moves);
      else reject(new Error(event.data.error ?? "the layout failed"));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(event.message || "the layout worker failed"));
    };
    worker.postMessage(request);
  });
}

/**
 * Tidy (the toolbar's, or a team's from its context menu): lays out the cards with ELK, applies the
 * new positions at once and saves them (workspace.move, batches of LIMITS.moveBatch), and offers Undo,
 * which puts back and saves the old positions. The toolbar shows "Tidying…" meanwhile.
 */
export async function tidy(rootId: string | null = null) {
  const store = useCanvas.getState();
  if (store.tidying) return;
  const cards: TidyCard[] = Object.values(store.workspaces).map((w) => ({
    id: w.id,
    parentId: w.parentId,
    x: w.x,
    y: w.y,
  }));
  store.setTidying(true);
  try {
    const moves = await layoutOffThread({ cards, rootId });
    if (moves.length === 0) {
      useCanvas.getState().toast("info", "Already tidy: nothing to move.");
      return;
    }
    const before = new Map(cards.map((c) => [c.id, c]));
    const undo = moves.flatMap((m) => {
      const was = before.get(m.id);
      return was ? [{ id: m.id, x: was.x, y: was.y }] : [];
    });
    if (!(await saveInBatches(moves))) return;
    useCanvas
      .getState()
      .toast("success", `Tidied ${moves.length} ${moves.length === 1 ? "card" : "cards"}.`, {
        label: "Undo",
        run: () => void saveInBatches(undo),
      });
  } catch (error) {
    useCanvas
      .getState()
      .toast("error", `Could not tidy: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    useCanvas.getState().setTidying(false);
  }
}

/** One workspace.move per LIMITS.moveBatch cards (one call for any org up to that size). */
async function saveInBatches(moves: { id: string; x: number; y: number }[]): Promise<boolean> {
  for (let i = 0; i < moves.length; i += LIMITS.moveBatch) {
    if (!(await saveMoves(moves.slice(i, i + LIMITS.moveBatch)))) return false;
  }
  return true;
}
