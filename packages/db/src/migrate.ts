import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import type { DbHandle } from "./client";
import { migrationsDir } from "./paths";

// Arbitrary but fixed: every server instance takes this advisory lock to migrate one at a time.
const MIGRATION_LOCK_KEY = 7_312_001;

interface JournalEntry {
  idx: number;
  tag: string;
}

export function listMigrations(dir = migrationsDir()): JournalEntry[] {
  const journal = JSON.parse(readFileSync(join(dir, "meta", "_journal.json"), "utf8")) as {
    entries: JournalEntry[];
  };
  return [...journal.entries].sort((a, b) => a.idx - b.idx);
}

function statements(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("--> statement-breakpoint")
    .map((s) => s.trim())
    .filter((s) => s.replace(/--.*$/gm, "").trim().length > 0);
}

/**
 * Applies every pending migration from drizzle/, each in its own transaction holding a
 * transaction-scoped advisory lock, so concurrent server starts apply each migration exactly once
 * (the applied set is re-read under the lock). One transaction per migration because Postgres
 * cannot use an enum value added in the same transaction.
 */
export async function migrate(handle: DbHandle, dir = migrationsDir()): Promise<string[]> {
  const { db } = handle;
  // Under the lock too: two servers starting at once would both pass `if not exists` and one would
  // fail on the catalog's unique index.
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(
      sql`create table if not exists molecule_migrations (tag text primary key, applied_at timestamptz not null default now())`,
    );
  });
  const applied: string[] = [];
  for (const entry of listMigrations(dir)) {
    const did = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      const done = await tx.execute(sql`select 1 from molecule_migrations where tag = ${entry.tag}`);
      if (rowsOf(done).length > 0) return false;
      for (const statement of statements(join(dir, `${entry.tag}.sql`))) {
        await tx.execute(sql.raw(statement));
      }
      await tx.execute(sql`insert into molecule_migrations (tag) values (${entry.tag})`);
      return true;
    });
    if (did) applied.push(entry.tag);
  }
  return applied;
}

/** Reverts the last `steps` applied migrations using drizzle/down/<tag>.sql (tests and operators). */
export async function migrateDown(handle: DbHandle, steps = Number.POSITIVE_INFINITY, dir = migrationsDir()) {
  const { db } = handle;
  const reverted: string[] = [];
  const entries = listMigrations(dir).reverse();
  for (const entry of entries) {
    if (reverted.length >= steps) break;
    const did = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      const done = await tx.execute(sql`select 1 from molecule_migrations where tag = ${entry.tag}`);
      if (rowsOf(done).length === 0) return false;
      for (const statement of statements(join(dir, "down", `${entry.tag}.sql`))) {
        await tx.execute(sql.raw(statement));
      }
      await tx.execute(sql`delete from molecule_migrations where tag = ${entry.tag}`);
      return true;
    });
    if (did) reverted.push(entry.tag);
  }
  return reverted;
}

/** postgres.js returns an array; PGlite returns `{ rows }`. */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** The database's own message, wherever the driver wrapped it (Drizzle puts it in `cause`). */
export function dbErrorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let i = 0; current && i < 5; i++) {
    parts.push(String((current as Error).message ?? current));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(" ← ");
}
