import { z } from "zod";

// C0 controls except tab/newline/carriage return, plus DEL and C1 controls. Matching control
// characters is the point here, hence the lint suppressions.
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the intent
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the intent
const ANY_CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F]/;

/** Single-line text: no control characters at all (names, models). */
export const singleLine = (max: number) =>
  z
    .string()
    .max(max, { message: `must be at most ${max} characters` })
    .refine((s) => !ANY_CONTROL_CHARS.test(s), { message: "must not contain control characters" });

/** Multi-line text: newlines and tabs allowed, other control characters rejected. */
export const multiLine = (max: number) =>
  z
    .string()
    .max(max, { message: `must be at most ${max} characters` })
    .refine((s) => !CONTROL_CHARS.test(s), { message: "must not contain control characters" });

/** Serialized JSON size in bytes (UTF-8), for the agent card and body limits. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
}
