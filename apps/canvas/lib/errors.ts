/** What a failed tRPC call tells the UI: a sentence, and per-field messages for validation errors. */
export interface ApiProblem {
  message: string;
  code: string | null;
  fields: Record<string, string>;
}

interface ErrorLike {
  message?: unknown;
  data?: { code?: unknown; fields?: unknown } | null;
}

export function problemOf(error: unknown): ApiProblem {
  const e = (error ?? {}) as ErrorLike;
  const fields: Record<string, string> = {};
  const list = Array.isArray(e.data?.fields)
    ? (e.data.fields as { path?: unknown; message?: unknown }[])
    : [];
  for (const f of list) {
    const path = typeof f.path === "string" ? f.path : "";
    if (!(path in fields)) fields[path] = String(f.message ?? "is invalid");
  }
  const raw = typeof e.message === "string" && e.message ? e.message : "Something went wrong.";
  const message = /fetch failed|Failed to fetch|NetworkError/i.test(raw)
    ? "Could not reach the server."
    : raw;
  return { message, code: typeof e.data?.code === "string" ? e.data.code : null, fields };
}

/** zod issues → { "name": "is required", "secrets.FOO": "…" } (first message per field). */
export function issuesToFields(issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const path = issue.path.map(String).join(".");
    if (!(path in fields)) fields[path] = issue.message;
  }
  return fields;
}
