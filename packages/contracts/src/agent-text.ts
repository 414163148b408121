import { z } from "zod";
import { TRUNCATION_MARK } from "./thresholds";

/**
 * Agent text is sanitised here, at the boundary, and nowhere else (SPEC §2 [r2]): every string an
 * agent sends (sample error, current task, runtime state, url, agent card at any depth, keys too)
 * goes through these functions inside the input schemas. An agent's text is never rejected for its
 * characters, and never reaches the database in a form Postgres refuses: `text` columns refuse NUL,
 * `jsonb` refuses "\u0000" and unpaired surrogate escapes. Either used to be a 500.
 */

export const REPLACEMENT_CHAR = "\uFFFD";

// With the u flag a well-formed surrogate pair is one code point, so \p{Surrogate} matches only
// the unpaired halves.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what is replaced
const UNSAFE = /\u0000|\p{Surrogate}/gu;
// Display text (shown on the canvas) also loses the other control characters (escape sequences,
// backspaces), but keeps tab, newline and carriage return: stack traces are multi-line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the intent
const OTHER_CONTROLS = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** NUL and lone surrogates → U+FFFD; everything else kept as sent. */
export function sanitizeAgentText(value: string): string {
  return value.replace(UNSAFE, REPLACEMENT_CHAR);
}

/** sanitizeAgentText, and control characters other than tab/newline/CR removed. */
export function sanitizeDisplayText(value: string): string {
  return sanitizeAgentText(value).replace(OTHER_CONTROLS, "");
}

/** Index just past the first `count` code points of `value` (its length when it has fewer). */
function codePointEnd(value: string, count: number): number {
  let index = 0;
  for (let n = 0; n < count && index < value.length; n++) {
    const unit = value.charCodeAt(index);
    const low = value.charCodeAt(index + 1);
    index += unit >= 0xd800 && unit <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
  }
  return index;
}

const MARK_CODE_POINTS = Array.from(TRUNCATION_MARK).length;

/**
 * Cuts `value` to at most `max` code points, the last being "…", so long values are kept, not
 * rejected. Counts code points and never splits a surrogate pair (an emoji at the cut goes whole).
 */
export function truncate(value: string, max: number): string {
  // A string's code points never outnumber its UTF-16 units: the common case costs nothing.
  if (value.length <= max) return value;
  if (codePointEnd(value, max) >= value.length) return value;
  return value.slice(0, codePointEnd(value, max - MARK_CODE_POINTS)) + TRUNCATION_MARK;
}

/** A display string from an agent, sanitised and then truncated (never rejected) to `max` code points. */
export const agentText = (max: number) =>
  z
    .string({ message: "must be a string" })
    .default("")
    .transform((s) => truncate(sanitizeDisplayText(s), max));

/** Deepest nesting of arrays/objects accepted in agent JSON: deeper is a 400, never a stack overflow. */
export const MAX_AGENT_JSON_DEPTH = 64;

/** Whether `value` nests objects/arrays at most `max` levels deep (iterative: no recursion to blow). */
export function jsonDepthAtMost(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (item === null || typeof item !== "object") continue;
    if (depth >= max) return false;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return true;
}

/** sanitizeAgentText over every string and key of a JSON value (call after jsonDepthAtMost). */
export function sanitizeAgentJson(value: unknown): unknown {
  if (typeof value === "string") return sanitizeAgentText(value);
  if (Array.isArray(value)) return value.map(sanitizeAgentJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // defineProperty: a key named "__proto__" stays an own key instead of setting the prototype.
      Object.defineProperty(out, sanitizeAgentText(key), {
        value: sanitizeAgentJson(child),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}
