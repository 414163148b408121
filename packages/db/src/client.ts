import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { dataDir } from "./paths";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The Drizzle database, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type DbKind = "postgres" | "pglite";

export interface DbHandle {
  db: Database;
  kind: DbKind;
  /** Runs raw SQL (several statements allowed, no parameters): migrations only. */
  execScript(sqlText: string): Promise<void>;
  /** LISTEN on a channel; resolves once listening; returns the unlisten function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Opens the database named by `url`:
 * - `postgres://` / `postgresql://` → postgres.js
 * - `pglite://memory` → in-memory PGlite (tests)
 * - `pglite://<dir>` or unset → PGlite persisted under `<dir>` (default `.data/pglite`)
 */
export async function createDb(url: string | undefined = process.env.DATABASE_URL): Promise<DbHandle> {
  if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  const location = url?.startsWith("pglite://") ? url.slice("pglite://".length) : "";
  return openPglite(location === "memory" ? undefined : location || join(dataDir(), "pglite"));
}

function openPostgres(url: string): DbHandle {
  const max = Number(process.env.DATABASE_POOL_MAX ?? 10);
  // onnotice: silence "relation already exists, skipping" notices from idempotent DDL.
  const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 });
  const db = drizzlePostgres(client, { schema }) as unknown as Database;
  return {
    db,
    kind: "postgres",
    async execScript(sqlText) {
      await client.unsafe(sqlText);
    },
    async listen(channel, onPayload) {
      // postgres.js keeps one dedicated LISTEN connection and re-listens after reconnects.
      const sub = await client.listen(channel, onPayload);
      return () => sub.unlisten();
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function openPglite(dir: string | undefined): Promise<DbHandle> {
  if (dir) mkdirSync(dir, { recursive: true });
  const client = dir ? new PGlite(dir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    db,
    kind: "pglite",
    async execScript(sqlText) {
      await client.exec(sqlText);
    },
    async listen(channel, onPayload) {
      const unsub = await client.listen(channel, onPayload);
      return async () => unsub();
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
