import { RESERVED_SECRET_NAMES } from "@molecule/contracts";
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { describeFieldErrors, fieldErrors } from "../src/trpc";
import { createWorkspace, operator, testServerPerFile } from "./helpers";

// Operator input rules from SPEC §4/§5 [r2]: an Object.prototype name is not a runtime, and secret
// names that change how a runtime starts are refused on create and on set, by one rule.
const ts = testServerPerFile();

/** The message an HTTP client would read (the error formatter's), for a call that must be a 400. */
async function badRequest(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
    const fields = fieldErrors((error as TRPCError).cause);
    return fields ? describeFieldErrors(fields) : (error as TRPCError).message;
  }
  throw new Error("expected BAD_REQUEST");
}

const count = async () => (await operator(ts).workspace.list()).length;

describe("runtime names", () => {
  it.each(["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"])(
    "runtime %j is unknown (400), and nothing is created",
    async (runtime) => {
      const before = await count();
      expect(await badRequest(operator(ts).workspace.create({ name: "x", runtime }))).toMatch(/runtime/);
      expect(await count()).toBe(before);
    },
  );
});

describe("secret names that change how a runtime starts", () => {
  const refused = [
    ...RESERVED_SECRET_NAMES,
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "DYLD_INSERT_LIBRARIES",
    "MOLECULE_WORKSPACE_TOKEN",
    "MOLECULE_PLATFORM_URL",
  ];

  it.each(refused)(
    "%s is refused on workspace.create, naming the rule, and nothing is created",
    async (key) => {
      const before = await count();
      const message = await badRequest(
        operator(ts).workspace.create({ name: "x", external: true, secrets: { OK_KEY: "v", [key]: "v" } }),
      );
      expect(message).toContain(`secrets.${key}`);
      expect(message).toMatch(/reserved: names that change how a runtime starts/);
      expect(await count()).toBe(before);
    },
  );

  it.each(refused)("%s is refused on secret.set with the same message", async (key) => {
    const ws = await createWorkspace(ts, { external: true });
    const message = await badRequest(operator(ts).secret.set({ id: ws.id, key, value: "--import=data:x" }));
    expect(message).toMatch(/reserved: names that change how a runtime starts/);
    expect(await operator(ts).secret.list({ id: ws.id })).toEqual([]);
  });

  it("ordinary names still work, including ones that merely contain a reserved word", async () => {
    const ws = await createWorkspace(ts, {
      external: true,
      secrets: { OPENAI_API_KEY: "a", MY_PATH: "b", NODE_OPTIONS_X: "c", HOME_DIR: "d" },
    });
    await operator(ts).secret.set({ id: ws.id, key: "XLD_PRELOAD", value: "e" });
    const keys = (await operator(ts).secret.list({ id: ws.id })).map((s) => s.key).sort();
    expect(keys).toEqual(["HOME_DIR", "MY_PATH", "NODE_OPTIONS_X", "OPENAI_API_KEY", "XLD_PRELOAD"]);
  });
});

describe("operator text must be well-formed (found by the fuzz suite: a lone surrogate was a 500)", () => {
  it.each([
    ["name", "\uDFFF"],
    ["name", "a\u0000"],
    ["role", "\uD800 lead"],
    ["model", "\uDBFF"],
  ])("workspace.update %s %j → 400 naming the field, nothing written", async (field, value) => {
    const ws = await createWorkspace(ts, { external: true });
    const message = await badRequest(operator(ts).workspace.update({ id: ws.id, [field]: value }));
    expect(message).toMatch(new RegExp(`^${field}: `));
  });

  it.each([
    ["workspaceDir", "/srv/\u0000"],
    ["initialMemories", [{ content: "\uD800" }]],
    ["initialMemories", [{ content: "a\u0000b" }]],
  ])("workspace.create %s %j → 400, nothing created", async (field, value) => {
    const before = await count();
    const message = await badRequest(operator(ts).workspace.create({ name: "x", [field]: value }));
    expect(message).toContain(field);
    expect(await count()).toBe(before);
  });
});
