import type { EventEnvelope } from "@molecule/contracts";
import { createDb, type DbHandle, eq, gt, sql, workspaceEvents } from "@molecule/db";
import { describe, expect, it } from "vitest";
import { EventBus } from "../src/services/event-bus";
import { lockEventLog, recordEvent, toEnvelope, withEventLogLocked } from "../src/services/events";
import { TEST_ADMIN_TOKEN } from "../src/testing";
import {
  createWorkspace,
  heartbeat,
  ON_POSTGRES,
  post,
  register,
  testServerPerFile,
  trpcQuery,
  waitFor,
} from "./helpers";
import { holdEventLog } from "./support/event-log-holder";

const ts = testServerPerFile();
const EVENT_LOG_LOCK = 7_312_002; // src/services/events.ts
const db = () => ts.db.handle.db;

function collect(bus: EventBus) {
  const seen: EventEnvelope[] = [];
  bus.subscribe((e) => {
    if (e.type !== "WORKSPACE_TELEMETRY") seen.push(e);
  });
  return seen;
}

describe("live telemetry", () => {
  it("carries the sample error, which can change while the status stays degraded", async () => {
    const ws = await createWorkspace(ts, { external: true });
    await heartbeat(ts, ws, { runtimeState: "wedged", sampleError: "first" });
    const samples: unknown[] = [];
    const off = ts.server.services.bus.subscribeTelemetry((batch) => {
      if (batch[ws.id]) samples.push(batch[ws.id]!.lastSampleError);
    });
    try {
      expect((await heartbeat(ts, ws, { runtimeState: "wedged", sampleError: "second" })).data.status).toBe(
        "degraded",
      );
      await waitFor(async () => samples.includes("second"), { what: "telemetry with the new sample error" });
    } finally {
      off();
    }
  });
});

describe("event bus across server instances (LISTEN/NOTIFY)", () => {
  // Two instances = two connections to one database; in-memory PGlite has exactly one connection.
  it.runIf(ON_POSTGRES)(
    "two listeners on separate connections both receive an event written by one",
    async () => {
      const handles: DbHandle[] = [await createDb(ts.db.url!), await createDb(ts.db.url!)];
      const buses = handles.map((h) => new EventBus(h));
      try {
        await Promise.all(buses.map((b) => b.start()));
        const [seenA, seenB] = buses.map(collect) as [EventEnvelope[], EventEnvelope[]];
        const written = await handles[0]!.db.transaction(async (tx) => {
          await lockEventLog(tx);
          return recordEvent(tx, { workspaceId: "w-bus", type: "WORKSPACE_UPDATED", payload: { n: 1 } });
        });
        // A payload over the NOTIFY limit is announced by id and read back by each listener.
        const big = await handles[1]!.db.transaction(async (tx) => {
          await lockEventLog(tx);
          return recordEvent(tx, {
            workspaceId: "w-bus",
            type: "AGENT_CARD_UPDATED",
            payload: { blob: "x".repeat(20_000) },
          });
        });
        for (const seen of [seenA, seenB]) {
          await waitFor(async () => seen.length >= 2, { what: "both events" });
          expect(seen.map((e) => e.id)).toEqual([written.id, big.id]);
          expect(seen[0]).toEqual(written);
          expect(String(seen[1]!.payload.blob)).toHaveLength(20_000);
        }
        // A rolled-back transaction notifies nobody.
        await handles[0]!.db
          .transaction(async (tx) => {
            await lockEventLog(tx);
            await recordEvent(tx, { workspaceId: "w-bus", type: "WORKSPACE_UPDATED", payload: { n: 2 } });
            throw new Error("roll back");
          })
          .catch(() => {});
        const marker = await handles[0]!.db.transaction(async (tx) => {
          await lockEventLog(tx);
          return recordEvent(tx, { workspaceId: "w-bus", type: "WORKSPACE_UPDATED", payload: { n: 3 } });
        });
        for (const seen of [seenA, seenB]) {
          await waitFor(async () => seen.some((e) => e.id === marker.id), { what: "marker" });
          expect(seen.map((e) => e.payload.n).filter((n) => n !== undefined)).toEqual([1, 3]);
        }
      } finally {
        await Promise.all(buses.map((b) => b.stop()));
        await Promise.all(handles.map((h) => h.close()));
      }
    },
  );

  it("an event whose NOTIFY never arrived is delivered before the next one, in id order", async () => {
    const bus = ts.server.services.bus;
    const seen = collect(bus);
    // Committed without its NOTIFY, as when the LISTEN connection was down at that moment.
    const lost = await db().transaction(async (tx) => {
      await lockEventLog(tx);
      const [row] = await tx
        .insert(workspaceEvents)
        .values({ workspaceId: "w-lost", type: "WORKSPACE_UPDATED", payload: { n: "lost" } })
        .returning();
      return String(row!.id);
    });
    const next = await db().transaction(async (tx) => {
      await lockEventLog(tx);
      return recordEvent(tx, { workspaceId: "w-lost", type: "WORKSPACE_UPDATED", payload: { n: "next" } });
    });
    await waitFor(async () => seen.some((e) => e.id === next.id), { what: "the next event" });
    expect(seen.filter((e) => e.workspaceId === "w-lost").map((e) => e.id)).toEqual([lost, next.id]);
  });

  it.runIf(ON_POSTGRES)(
    "events notified while the LISTEN connection was cut off arrive once it listens again",
    async () => {
      const listening = await createDb(ts.db.url!);
      const writer = await createDb(ts.db.url!);
      const admin = await createDb(process.env.DATABASE_URL); // another database: may change this one
      const bus = new EventBus(listening);
      const name = new URL(ts.db.url!).pathname.slice(1);
      try {
        await bus.start();
        const seen = collect(bus);
        await writer.execScript("select 1"); // connected before new connections are refused
        // The database refuses new connections and the bus's LISTEN connection is terminated: it
        // cannot listen again until connections are allowed.
        await admin.execScript(`alter database "${name}" allow_connections false`);
        await admin.execScript(
          `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and query ilike 'listen %'`,
        );
        const missed = await writer.db.transaction(async (tx) => {
          await lockEventLog(tx);
          return recordEvent(tx, { workspaceId: "w-cut", type: "WORKSPACE_UPDATED", payload: { n: 1 } });
        });
        await admin.execScript(`alter database "${name}" allow_connections true`);
        // No later event: the bus must catch up by itself once it is listening again.
        await waitFor(async () => seen.some((e) => e.id === missed.id), {
          what: "the event notified while the bus was cut off",
          timeoutMs: 25_000,
        });
        expect(seen.filter((e) => e.id === missed.id)).toHaveLength(1);
      } finally {
        await admin.execScript(`alter database "${name}" allow_connections true`).catch(() => {});
        await bus.stop();
        await Promise.all([listening.close(), writer.close(), admin.close()]);
      }
    },
    40_000,
  );

  it("an event's NOTIFY (built by Postgres) is its envelope exactly as read back from the table", async () => {
    const seen = collect(ts.server.services.bus);
    const payload = { name: '名前 🚀 "quoted"\n', nested: { list: [1, 2.5, null, true] }, n: -0.125 };
    const written = await withEventLogLocked(db(), (tx) =>
      recordEvent(tx, { workspaceId: "w-envelope", type: "WORKSPACE_UPDATED", payload }),
    );
    const [row] = await db()
      .select()
      .from(workspaceEvents)
      .where(eq(workspaceEvents.id, Number(written.id)));
    await waitFor(async () => seen.some((e) => e.id === written.id), { what: "the NOTIFYed event" });
    const live = seen.find((e) => e.id === written.id);
    expect(live).toEqual(toEnvelope(row!));
    expect(written).toEqual(toEnvelope(row!));
    expect(live!.payload).toEqual(payload);
  });

  // The event-log lock is taken before any row lock (events.ts): with the lock and the UPDATE sent
  // together, Postgres must still run them in that order.
  it.runIf(ON_POSTGRES)("a status change waiting for the event-log lock holds no row lock yet", async () => {
    const ws = await createWorkspace(ts, { external: true });
    await register(ts, ws);
    const lock = await holdEventLog(ts.db.url!);
    const other = lock.other;
    const wedge = heartbeat(ts, ws, { runtimeState: "wedged", sampleError: "stuck" });
    try {
      await waitFor(
        async () =>
          (
            await other.query(
              "select 1 from pg_locks where locktype = 'advisory' and objid = $1 and not granted",
              [EVENT_LOG_LOCK],
            )
          ).length > 0,
        { what: "the status change waiting for the event-log lock" },
      );
      // Its row is free: taking it without waiting succeeds.
      await other.db.transaction((tx) =>
        tx.execute(sql`select id from workspaces where id = ${ws.id} for update nowait`),
      );
    } finally {
      await lock.release();
    }
    expect((await wedge).data.status).toBe("degraded");
  });

  it("the server's own bus receives events written through its API (one connection is enough)", async () => {
    const seen = collect(ts.server.services.bus);
    const ws = await createWorkspace(ts, { external: true });
    await waitFor(async () => seen.some((e) => e.workspaceId === ws.id && e.type === "WORKSPACE_CREATED"), {
      what: "created event",
    });
  });
});

interface SseMessage {
  id: string | null;
  event: string | null;
  data: string;
}

/** A minimal SSE reader over fetch: what a browser EventSource does, visible to the test. */
function openStream(url: string, lastEventId: string) {
  const controller = new AbortController();
  const messages: SseMessage[] = [];
  let opened: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const done = (async () => {
    const input = encodeURIComponent(JSON.stringify({ lastEventId }));
    const res = await fetch(`${url}/api/trpc/events.onEvent?input=${input}`, {
      headers: { accept: "text/event-stream", authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      signal: controller.signal,
    });
    if (res.status !== 200 || !res.body) throw new Error(`SSE status ${res.status}`);
    opened();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      buffer += value;
      let cut = buffer.indexOf("\n\n");
      while (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const message: SseMessage = { id: null, event: null, data: "" };
        for (const line of block.split("\n")) {
          if (line.startsWith("id:")) message.id = line.slice(3).trim();
          else if (line.startsWith("event:")) message.event = line.slice(6).trim();
          else if (line.startsWith("data:")) message.data += line.slice(5).trim();
        }
        if (message.data || message.id) messages.push(message);
        cut = buffer.indexOf("\n\n");
      }
    }
  })().catch((error: unknown) => {
    if ((error as Error).name !== "AbortError") throw error;
  });
  /** Persisted events received: tracked messages whose data is an event envelope. */
  const events = () =>
    messages
      .filter((m) => m.id && m.data.startsWith("{"))
      .map((m) => ({ sseId: m.id!, envelope: JSON.parse(m.data) as EventEnvelope }))
      .filter((m) => m.envelope.type !== "WORKSPACE_TELEMETRY");
  return {
    ready,
    messages,
    events,
    async close() {
      controller.abort();
      await done;
    },
  };
}

describe("events.onEvent over SSE (real HTTP)", () => {
  it("a client that disconnects and resumes with lastEventId gets every event it missed, none twice", async () => {
    const ws = await createWorkspace(ts, { external: true });
    const start = await trpcQuery(ts, "events.latestId", undefined);
    expect(start.status).toBe(200);
    const from = start.data.lastEventId as string;

    const card = (n: number) =>
      post(
        ts,
        "/api/trpc/registry.updateCard",
        { workspaceId: ws.id, agentCard: { name: `v${n}` } },
        ws.token,
      );

    // First connection: sees some live events.
    const first = openStream(ts.url, from);
    await first.ready;
    await register(ts, ws);
    await card(1);
    await heartbeat(ts, ws, { runtimeState: "wedged", sampleError: "stuck" });
    await waitFor(async () => first.events().length >= 3, { what: "first batch" });
    await first.close();
    const got1 = first.events();
    const resumeFrom = got1[got1.length - 1]!.sseId;

    // While disconnected: more events.
    for (let i = 2; i <= 6; i++) await card(i);
    await post(
      ts,
      "/api/trpc/registry.updateCard",
      { workspaceId: ws.id, agentCard: { name: "big", blob: "y".repeat(12_000) } },
      ws.token,
    );
    await heartbeat(ts, ws, { errorRate: 0, runtimeState: "" });

    // Resume; events keep arriving while the replay runs.
    const second = openStream(ts.url, resumeFrom);
    const writing = (async () => {
      for (let i = 7; i <= 12; i++) await card(i);
    })();
    await second.ready;
    await writing;
    const all = await db()
      .select()
      .from(workspaceEvents)
      .where(gt(workspaceEvents.id, Number(from)));
    const lastId = String(all[all.length - 1]!.id);
    await waitFor(async () => second.events().some((e) => e.sseId === lastId), {
      what: "resumed to the end",
    });
    await second.close();

    const received = [...got1, ...second.events()].map((e) => e.sseId);
    // None twice...
    expect(new Set(received).size).toBe(received.length);
    // ...none lost, in order, and the SSE id is the event id.
    expect(received).toEqual(all.map((e) => String(e.id)));
    for (const e of [...got1, ...second.events()]) expect(e.envelope.id).toBe(e.sseId);
    expect(second.events().some((e) => e.envelope.payload.name === "big")).toBe(true);
  });
});
