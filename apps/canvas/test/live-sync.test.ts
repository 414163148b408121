import type { CardView, EventEnvelope } from "@molecule/contracts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLiveSync, type LiveDeps, SILENCE_MS, type StreamHandlers } from "../lib/live-sync";
import { card } from "./fixtures";

/** A controllable server and a store that records the order of what it was told. */
function harness(
  opts: {
    cards?: () => Promise<CardView[]>;
    firstCards?: () => Promise<CardView[]>;
    get?: (id: string) => Promise<CardView>;
  } = {},
) {
  const calls: string[] = [];
  const subscriptions: { input: { lastEventId: string }; handlers: StreamHandlers; closed: boolean }[] = [];
  let activity = 0;
  const connection: string[] = [];
  const deps: LiveDeps = {
    latestId: async () => ({ lastEventId: "7" }),
    cards: opts.cards ?? (async () => [card("a", 1000)]),
    ...(opts.firstCards ? { firstCards: opts.firstCards } : {}),
    get: async (id) => ({ workspace: await (opts.get ?? (async () => card(id, 5000)))(id) }),
    subscribe(input, handlers) {
      const sub = { input, handlers, closed: false };
      subscriptions.push(sub);
      return () => {
        sub.closed = true;
      };
    },
    lastActivity: () => activity,
    now: () => Date.now(),
    onUnauthorized: () => calls.push("unauthorized"),
    store: {
      setLoad: (l) => calls.push(`load:${l.kind}`),
      setConnection: (c) => connection.push(c),
      replaceAll: (list) => calls.push(`replaceAll:${list.map((w) => `${w.id}@${w.updatedAt}`).join(",")}`),
      preview: (list) => calls.push(`preview:${list.map((w) => w.id).join(",")}`),
      upsert: (list) => calls.push(`upsert:${list.map((w) => `${w.id}@${w.updatedAt}`).join(",")}`),
      remove: (ids) => calls.push(`remove:${ids.join(",")}`),
      applyTelemetry: (batch) => calls.push(`telemetry:${[...batch.keys()].join(",")}`),
      pushFeed: (events) => calls.push(`feed:${events.map((e) => e.id).join(",")}`),
    },
  };
  return {
    deps,
    calls,
    connection,
    subscriptions,
    last: () => subscriptions[subscriptions.length - 1]!,
    ping: () => {
      activity = Date.now();
    },
  };
}

const envelope = (id: string, workspaceId: string, type = "WORKSPACE_DEGRADED"): EventEnvelope => ({
  id,
  type: type as EventEnvelope["type"],
  workspaceId,
  at: new Date().toISOString(),
  payload: {},
});
const tracked = (id: string, workspaceId: string, type?: string) => ({
  id,
  data: envelope(id, workspaceId, type),
});

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("first load", () => {
  it("opens the stream from the newest id while the cards load, and applies its events after the snapshot", async () => {
    let resolveCards: (list: CardView[]) => void = () => {};
    const h = harness({ cards: () => new Promise((r) => (resolveCards = r)) });
    const stop = createLiveSync(h.deps);
    await vi.advanceTimersByTimeAsync(0);
    // The stream is open before the cards have arrived, from the id read first.
    expect(h.subscriptions).toHaveLength(1);
    expect(h.last().input).toEqual({ lastEventId: "7" });

    h.last().handlers.onStarted();
    h.last().handlers.onData(tracked("8", "a"));
    await vi.advanceTimersByTimeAsync(100);
    expect(h.calls.some((c) => c.startsWith("upsert"))).toBe(false);

    resolveCards([card("a", 1000)]);
    await vi.advanceTimersByTimeAsync(100);
    const replaced = h.calls.findIndex((c) => c.startsWith("replaceAll"));
    const refreshed = h.calls.findIndex((c) => c.startsWith("upsert:a"));
    expect(replaced).toBeGreaterThanOrEqual(0);
    expect(refreshed).toBeGreaterThan(replaced);
    expect(h.calls).toContain("feed:8");
    expect(h.connection).toContain("live");
    stop();
  });
});

describe("first paint", () => {
  it("draws the first slice before the full list, holds events for the full snapshot, and drops a late slice", async () => {
    let resolveCards: (list: CardView[]) => void = () => {};
    let resolveFirst: (list: CardView[]) => void = () => {};
    const h = harness({
      cards: () => new Promise((r) => (resolveCards = r)),
      firstCards: () => new Promise((r) => (resolveFirst = r)),
    });
    const stop = createLiveSync(h.deps);
    await vi.advanceTimersByTimeAsync(0);
    h.last().handlers.onStarted();
    h.last().handlers.onData(tracked("8", "a"));
    resolveFirst([card("a", 1000)]);
    await vi.advanceTimersByTimeAsync(100);
    // Drawn from the slice; the event waits for the snapshot it must not be overwritten by.
    expect(h.calls).toContain("preview:a");
    expect(h.calls.some((c) => c.startsWith("upsert") || c.startsWith("feed"))).toBe(false);
    resolveCards([card("a", 1000), card("b", 1000)]);
    await vi.advanceTimersByTimeAsync(100);
    const replaced = h.calls.findIndex((c) => c.startsWith("replaceAll"));
    expect(replaced).toBeGreaterThan(h.calls.indexOf("preview:a"));
    expect(h.calls.findIndex((c) => c.startsWith("upsert:a"))).toBeGreaterThan(replaced);
    stop();

    // A slice that answers after the full list is not drawn over it.
    let lateFirst: (list: CardView[]) => void = () => {};
    const late = harness({ firstCards: () => new Promise((r) => (lateFirst = r)) });
    const stopLate = createLiveSync(late.deps);
    await vi.advanceTimersByTimeAsync(100);
    lateFirst([card("a", 1000)]);
    await vi.advanceTimersByTimeAsync(100);
    expect(late.calls.some((c) => c.startsWith("replaceAll"))).toBe(true);
    expect(late.calls.some((c) => c.startsWith("preview"))).toBe(false);
    stopLate();
  });
});

describe("resume", () => {
  it("subscribes again from the last persisted id it delivered (telemetry ids do not count)", async () => {
    const h = harness();
    const stop = createLiveSync(h.deps);
    await vi.advanceTimersByTimeAsync(0);
    h.last().handlers.onStarted();
    h.last().handlers.onData(tracked("8", "a"));
    h.last().handlers.onData(tracked("9", "a", "WORKSPACE_ONLINE"));
    h.last().handlers.onData({
      ...envelope("", "", "WORKSPACE_TELEMETRY"),
      payload: { workspaces: { a: { activeTasks: 1 } } },
    });
    h.last().handlers.onError(new Error("network"));
    expect(h.connection.at(-1)).toBe("reconnecting");
    expect(h.subscriptions[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1500);
    expect(h.subscriptions).toHaveLength(2);
    expect(h.last().input).toEqual({ lastEventId: "9" });
    stop();
  });
});

describe("silence", () => {
  it(`treats ${SILENCE_MS / 1000} s without an event or keep-alive as a dead stream and resumes`, async () => {
    const h = harness();
    const stop = createLiveSync(h.deps);
    await vi.advanceTimersByTimeAsync(0);
    h.last().handlers.onStarted();
    h.ping();
    h.last().handlers.onData(tracked("8", "a"));

    // Keep-alives every 10 s keep it live however long nothing happens.
    for (let i = 0; i < 6; i++) {
      await vi.advanceTimersByTimeAsync(10_000);
      h.ping();
    }
    expect(h.subscriptions).toHaveLength(1);
    expect(h.connection.at(-1)).toBe("live");

    // The server stops answering: within the silence limit (plus one watchdog tick) it reconnects.
    await vi.advanceTimersByTimeAsync(SILENCE_MS - 3000);
    expect(h.connection.at(-1)).toBe("live");
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.connection.at(-1)).toBe("reconnecting");
    expect(h.subscriptions[0]!.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1500);
    expect(h.subscriptions).toHaveLength(2);
    expect(h.last().input).toEqual({ lastEventId: "8" });

    // A new stream that never answers either is given up on again, not waited on forever.
    await vi.advanceTimersByTimeAsync(SILENCE_MS + 5000);
    expect(h.subscriptions.length).toBeGreaterThanOrEqual(3);
    h.last().handlers.onStarted();
    expect(h.connection.at(-1)).toBe("live");
    stop();
  });
});

describe("telemetry", () => {
  it("applies a coalesced message's values for every workspace in it, once per 250 ms", async () => {
    const h = harness();
    const stop = createLiveSync(h.deps);
    await vi.advanceTimersByTimeAsync(0);
    h.last().handlers.onStarted();
    h.last().handlers.onData({
      ...envelope("", "", "WORKSPACE_TELEMETRY"),
      payload: { workspaces: { a: { activeTasks: 2 }, b: { activeTasks: 5 } } },
    });
    await vi.advanceTimersByTimeAsync(300);
    expect(h.calls.filter((c) => c.startsWith("telemetry:"))).toEqual(["telemetry:a,b"]);
    stop();
  });
});
