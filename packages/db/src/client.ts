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
  /**
   * One parameterised statement, prepared once per connection and reused by its text: the hot
   * paths (heartbeat batches, the sweep) use it to skip Drizzle's per-call SQL building.
   */
  query<T = Record<string, unknown>>(text: string, params: readonly unknown[]): Promise<T[]>;
  /**
   * LISTEN on a channel; resolves once listening; returns the unlisten function. `onListen` is
   * called each time the LISTEN is in place: at first, and again after the connection was lost and
   * re-established (notifications sent in between are lost; the caller may catch up).
   */
  listen(
    channel: string,
    onPayload: (payload: string) => void,
    onListen?: () => void,
  ): Promise<() => Promise<void>>;
  /**
   * Tries to take the session advisory lock `key` on a connection of its own, kept until the
   * lease is released (or the connection dies, which frees the lock in Postgres). Null when
   * another session holds it. PGlite is one process with one session: it always gets the lease.
   */
  tryLease(key: number): Promise<Lease | null>;
  /**
   * The pool's size and how many connections are busy (metrics). postgres.js keeps its connection
   * queues private, so "busy" counts the statements in flight through `query` (the hot paths:
   * heartbeat batches, the sweep), each of which holds one connection. PGlite is one session.
   */
  pool(): { max: number; inUse: number };
  close(): Promise<void>;
}

export interface Lease {
  /** Resolves true while the lock is still held on its connection; false once that is lost. */
  check(): Promise<boolean>;
  release(): Promise<void>;
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

/**
 * Seconds a pool connection waits before its next connect attempt after `retries` failed ones
 * (shared by the pool). postgres.js's default grows to 20 s (3^n / 100): after a 4 s Postgres
 * outage the pool sat in that wait for ~15 s more, failing heartbeats while /api/health (on another
 * connection) said ok. Capped at 1 s: a down database gets about one attempt a second per
 * connection, and the server is back within a second of it.
 */
export function reconnectBackoff(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1);
}

function openPostgres(url: string): DbHandle {
  const max = Number(process.env.DATABASE_POOL_MAX ?? 10);
  // onnotice: silence "relation already exists, skipping" notices from idempotent DDL.
  const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 10, backoff: reconnectBackoff });
  const db = drizzlePostgres(client, { schema }) as unknown as Database;
  let inFlight = 0;
  return {
    db,
    kind: "postgres",
    async execScript(sqlText) {
      await client.unsafe(sqlText);
    },
    async query<T>(text: string, params: readonly unknown[]) {
      // prepare: true makes postgres.js keep a named statement per connection for this text.
      inFlight++;
      try {
        const rows = await client.unsafe(text, params as never[], { prepare: true });
        return rows as unknown as T[];
      } finally {
        inFlight--;
      }
    },
    pool: () => ({ max, inUse: Math.min(max, inFlight) }),
    async listen(channel, onPayload, onListen) {
      // postgres.js keeps one dedicated LISTEN connection, re-listens after reconnects and calls
      // onlisten each time.
      const sub = await client.listen(channel, onPayload, onListen);
      return () => sub.unlisten();
    },
    async tryLease(key) {
      // A client of its own, not a reserved pool connection: postgres.js crashes the process when
      // a query runs on a reserved connection the server has terminated. This one reconnects
      // instead (a new session, without the lock, which check() sees). No max_lifetime: a
      // recycled connection would drop the lock.
      const conn = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10, max_lifetime: null });
      let held = false;
      try {
        const [row] = await conn`select pg_try_advisory_lock(${key}) as ok`;
        held = row?.ok === true;
      } finally {
        if (!held) await conn.end({ timeout: 1 }).catch(() => {});
      }
      if (!held) return null;
      let lost = false;
      return {
        async check() {
          if (lost) return false;
          try {
            const [row] = await conn`
              select count(*)::int as n from pg_locks
              where locktype = 'advisory' and objid = ${key} and pid = pg_backend_pid() and granted`;
            lost = row?.n !== 1;
          } catch {
            lost = true;
          }
          return !lost;
        },
        async release() {
          if (!lost) await conn`select pg_advisory_unlock(${key})`.catch(() => {});
          lost = true;
          await conn.end({ timeout: 1 }).catch(() => {});
        },
      };
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
  let inFlight = 0;
  return {
    db,
    kind: "pglite",
    async execScript(sqlText) {
      await client.exec(sqlText);
    },
    async query<T>(text: string, params: readonly unknown[]) {
      inFlight++;
      try {
        return (await client.query<T>(text, params as unknown[])).rows;
      } finally {
        inFlight--;
      }
    },
    pool: () => ({ max: 1, inUse: inFlight > 0 ? 1 : 0 }),
    async listen(channel, onPayload, onListen) {
      // In-process: the listener is never cut off, so it listens once.
      const unsub = await client.listen(channel, onPayload);
      onListen?.();
      return async () => unsub();
    },
    async tryLease() {
      // One PGlite data directory is open in one process only: that process is alone.
      let released = false;
      return {
        check: async () => !released && !client.closed,
        release: async () => {
          released = true;
        },
      };
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
