import { rowsOf, sql } from "@molecule/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { pruneEvents } from "../src/services/event-retention";
import { createWorkspace, ON_POSTGRES, startTestServer, type TestServer, waitFor } from "./helpers";
import { holdEventLog } from "./support/event-log-holder";
import { StreamWatch } from "./support/stream-watch";

const DAY_MS = 24 * 60 * 60_000;

let ts: TestServer;
const db = () => ts.db.handle.db;

beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

async function eventIds(): Promise<number[]> {
  const rows = rowsOf<{ id: string | number }>(
    await db().execute(sql`select id from workspace_events order by id`),
  );
  return rows.map((r) => Number(r.id));
}

/** `n` fresh events (one WORKSPACE_CREATED each), their ids in order. */
async function newEvents(n: number): Promise<number[]> {
  const before = new Set(await eventIds());
  for (let i = 0; i < n; i++) await createWorkspace(ts, { external: true });
  return (await eventIds()).filter((id) => !before.has(id));
}

/** Makes every event up to `id` look `days` old. */
async function age(id: number, days: number) {
  await db().execute(
    sql`update workspace_events set at = now() - ${days}::int * interval '1 day' where id <= ${id}`,
  );
}

describe("EVENT_RETENTION_DAYS (SPEC §6 [r2])", () => {
  it("defaults to 30 days and takes a positive whole number of days", () => {
    expect(loadConfig({}).eventRetentionMs).toBe(30 * DAY_MS);
    expect(loadConfig({ EVENT_RETENTION_DAYS: "7" }).eventRetentionMs).toBe(7 * DAY_MS);
    expect(loadConfig({}).eventRetentionIntervalMs).toBe(60 * 60_000);
    // The test/benchmark override wins over days.
    expect(loadConfig({ EVENT_RETENTION_DAYS: "7", EVENT_RETENTION_MS: "60000" }).eventRetentionMs).toBe(
      60_000,
    );
  });

  it.each(["0", "-3", "1.5", "thirty"])("refuses EVENT_RETENTION_DAYS=%s at startup, saying why", (value) => {
    expect(() => loadConfig({ EVENT_RETENTION_DAYS: value })).toThrow(
      /Invalid server configuration: EVENT_RETENTION_DAYS: must be (a whole number of days|at least 1)/,
    );
  });
});

describe("event retention", () => {
  it("deletes the events older than the retention, in chunks, and keeps the recent ones", async () => {
    const ids = await newEvents(7);
    const old = ids.slice(0, 5);
    await age(old.at(-1)!, 31);
    const counted = ts.server.services.metrics.eventsDeleted;
    const countedBefore = (await counted.get()).values[0]?.value ?? 0;

    const report = await pruneEvents(ts.server.services, { chunk: 2 });

    const left = await eventIds();
    expect(left.filter((id) => old.includes(id))).toEqual([]);
    expect(left).toEqual(expect.arrayContaining(ids.slice(5)));
    expect(report.deleted).toBeGreaterThanOrEqual(old.length);
    expect(((await counted.get()).values[0]?.value ?? 0) - countedBefore).toBe(report.deleted);
  });

  it("keeps events younger than the retention even when they are days old", async () => {
    const ids = await newEvents(2);
    await age(ids.at(-1)!, 29);
    await pruneEvents(ts.server.services);
    expect(await eventIds()).toEqual(expect.arrayContaining(ids));
  });

  it("never deletes the newest event, so a resume can still tell what was deleted", async () => {
    const ids = await newEvents(3);
    await age(ids.at(-1)!, 60);
    await pruneEvents(ts.server.services);
    expect(await eventIds()).toEqual([ids.at(-1)]);
  });

  it("a client resuming from a deleted id gets RESYNC, then every kept event once", async () => {
    const ids = await newEvents(5);
    await age(ids[2]!, 45);
    await pruneEvents(ts.server.services);
    expect((await eventIds())[0]).toBe(ids[3]);

    // Resumes from ids[0]: ids[1] and ids[2] are gone → RESYNC.
    const gone = StreamWatch.open(ts.url, undefined, String(ids[0]));
    // Resumes from ids[2] (deleted itself, but nothing after it was): no RESYNC needed.
    const intact = StreamWatch.open(ts.url, undefined, String(ids[2]));
    try {
      const kept = [ids[3], ids[4]].map(String);
      for (const watch of [gone, intact]) {
        await waitFor(async () => watch.events.length >= 2, { what: "the kept events replayed" });
        expect(watch.events.map((e) => e.id)).toEqual(kept);
      }
      expect(gone.resyncs).toBe(1);
      expect(intact.resyncs).toBe(0);
    } finally {
      await gone.close();
      await intact.close();
    }
  });

  it("the server deletes old events by itself: once at start, then on its interval", async () => {
    const own = await startTestServer({ eventRetentionMs: DAY_MS, eventRetentionIntervalMs: 100 });
    try {
      await createWorkspace(own, { external: true });
      await createWorkspace(own, { external: true });
      const ownIds = async () =>
        rowsOf<{ id: string }>(await own.db.handle.db.execute(sql`select id from workspace_events`)).length;
      expect(await ownIds()).toBe(2);
      await own.db.handle.db.execute(
        sql`update workspace_events set at = now() - interval '2 days' where id = (select min(id) from workspace_events)`,
      );
      await waitFor(async () => (await ownIds()) === 1, {
        what: "the old event deleted by the server's job",
      });
    } finally {
      await own.close();
    }
  });

  it.runIf(ON_POSTGRES)(
    "does not wait for the event-log lock, so appends are never held up by it",
    async () => {
      const ids = await newEvents(2);
      await age(ids[0]!, 40);
      // Another connection holds the event-log lock as a long event write would.
      const lock = await holdEventLog(ts.db.url!);
      try {
        const pass = pruneEvents(ts.server.services);
        const outcome = await Promise.race([
          pass.then(() => "done"),
          new Promise((resolve) => setTimeout(resolve, 10_000, "blocked")),
        ]);
        expect(outcome).toBe("done");
        expect(await eventIds()).not.toContain(ids[0]);
      } finally {
        await lock.release();
      }
    },
  );
});
