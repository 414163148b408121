"use client";

import {
  judgeAction,
  pausedAncestorOf,
  type WorkspaceAction,
  type WorkspaceStatus,
} from "@molecule/contracts";
import { type CanvasState, useCanvas } from "./store";

/** What a button for one action looks like: enabled or not, and why not (its title). */
export interface ActionButton {
  enabled: boolean;
  title: string | undefined;
}

const NO_OP_TITLES: Partial<Record<WorkspaceAction, string>> = {
  restart: "Already starting",
  pause: "Already paused",
};

/**
 * A button's state from the shared rule (SPEC §2, packages/contracts actions.ts): the server
 * refuses exactly what this disables, with the same sentence.
 */
export function buttonFor(
  action: WorkspaceAction,
  status: WorkspaceStatus,
  pausedAncestor: string | null,
): ActionButton {
  const verdict = judgeAction(action, status, { pausedAncestor });
  if (!verdict.ok) return { enabled: false, title: verdict.reason };
  return { enabled: !verdict.noOp, title: verdict.noOp ? NO_OP_TITLES[action] : undefined };
}

/** The nearest paused workspace above the one whose parent is `parentId`, as this canvas knows it. */
export function pausedAbove(s: Pick<CanvasState, "workspaces">, parentId: string | null): string | null {
  return pausedAncestorOf((id) => s.workspaces[id], parentId);
}

/** The nearest paused workspace above `id` (re-renders only when that answer changes). */
export function usePausedAncestor(id: string): string | null {
  return useCanvas((s) => pausedAbove(s, s.workspaces[id]?.parentId ?? null));
}
