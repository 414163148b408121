import type { ActionVerdict } from "@molecule/contracts";
import { TRPCError } from "@trpc/server";

/** The one sentence for an unknown workspace id (and for a removed one, where a removed id is as good as unknown). */
export const workspaceNotFound = () =>
  new TRPCError({ code: "NOT_FOUND", message: "No workspace with that id." });

/** What an agent hears when its workspace was removed under it (SPEC §3: a removed workspace's token → 401). */
export const workspaceRemoved = () =>
  new TRPCError({ code: "UNAUTHORIZED", message: "This workspace was removed: its token no longer works." });

/** Carries field issues in the same shape zod gives input validation, so clients see one format. */
export class FieldIssues extends Error {
  constructor(readonly issues: { path: string[]; message: string }[]) {
    super(issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  }
}

/** A BAD_REQUEST that names its field, like an input validation error (e.g. unknown template). */
export function fieldError(path: string, message: string): TRPCError {
  return new TRPCError({
    code: "BAD_REQUEST",
    message: `${path}: ${message}`,
    cause: new FieldIssues([{ path: [path], message }]),
  });
}

/** The children blocking a non-cascading remove, surfaced to clients as `data.children`. */
export class HasChildren extends Error {
  constructor(readonly children: { id: string; name: string }[]) {
    super("has children");
  }
}

/** A bearer token that is unknown or revoked (SPEC §3 → 401). */
export const invalidToken = () =>
  new TRPCError({ code: "UNAUTHORIZED", message: "Invalid or revoked workspace token." });

/** A token naming a workspace other than its own (SPEC §3 → 403). */
export const otherWorkspace = () =>
  new TRPCError({ code: "FORBIDDEN", message: "This token belongs to another workspace." });

/** An action the shared rule refused: a removed workspace is unknown (404), anything else a 409 saying why. */
export function actionRefused(verdict: Extract<ActionVerdict, { ok: false }>): TRPCError {
  return verdict.gone ? workspaceNotFound() : new TRPCError({ code: "CONFLICT", message: verdict.reason });
}
