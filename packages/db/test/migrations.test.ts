import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbErrorText, listMigrations, migrate, migrateDown, rowsOf, sql } from "../src";

const failure = (p: Promise<unknown>) => p.then(() => "resolved", dbErrorText);

import { createTestDatabase, type TestDatabase } from "../src/testing";

async function statusColumnType(t: TestDatabase): Promise<string> {
  const r = await t.handle.db.execute(
    sql`select udt_name from information_schema.columns where table_name = 'workspaces' and column_name = 'status'`,
  );
  return String(rowsOf<{ udt_name: string }>(r)[0]?.udt_name);
}

async function tableExists(t: TestDatabase, name: string): Promise<boolean> {
  const r = await t.handle.db.execute(
    sql`select 1 from information_schema.tables where table_name = ${name}`,
  );
  return rowsOf(r).length > 0;
}

async function enumExists(t: TestDatabase): Promise<boolean> {
  const r = await t.handle.db.execute(sql`select 1 from pg_type where typname = 'workspace_status'`);
  return rowsOf(r).length > 0;
}

// Every migration in the journal, oldest first (other migrations may land beside these tests).
const TAGS = listMigrations().map((m) => m.tag);
const AFTER_INIT = TAGS.slice(1);

describe(`migrations on ${process.env.DATABASE_URL ? "Postgres" : "PGlite"}`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("applies every migration once, and a second run applies nothing", async () => {
    expect(TAGS.slice(0, 2)).toEqual(["0000_init", "0001_status_enum"]);
    expect(await migrate(t.handle)).toEqual(TAGS);
    expect(await migrate(t.handle)).toEqual([]);
    expect(await statusColumnType(t)).toBe("workspace_status");
  });

  it("rejects a status outside the ENUM at the database", async () => {
    await t.handle.db.execute(
      sql`insert into workspaces (id, name, awareness_namespace) values ('w1', 'one', 'workspace:w1')`,
    );
    expect(
      await failure(t.handle.db.execute(sql`update workspaces set status = 'sleeping' where id = 'w1'`)),
    ).toMatch(/invalid input value for enum workspace_status/);
    await t.handle.db.execute(sql`update workspaces set status = 'degraded' where id = 'w1'`);
  });

  it("rejects a workspace_access outside its CHECK", async () => {
    expect(
      await failure(
        t.handle.db.execute(sql`update workspaces set workspace_access = 'everything' where id = 'w1'`),
      ),
    ).toMatch(/workspaces_access_check/);
  });

  it("round-trips 0002 up → down → up: the sessions table goes and comes back", async () => {
    const from0002 = TAGS.slice(TAGS.indexOf("0002_operator_sessions"));
    expect(await migrateDown(t.handle, from0002.length)).toEqual([...from0002].reverse());
    expect(await tableExists(t, "operator_sessions")).toBe(false);
    expect(await migrate(t.handle)).toEqual(from0002);
    expect(await tableExists(t, "operator_sessions")).toBe(true);
  });

  it("round-trips up → down → up: the ENUM goes to text and back, data kept", async () => {
    expect(await migrateDown(t.handle, AFTER_INIT.length)).toEqual([...AFTER_INIT].reverse());
    expect(await enumExists(t)).toBe(false);
    expect(await statusColumnType(t)).toBe("text");
    // While status is text, the database accepts anything: that is exactly what the ENUM fixes.
    const kept = rowsOf<{ status: string }>(
      await t.handle.db.execute(sql`select status from workspaces where id = 'w1'`),
    );
    expect(kept[0]?.status).toBe("degraded");

    expect(await migrate(t.handle)).toEqual(AFTER_INIT);
    expect(await enumExists(t)).toBe(true);
    expect(await statusColumnType(t)).toBe("workspace_status");
    expect(
      await failure(t.handle.db.execute(sql`update workspaces set status = 'bogus' where id = 'w1'`)),
    ).toMatch(/invalid input value for enum/);
  });

  it("fully reverts and re-applies from nothing", async () => {
    expect(await migrateDown(t.handle)).toEqual([...TAGS].reverse());
    const tables = rowsOf(
      await t.handle.db.execute(sql`select 1 from information_schema.tables where table_name = 'workspaces'`),
    );
    expect(tables).toHaveLength(0);
    expect(await migrate(t.handle)).toEqual(TAGS);
    expect(await statusColumnType(t)).toBe("workspace_status");
  });

  it.runIf(Boolean(process.env.DATABASE_URL))(
    "concurrent migrators apply each migration exactly once",
    async () => {
      const other = await createTestDatabase({ migrate: false });
      try {
        const { createDb } = await import("../src");
        const handles = await Promise.all([1, 2, 3].map(() => createDb(other.url!)));
        const results = await Promise.all(handles.map((h) => migrate(h)));
        expect(results.flat().sort()).toEqual([...TAGS].sort());
        await Promise.all(handles.map((h) => h.close()));
      } finally {
        await other.drop();
      }
    },
  );
});
