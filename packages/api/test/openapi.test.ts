/** docs/openapi.json documents every procedure the server has, as the kind it is (SPEC §3, §4). */
import { openApiDocument, PROCEDURES } from "@molecule/contracts";
import { describe, expect, it } from "vitest";
import { appRouter } from "../src/root";
import { testServerPerFile } from "./helpers";

// The flat "router.procedure" → procedure map tRPC keeps (its public type is the nested router).
const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;

describe("the OpenAPI procedure list", () => {
  it("names every procedure of the router, with its kind, and nothing else", () => {
    const actual = Object.fromEntries(Object.entries(procedures).map(([name, p]) => [name, p._def.type]));
    const documented = Object.fromEntries(PROCEDURES.map((p) => [p.name, p.kind]));
    expect(documented).toEqual(actual);
  });

  it("has a path for each (mutations POST, queries and subscriptions GET)", () => {
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    for (const [name, p] of Object.entries(procedures))
      expect(Object.keys(paths[`/api/trpc/${name}`] ?? {}), name).toEqual([
        p._def.type === "mutation" ? "post" : "get",
      ]);
  });
});

describe("GET /api/openapi.json", () => {
  const ts = testServerPerFile();
  it("serves the document, open like /api/health", async () => {
    const res = await fetch(`${ts.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(body.openapi).toMatch(/^3\.1/);
    expect(body.paths["/registry/heartbeat"]).toBeDefined();
  });
});
