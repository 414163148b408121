/**
 * Runs first (file order) and answers one question: is this leg really on the database it is meant
 * for? If DATABASE_URL stopped reaching the tests (a renamed variable, turbo's env filter, a URL
 * that is not postgres://), the Postgres leg would silently become a second PGlite run with every
 * Postgres-only test skipped. CI sets EXPECT_DATABASE=postgres|pglite per leg; this fails unless
 * the tests' database is that one, asked of the database itself, not of the environment.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf, sql } from "../src";
import { createTestDatabase, type TestDatabase } from "../src/testing";

const expected = process.env.EXPECT_DATABASE;

interface ServerFacts {
  version: string;
  port: number | null;
}

async function serverFacts(t: TestDatabase): Promise<ServerFacts> {
  const result = await t.handle.db.execute(sql`select version() as version, inet_server_port() as port`);
  const row = rowsOf<ServerFacts>(result)[0]!;
  return { version: row.version, port: row.port === null ? null : Number(row.port) };
}

describe("the database the tests run on", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("EXPECT_DATABASE, when set, names a database kind", () => {
    expect([undefined, "postgres", "pglite"]).toContain(expected);
  });

  it("is the kind DATABASE_URL asks for", () => {
    expect(t.handle.kind).toBe(process.env.DATABASE_URL ? "postgres" : "pglite");
  });

  it.runIf(expected === "postgres")(
    "is a Postgres server on the port DATABASE_URL names (EXPECT_DATABASE=postgres)",
    async () => {
      expect(process.env.DATABASE_URL, "EXPECT_DATABASE=postgres without DATABASE_URL").toBeTruthy();
      expect(t.handle.kind).toBe("postgres");
      const facts = await serverFacts(t);
      expect(facts.version).toMatch(/^PostgreSQL \d+/);
      // PGlite also answers "PostgreSQL …", built for wasm32 by emcc, and has no server port.
      expect(facts.version).not.toMatch(/PGlite|emscripten|wasm/i);
      const url = new URL(process.env.DATABASE_URL!);
      expect(facts.port).toBe(Number(url.port || 5432));
    },
  );

  it.runIf(expected === "pglite")("is embedded PGlite (EXPECT_DATABASE=pglite)", async () => {
    expect(process.env.DATABASE_URL ?? "").toBe("");
    expect(t.handle.kind).toBe("pglite");
    const facts = await serverFacts(t);
    expect(facts.version).toMatch(/PGlite/);
    expect(facts.port).toBeNull();
  });
});
