import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { createDb, type DbHandle } from "./client";
import { migrate } from "./migrate";

export interface TestDatabase {
  handle: DbHandle;
  /** The URL a second connection (another "server instance") can open; null for in-memory PGlite. */
  url: string | null;
  /** Closes the connection and drops the per-run database. */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file: a new database on the Postgres server named by
 * DATABASE_URL (created here, dropped by `drop`), or in-memory PGlite when DATABASE_URL is unset.
 * `baseUrl` names another Postgres server instead (a test's own cluster, which it may restart).
 */
export async function createTestDatabase(
  options: { migrate?: boolean; baseUrl?: string } = {},
): Promise<TestDatabase> {
  const base = options.baseUrl ?? process.env.DATABASE_URL;
  let handle: DbHandle;
  let url: string | null = null;
  let dropDatabase = async () => {};
  if (base && /^postgres(ql)?:\/\//.test(base)) {
    const name = `molecule_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    await admin.end();
    const parsed = new URL(base);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    handle = await createDb(url);
    dropDatabase = async () => {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
    };
  } else {
    handle = await createDb("pglite://memory");
  }
  if (options.migrate !== false) await migrate(handle);
  return {
    handle,
    url,
    async drop() {
      await handle.close();
      await dropDatabase();
    },
  };
}
