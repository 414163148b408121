import { z } from "zod";

// C0 controls except tab/newline/carriage return, plus DEL and C1 controls. Matching control
// characters is the point here, hence the lint suppressions.
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the intent
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the intent
const ANY_CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F]/;

const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Operator text must be well-formed Unicode: Postgres refuses NUL in text and an unpaired
 * surrogate in the jsonb of the event that records the change (either was a 500). Unlike agent
 * text (agent-text.ts), an operator's is refused with a 400, not rewritten.
 */
export const wellFormed = (max: number) =>
  z
    .string()
    .max(max, { message: `must be at most ${max} characters` })
    .refine((s) => !s.includes("\u0000"), { message: "must not contain NUL characters" })
    .refine((s) => !LONE_SURROGATE.test(s), { message: "must be valid Unicode (no unpaired surrogates)" });

/** Single-line text: no control characters at all (names, models). */
export const singleLine = (max: number) =>
  wellFormed(max).refine((s) => !ANY_CONTROL_CHARS.test(s), {
    message: "must not contain control characters",
  });

/** Multi-line text: newlines and tabs allowed, other control characters rejected. */
export const multiLine = (max: number) =>
  wellFormed(max).refine((s) => !CONTROL_CHARS.test(s), { message: "must not contain control characters" });

/** Serialized JSON size in bytes (UTF-8), for the agent card and body limits. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
}
