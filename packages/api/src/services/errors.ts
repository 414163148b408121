import { TRPCError } from "@trpc/server";

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
