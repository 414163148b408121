/**
 * Fuzzing every agent procedure, every wire endpoint and the main operator procedures over real
 * HTTP (fast-check). Invariants: every response is < 500, a rejected call leaves the database
 * exactly as it was, and the server still answers afterwards. FUZZ_RUNS sets the total number of
 * generated calls (default a few thousand; `pnpm fuzz` runs 100,000).
 */
import {
  agentMemories,
  sql,
  workspaceEvents,
  workspaceSecrets,
  workspaces,
  workspaceTokens,
} from "@molecule/db";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createWorkspace, operator, type TestWorkspace, testServerPerFile } from "./helpers";

const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
// Shares of the total per property (they add up to 1).
const runs = (share: number) => Math.max(10, Math.round(TOTAL_RUNS * share));
// Per test: generous for a loaded machine (a call takes a few ms idle, tens under load).
const TIMEOUT_MS = 60_000 + TOTAL_RUNS * 100;
const ADMIN = "admin-secret-for-fuzzing-0123456789abcdef";

// No rate limit: the generated inputs must reach validation, not stop at 429.
const ts = testServerPerFile({ adminToken: ADMIN, agentRateLimit: null });
const db = () => ts.db.handle.db;

/** The whole observable database state as one string, to prove a rejected call changed nothing. */
async function snapshot(): Promise<string> {
  const result = await db().execute(sql`
    select
      (select md5(coalesce(string_agg(w::text, '|' order by w.id), '')) from ${workspaces} w) as w,
      (select count(*) from ${workspaceEvents}) as e,
      (select md5(coalesce(string_agg(s::text, '|' order by s.workspace_id, s.key), '')) from ${workspaceSecrets} s) as s,
      (select md5(coalesce(string_agg(t::text, '|' order by t.token_hash), '')) from ${workspaceTokens} t) as t,
      (select count(*) from ${agentMemories}) as m`);
  return JSON.stringify((result as unknown as { rows?: unknown[] }).rows ?? result);
}

// Strings an attacker would try: NUL, lone surrogates, emoji, control characters, huge, prototype names.
const nasty = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\uD800",
    "\uDFFF",
    "😀",
    "\u001b[31m",
    "constructor",
    "__proto__",
    "toString",
    "NODE_OPTIONS",
    "LD_PRELOAD",
    "wedged",
    "",
    " ",
    "..",
    "/etc",
    "http://127.0.0.1:1/\u0000",
    "javascript:alert(1)",
  ),
  fc.integer({ min: 1, max: 5_000 }).map((n) => "😀".repeat(n)),
  fc.integer({ min: 4_090, max: 4_100 }).map((n) => `${"x".repeat(n)}😀`),
);
const json = fc.jsonValue({ stringUnit: "binary", maxDepth: 3 });
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -1, 1, 0.5, 1e308, -0, 2 ** 53, 1_000_000_000_001),
);
const anyValue = fc.oneof(nasty, number, json, fc.boolean(), fc.constant(null));
/** Each key present or not; a field is usually of the right kind, sometimes anything. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: arb }, anyValue);

function input(ws: TestWorkspace) {
  const id = fc.oneof({ weight: 4, arbitrary: fc.constant(ws.id) }, nasty);
  const card = fc.oneof(fc.dictionary(nasty, json, { maxKeys: 5 }), anyValue);
  return {
    register: fc.record({ id, url: maybe(nasty), agentCard: card }, { requiredKeys: [] }),
    heartbeat: fc.record(
      {
        workspaceId: id,
        errorRate: maybe(fc.double({ min: 0, max: 1, noNaN: true })),
        sampleError: maybe(nasty),
        activeTasks: maybe(fc.nat(10)),
        uptimeSeconds: maybe(fc.nat()),
        currentTask: maybe(nasty),
        monthlySpend: maybe(number),
        runtimeState: maybe(nasty),
        extra: anyValue,
      },
      { requiredKeys: [] },
    ),
    updateCard: fc.record({ workspaceId: id, agentCard: card }, { requiredKeys: [] }),
    checkAccess: fc.record({ callerId: id, targetId: id }, { requiredKeys: [] }),
  };
}

const camelToSnake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const snake = (value: unknown) =>
  value && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [camelToSnake(k), v]))
    : value;

interface Call {
  method: "GET" | "POST";
  path: string;
  body?: string;
  token?: string | null;
}

async function send(call: Call): Promise<number> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  const res = await fetch(`${ts.url}${call.path}`, { method: call.method, headers, body: call.body });
  await res.arrayBuffer();
  return res.status;
}

// The state after the last rejected call (unchanged since, as calls run one at a time), or null
// after an accepted one: saves a snapshot per call, since most generated calls are rejected.
let known: string | null = null;

/** Sends the call; asserts < 500, and that a rejected call left the database as it was. */
async function check(call: Call): Promise<void> {
  const before = known ?? (await snapshot());
  known = null;
  const status = await send(call);
  const shown = `${call.method} ${call.path.slice(0, 300)} ${(call.body ?? "").slice(0, 300)}`;
  if (status >= 500) throw new Error(`${status} for ${shown}`);
  if (status !== 200) {
    const after = await snapshot();
    if (after !== before) throw new Error(`rejected (${status}) but changed the database: ${shown}`);
    known = after;
  }
}

/** Each property starts from a fresh snapshot: its own setup has just written. */
async function fuzz<T>(arb: fc.Arbitrary<T & Call>, share: number) {
  known = null;
  await fc.assert(fc.asyncProperty(arb, check), {
    numRuns: runs(share),
    // Keep a failure readable: the counterexample is in the error message already.
    reporter: (details) => {
      if (details.failed) throw new Error(`after ${details.numRuns} runs: ${String(details.errorInstance)}`);
    },
  });
  await stillAnswering();
}

async function stillAnswering() {
  expect(await send({ method: "GET", path: "/api/health" })).toBe(200);
}

const token = (ws: TestWorkspace) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(ws.token) },
    fc.constantFrom(null, "", "x".repeat(43), `${ws.token}x`, ADMIN),
  );

describe(`fuzzing over HTTP (${TOTAL_RUNS} calls in all)`, () => {
  it(
    "agent procedures over tRPC: never a 5xx, a rejected call writes nothing",
    async () => {
      const ws = await createWorkspace(ts, { external: true });
      const arbs = input(ws);
      const call = fc.oneof(
        ...(["register", "heartbeat", "updateCard"] as const).map((name) =>
          fc.record({
            token: token(ws),
            body: fc.oneof({ weight: 9, arbitrary: arbs[name] }, anyValue).map((v) => JSON.stringify(v)),
            path: fc.constant(`/api/trpc/registry.${name}`),
            method: fc.constant("POST" as const),
          }),
        ),
        fc.record({
          token: token(ws),
          path: fc
            .oneof({ weight: 9, arbitrary: arbs.checkAccess }, anyValue)
            .map(
              (v) => `/api/trpc/registry.checkAccess?input=${encodeURIComponent(JSON.stringify(v) ?? "")}`,
            ),
          method: fc.constant("GET" as const),
        }),
      );
      await fuzz(call, 0.35);
    },
    TIMEOUT_MS,
  );

  it(
    "wire endpoints: snake_case and raw bodies, never a 5xx, a rejected call writes nothing",
    async () => {
      const ws = await createWorkspace(ts, { external: true });
      const arbs = input(ws);
      const endpoints = {
        register: arbs.register,
        heartbeat: arbs.heartbeat,
        "update-card": arbs.updateCard,
        "check-access": arbs.checkAccess,
      };
      const call = fc.oneof(
        ...Object.entries(endpoints).map(([name, arb]) =>
          fc.record({
            token: token(ws),
            body: fc.oneof(
              { weight: 8, arbitrary: arb.map((v) => JSON.stringify(snake(v))) },
              anyValue.map((v) => JSON.stringify(v) ?? ""),
              fc.string({ unit: "binary", maxLength: 60 }),
            ),
            path: fc.constant(`/registry/${name}`),
            method: fc.constant("POST" as const),
          }),
        ),
      );
      await fuzz(call, 0.35);
    },
    TIMEOUT_MS,
  );

  it(
    "operator procedures: create, update, move, secrets; never a 5xx, a rejected call writes nothing",
    async () => {
      const ws = await createWorkspace(ts, { external: true });
      const other = await operator(ts).workspace.create({ name: "other" });
      const id = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(ws.id, other.workspace.id) }, nasty);
      const create = fc.record(
        {
          name: maybe(nasty),
          role: maybe(nasty),
          template: maybe(fc.constantFrom("researcher", "writer", "nope", "constructor")),
          tier: maybe(fc.integer({ min: -1, max: 5 })),
          model: maybe(nasty),
          runtime: maybe(fc.constantFrom("demo", "constructor", "__proto__", "nope")),
          external: maybe(fc.boolean()),
          url: maybe(nasty),
          workspaceDir: maybe(fc.constantFrom("/srv/work", "/etc", "relative", "/a/../b")),
          parentId: maybe(fc.oneof(id, fc.constant(null))),
          budgetLimit: maybe(fc.oneof(fc.nat(), fc.constant(null))),
          secrets: maybe(fc.dictionary(nasty, nasty, { maxKeys: 3 })),
          canvas: maybe(fc.record({ x: number, y: number })),
          initialMemories: maybe(fc.array(fc.record({ content: nasty, scope: nasty }), { maxLength: 2 })),
        },
        { requiredKeys: [] },
      );
      const update = fc.record(
        {
          id,
          name: maybe(nasty),
          tier: maybe(fc.integer({ min: -1, max: 5 })),
          parentId: maybe(fc.oneof(id, fc.constant(null))),
          forwardedTo: maybe(fc.oneof(id, fc.constant(null))),
          budgetLimit: maybe(fc.oneof(fc.nat(), fc.constant(null))),
          maxConcurrentTasks: maybe(fc.integer({ min: -1, max: 101 })),
        },
        { requiredKeys: [] },
      );
      const move = fc.record({
        moves: maybe(fc.array(fc.record({ id, x: number, y: number }), { maxLength: 3 })),
      });
      const secret = fc.record({ id, key: nasty, value: maybe(nasty) }, { requiredKeys: [] });
      const procedures: [string, fc.Arbitrary<unknown>][] = [
        ["workspace.create", create],
        ["workspace.update", update],
        ["workspace.move", move],
        ["secret.set", secret],
        ["workspace.setCollapsed", fc.record({ id, collapsed: maybe(fc.boolean()) })],
      ];
      const call = fc.oneof(
        ...procedures.map(([name, arb]) =>
          fc.record({
            token: fc.oneof({ weight: 9, arbitrary: fc.constant(ADMIN) }, fc.constant(ws.token)),
            body: fc.oneof({ weight: 9, arbitrary: arb }, anyValue).map((v) => JSON.stringify(v) ?? ""),
            path: fc.constant(`/api/trpc/${name}`),
            method: fc.constant("POST" as const),
          }),
        ),
      );
      await fuzz(call, 0.3);
    },
    TIMEOUT_MS,
  );
});
