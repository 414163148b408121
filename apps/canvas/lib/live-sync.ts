import type { CardView, EventEnvelope, TelemetryMessagePayload, TelemetryPayload } from "@molecule/contracts";
import { problemOf } from "./errors";
import type { Connection } from "./store";

/** SPEC §6 [r2]: the server sends a keep-alive every 10 s, so 25 s of silence means the stream is dead. */
export const SILENCE_MS = 25_000;
/** How often the silence watchdog looks (the indicator turns within SILENCE_MS + this). */
const WATCHDOG_EVERY_MS = 2_000;

export interface StreamHandlers {
  onStarted(): void;
  onData(data: unknown): void;
  onConnectionStateChange(state: { state: string }): void;
  onError(error: unknown): void;
  onComplete(): void;
}

/** What the live sync needs from the outside: the API, the stream, a clock, and the store. */
export interface LiveDeps {
  latestId(): Promise<{ lastEventId: string }>;
  cards(): Promise<CardView[]>;
  /** The first-paint slice (top-level cards near the top-left), asked for alongside latestId. */
  firstCards?(): Promise<CardView[]>;
  get(id: string): Promise<{ workspace: CardView }>;
  subscribe(input: { lastEventId: string }, handlers: StreamHandlers): () => void;
  /** When the stream last said anything, events or keep-alive pings (ms, same clock as `now`). */
  lastActivity(): number;
  now(): number;
  onUnauthorized(): void;
  store: {
    setLoad(load: { kind: "loading" } | { kind: "ready" } | { kind: "error"; message: string }): void;
    setConnection(connection: Connection): void;
    replaceAll(list: CardView[]): void;
    preview(list: CardView[]): void;
    upsert(list: CardView[]): void;
    remove(ids: string[]): void;
    applyTelemetry(batch: Map<string, Partial<TelemetryPayload>>): void;
    pushFeed(events: EventEnvelope[]): void;
  };
  silenceMs?: number;
}

/**
 * Keeps the store in sync with the server (SPEC §6). Reads the newest event id first, then asks for
 * the cards and opens the stream from that id at the same time: the stream replays whatever happens
 * while the cards load, and those events are held back until the snapshot is in the store, so an
 * older snapshot never overwrites what an event said. A dropped or silent stream is opened again
 * from the last persisted id it delivered, so nothing is missed and nothing applied twice matters
 * (each event just refreshes its card).
 */
export function createLiveSync(deps: LiveDeps): () => void {
  const { store } = deps;
  const silenceMs = deps.silenceMs ?? SILENCE_MS;
  let stopped = false;
  let unsubscribe: (() => void) | null = null;
  let everLive = false;
  let snapshotApplied = false;
  let heldBack: EventEnvelope[] = [];

  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  // Status events refresh only their own card. Bursts (a cascade pause, a replay after reconnect)
  // are coalesced into one batched request.
  const refresh = (id: string) => {
    pending.add(id);
    timer ??= setTimeout(() => void flush(), 40);
  };

  async function flush() {
    timer = null;
    const ids = [...pending];
    pending.clear();
    if (stopped || ids.length === 0) return;
    if (ids.length <= 50) {
      const results = await Promise.allSettled(ids.map((id) => deps.get(id)));
      const found: CardView[] = [];
      const gone: string[] = [];
      let failed = false;
      results.forEach((r, i) => {
        if (r.status === "fulfilled") found.push(r.value.workspace);
        else if (problemOf(r.reason).code === "NOT_FOUND") gone.push(ids[i]!);
        else failed = true;
      });
      if (stopped) return;
      if (found.length) store.upsert(found);
      if (gone.length) store.remove(gone);
      if (!failed) return;
    }
    // A big burst, or some gets failed: one cards call, applied to the ids we were told about.
    try {
      const list = await deps.cards();
      if (stopped) return;
      const byId = new Map(list.map((w) => [w.id, w]));
      store.upsert(ids.map((id) => byId.get(id)).filter((w): w is CardView => Boolean(w)));
      store.remove(ids.filter((id) => !byId.has(id)));
    } catch (error) {
      console.warn("[live] refresh failed", error);
    }
  }

  // Telemetry from thousands of agents is applied in one store update per 250 ms, not one per event.
  let telemetry = new Map<string, Partial<TelemetryPayload>>();
  let telemetryTimer: ReturnType<typeof setTimeout> | null = null;
  const flushTelemetry = () => {
    telemetryTimer = null;
    const batch = telemetry;
    telemetry = new Map();
    if (!stopped) store.applyTelemetry(batch);
  };

  function apply(event: EventEnvelope) {
    if (!snapshotApplied) {
      heldBack.push(event);
      return;
    }
    if (event.type === "WORKSPACE_TELEMETRY") {
      // Coalesced by the server (SPEC §6): the latest values of every workspace that reported.
      const { workspaces } = event.payload as unknown as TelemetryMessagePayload;
      for (const [id, values] of Object.entries(workspaces ?? {})) telemetry.set(id, values);
      telemetryTimer ??= setTimeout(flushTelemetry, 250);
      return;
    }
    if (event.type === "RESYNC") {
      void reload();
      return;
    }
    store.pushFeed([event]);
    if (event.type === "WORKSPACE_REMOVED") {
      store.remove([event.workspaceId]);
      return;
    }
    refresh(event.workspaceId);
  }

  // The last persisted event delivered. tRPC resumes from it by itself after a dropped connection;
  // when the stream fails for good, or goes silent, we subscribe again from it, with backoff.
  let lastSeen = "0";
  let backoff = 1000;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let subscribedAt = 0;

  function subscribe() {
    retry = null;
    if (stopped) return;
    subscribedAt = deps.now();
    unsubscribe = deps.subscribe(
      { lastEventId: lastSeen },
      {
        onStarted() {
          everLive = true;
          backoff = 1000;
          store.setConnection("live");
        },
        onData(data: unknown) {
          // Persisted events arrive as tracked { id, data }; telemetry arrives bare.
          const d = data as EventEnvelope | { id: string; data: EventEnvelope };
          if ("type" in d) apply(d);
          else {
            if (/^\d+$/.test(d.id)) lastSeen = d.id;
            apply(d.data);
          }
        },
        onConnectionStateChange(state: { state: string }) {
          if (state.state === "pending") {
            everLive = true;
            store.setConnection("live");
          } else if (state.state === "connecting") {
            store.setConnection(everLive ? "reconnecting" : "connecting");
          }
        },
        onError(error: unknown) {
          if (stopped) return;
          if (problemOf(error).code === "UNAUTHORIZED") {
            deps.onUnauthorized();
            return;
          }
          console.warn("[live] stream failed; subscribing again", error);
          resubscribe();
        },
        onComplete() {
          if (!stopped) resubscribe(); // the server ended the stream (shutdown, deploy)
        },
      },
    );
  }

  function resubscribe() {
    const previous = unsubscribe;
    unsubscribe = null;
    previous?.();
    store.setConnection(everLive ? "reconnecting" : "connecting");
    if (retry) return;
    retry = setTimeout(subscribe, backoff + Math.random() * 250);
    backoff = Math.min(backoff * 2, 15_000);
  }

  // A stopped server (SIGSTOP, a dead proxy) closes nothing: the socket just goes quiet. Keep-alives
  // make silence mean death, so after `silenceMs` without a byte the stream is dropped and reopened.
  const watchdog = setInterval(() => {
    if (stopped || !unsubscribe) return;
    const quietSince = Math.max(deps.lastActivity(), subscribedAt);
    if (deps.now() - quietSince >= silenceMs) {
      console.warn(`[live] no event or keep-alive for ${silenceMs / 1000} s; reconnecting`);
      resubscribe();
    }
  }, WATCHDOG_EVERY_MS);

  async function loadSnapshot() {
    const list = await deps.cards();
    if (stopped) return;
    store.replaceAll(list);
    snapshotApplied = true;
    const held = heldBack;
    heldBack = [];
    for (const event of held) apply(event);
  }

  async function reload() {
    snapshotApplied = false;
    try {
      await loadSnapshot();
    } catch (error) {
      console.warn("[live] reload failed", error);
      snapshotApplied = true;
    }
  }

  async function boot() {
    store.setLoad({ kind: "loading" });
    // A big fleet's full list takes a while to read, send and parse: its first cards are drawn from
    // a small slice asked for at the same time as the newest event id. The slice is only a picture:
    // events wait for the full snapshot as before, and a slice that comes late is dropped.
    deps.firstCards?.().then(
      (list) => {
        if (!stopped && !snapshotApplied) store.preview(list);
      },
      () => {}, // the full snapshot follows, and reports its own failure
    );
    try {
      const { lastEventId } = await deps.latestId();
      if (stopped) return;
      lastSeen = lastEventId;
      subscribe();
      await loadSnapshot();
    } catch (error) {
      if (stopped) return;
      const problem = problemOf(error);
      if (problem.code === "UNAUTHORIZED") {
        deps.onUnauthorized();
        return;
      }
      store.setLoad({ kind: "error", message: problem.message });
      store.setConnection("offline");
    }
  }

  void boot();
  return () => {
    stopped = true;
    clearInterval(watchdog);
    if (timer) clearTimeout(timer);
    if (telemetryTimer) clearTimeout(telemetryTimer);
    if (retry) clearTimeout(retry);
    unsubscribe?.();
  };
}
