import { WORKSPACE_STATUSES, type WorkspaceStatus } from "./statuses";

/**
 * Operator actions whose permission depends on a workspace's status. `addChild` is judged on the
 * would-be parent: creating a workspace under it (SPEC §4 `parentId`).
 */
export const WORKSPACE_ACTIONS = ["restart", "pause", "resume", "remove", "addChild"] as const;
export type WorkspaceAction = (typeof WORKSPACE_ACTIONS)[number];

const LIVE = WORKSPACE_STATUSES.filter((s) => s !== "removed");

/**
 * The one rule for "which statuses allow which action" (SPEC §2's `from` column). The server's
 * checks, the status machine and the canvas's buttons all read it. A removed workspace allows
 * nothing: to the operator API it is as good as unknown (NOT_FOUND), so SPEC's "any" for remove
 * means any status a workspace can be found in.
 */
export const ACTION_FROM: Readonly<Record<WorkspaceAction, readonly WorkspaceStatus[]>> = {
  restart: LIVE.filter((s) => s !== "paused"),
  pause: LIVE,
  resume: ["paused"],
  remove: LIVE,
  // Pause cascades to descendants, so nothing new may start under a paused workspace.
  addChild: LIVE.filter((s) => s !== "paused"),
};

/**
 * Allowed, but the status is already where the action leads: the server accepts it and changes
 * nothing (a double click is one restart), the canvas does not offer it again.
 */
export const ACTION_NO_OP: Readonly<Partial<Record<WorkspaceAction, WorkspaceStatus>>> = {
  restart: "provisioning",
  pause: "paused",
};

/** Actions that start a process, or keep one running: refused while an ancestor is paused. */
const BLOCKED_BY_PAUSED_ANCESTOR: ReadonlySet<WorkspaceAction> = new Set(["restart", "resume", "addChild"]);

export interface ActionContext {
  /** Name of the nearest paused ancestor, or null when none is paused. */
  pausedAncestor?: string | null;
}

export type ActionVerdict =
  | { ok: true; noOp: boolean }
  /** `gone`: the workspace is removed (the server answers NOT_FOUND); otherwise a conflict with its status. */
  | { ok: false; gone: boolean; reason: string };

const REFUSED_FROM: Record<WorkspaceAction, string> = {
  restart: "This workspace is paused: resume it instead.",
  pause: "This workspace cannot be paused.",
  resume: "This workspace is not paused.",
  remove: "This workspace cannot be removed.",
  addChild: "That workspace is paused: resume it before adding workspaces under it.",
};

/** Whether `action` may be done to a workspace in `status`, and if not, the sentence that says why. */
export function judgeAction(
  action: WorkspaceAction,
  status: WorkspaceStatus,
  context: ActionContext = {},
): ActionVerdict {
  if (status === "removed") return { ok: false, gone: true, reason: "This workspace was removed." };
  if (context.pausedAncestor && BLOCKED_BY_PAUSED_ANCESTOR.has(action)) {
    return {
      ok: false,
      gone: false,
      reason: `"${context.pausedAncestor}" is paused, and everything under it stays paused: resume it first.`,
    };
  }
  if (!ACTION_FROM[action].includes(status)) return { ok: false, gone: false, reason: REFUSED_FROM[action] };
  return { ok: true, noOp: ACTION_NO_OP[action] === status };
}

/** The actions worth offering for a workspace in `status`: allowed and not a no-op. */
export function allowedActions(status: WorkspaceStatus, context: ActionContext = {}): WorkspaceAction[] {
  return WORKSPACE_ACTIONS.filter((action) => {
    const verdict = judgeAction(action, status, context);
    return verdict.ok && !verdict.noOp;
  });
}

export interface TreeNode {
  parentId: string | null;
  status: WorkspaceStatus;
  name: string;
}

/**
 * The nearest paused ancestor's name, walking `parentId` from `parentId` upwards (depth cap 32,
 * like the access rule). `lookup` answers from whatever the caller holds: the canvas's store, or
 * the rows the server read.
 */
export function pausedAncestorOf(
  lookup: (id: string) => TreeNode | undefined,
  parentId: string | null,
): string | null {
  let next = parentId;
  for (let depth = 0; next && depth < 32; depth++) {
    const node = lookup(next);
    if (!node) return null;
    if (node.status === "paused") return node.name;
    next = node.parentId;
  }
  return null;
}
