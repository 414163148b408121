/**
 * isDatabaseUnavailable over real errors of both drivers: what postgres.js and PGlite (and Drizzle
 * around them) throw when the database cannot be reached, against what they throw when the
 * statement itself is wrong.
 */
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, isDatabaseUnavailable, sql } from "../src";
import { createTestDatabase, type TestDatabase } from "../src/testing";

const ON_POSTGRES = Boolean(process.env.DATABASE_URL);

/** The rejection of `run`, which must reject. */
async function failureOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ migrate: false });
});
afterAll(async () => {
  await t?.drop();
});

describe("isDatabaseUnavailable", () => {
  it("postgres.js: a refused connection, raw and wrapped by Drizzle", async () => {
    const handle = await createDb(`postgres://postgres@127.0.0.1:${await closedPort()}/none`);
    try {
      const raw = await failureOf(() => handle.query("select 1", []));
      expect(raw).toMatchObject({ code: "ECONNREFUSED" });
      expect(isDatabaseUnavailable(raw)).toBe(true);
      const wrapped = await failureOf(() => handle.db.execute(sql`select 1`));
      expect((wrapped as Error).cause).toBeDefined();
      expect(isDatabaseUnavailable(wrapped)).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it.skipIf(!ON_POSTGRES)("postgres.js: its connection terminated by the server (57P01)", async () => {
    const error = await failureOf(() => t.handle.query("select pg_terminate_backend(pg_backend_pid())", []));
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it("PGlite: closed, raw and wrapped by Drizzle", async () => {
    const handle = await createDb("pglite://memory");
    await handle.close();
    expect(isDatabaseUnavailable(await failureOf(() => handle.query("select 1", [])))).toBe(true);
    expect(isDatabaseUnavailable(await failureOf(() => handle.db.execute(sql`select 1`)))).toBe(true);
  });

  it("driver-style codes in a cause chain: connection exceptions and shutdowns", () => {
    for (const code of [
      "CONNECTION_CLOSED",
      "CONNECTION_ENDED",
      "CONNECT_TIMEOUT",
      "08006",
      "08001",
      "57P03",
    ])
      expect(isDatabaseUnavailable(new Error("outer", { cause: { cause: { code } } })), code).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([new Error("x"), { code: "ECONNREFUSED" }]))).toBe(true);
  });

  it(`a statement's own failure on ${ON_POSTGRES ? "Postgres" : "PGlite"}, a plain Error and odd values are not`, async () => {
    const syntax = await failureOf(() => t.handle.query("selec 1", []));
    expect(isDatabaseUnavailable(syntax)).toBe(false);
    expect(isDatabaseUnavailable(await failureOf(() => t.handle.db.execute(sql`select 1/0`)))).toBe(false);
    expect(isDatabaseUnavailable(new Error("connection refused"))).toBe(false);
    expect(isDatabaseUnavailable(new Error("outer", { cause: new Error("inner") }))).toBe(false);
    // A protocol violation is a bug of the client: retrying cannot help.
    expect(isDatabaseUnavailable({ code: "08P01" })).toBe(false);
    for (const odd of [null, undefined, "ECONNREFUSED", 42, {}])
      expect(isDatabaseUnavailable(odd)).toBe(false);
    const loop: { cause?: unknown } = {};
    loop.cause = loop;
    expect(isDatabaseUnavailable(loop)).toBe(false);
  });
});
