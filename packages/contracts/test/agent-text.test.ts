import { describe, expect, it } from "vitest";
import {
  AgentCardSchema,
  HeartbeatInputSchema,
  MAX_AGENT_JSON_DEPTH,
  sanitizeAgentJson,
  sanitizeDisplayText,
  TRUNCATION_MARK,
  truncate,
} from "../src";

const hasLoneSurrogate = (s: string) => /\p{Surrogate}/u.test(s);

describe("agent text sanitising (SPEC §2 [r2])", () => {
  it("NUL and lone surrogates become U+FFFD; paired surrogates stay", () => {
    expect(sanitizeDisplayText("a\u0000b\uD800c\uDC00d😀")).toBe("a\uFFFDb\uFFFDc\uFFFDd😀");
  });

  it("display text drops escape and other control characters but keeps tab and newlines", () => {
    expect(sanitizeDisplayText("\u001b[31mred\u0008\t\r\nnext\u007F")).toBe("[31mred\t\r\nnext");
  });

  it("truncate counts code points and never cuts inside a pair", () => {
    for (let lead = 0; lead < 6; lead++) {
      const value = `${"x".repeat(lead)}${"😀".repeat(10)}`;
      const cut = truncate(value, 5);
      expect(Array.from(cut).length).toBe(5);
      expect(cut.endsWith(TRUNCATION_MARK)).toBe(true);
      expect(hasLoneSurrogate(cut)).toBe(false);
    }
    // Fits in code points though longer in UTF-16 units: kept whole.
    expect(truncate("😀😀😀", 3)).toBe("😀😀😀");
    expect(truncate("abc", 3)).toBe("abc");
  });

  it("heartbeat text fields are sanitised then truncated", () => {
    const hb = HeartbeatInputSchema.parse({
      workspaceId: "w",
      sampleError: `${"y".repeat(4094)}😀😀`,
      currentTask: "\u0000",
      runtimeState: "wedged\u0000",
    });
    expect(Array.from(hb.sampleError).length).toBe(4096);
    expect(hasLoneSurrogate(hb.sampleError)).toBe(false);
    expect(hb.currentTask).toBe("\uFFFD");
    expect(hb.runtimeState).toBe("wedged\uFFFD");
  });

  it("agent JSON is sanitised at every depth, keys included, and __proto__ stays an own key", () => {
    const parsed = JSON.parse('{"__proto__": {"a\\u0000": ["\\ud800"]}}');
    const clean = sanitizeAgentJson(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(clean)).toBe(Object.prototype);
    expect(Object.hasOwn(clean, "__proto__")).toBe(true);
    expect(JSON.stringify(clean)).toBe('{"__proto__":{"a\uFFFD":["\uFFFD"]}}');
  });

  it("an agent card nested deeper than the limit is refused, not recursed over", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const result = AgentCardSchema.safeParse({ deep });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/nested at most/);
    let ok: unknown = "leaf";
    for (let i = 0; i < MAX_AGENT_JSON_DEPTH - 1; i++) ok = [ok];
    expect(AgentCardSchema.safeParse({ ok }).success).toBe(true);
  });
});
