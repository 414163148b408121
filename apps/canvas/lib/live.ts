"use client";

import type {
  EventEnvelope,
  TelemetryMessagePayload,
  TelemetryPayload,
  WorkspaceView,
} from "@molecule/contracts";
import { api } from "./api";
import { problemOf } from "./errors";
import { useCanvas } from "./store";
import { trpc } from "./trpc";

/**
 * Keeps the store in sync with the server (SPEC §6): read the newest event id BEFORE listing, then
 * subscribe from that id, so nothing that happens between the list and the subscription is missed
 * (replayed events are idempotent here: each one just refreshes its workspace). The tRPC client
 * resumes from the last tracked id after a reconnect.
 */
export function startLiveSync(): () => void {
  const store = useCanvas.getState;
  let stopped = false;
  let unsubscribe: (() => void) | null = null;
  let everLive = false;

  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  // Status events refresh only their own card. Bursts (a cascade pause, a replay after reconnect)
  // are coalesced into one batched request.
  const refresh = (id: string) => {
    pending.add(id);
    timer ??= setTimeout(flush, 40);
  };

  async function flush() {
    timer = null;
    const ids = [...pending];
    pending.clear();
    if (stopped || ids.length === 0) return;
    if (ids.length <= 50) {
      const results = await Promise.allSettled(ids.map((id) => api.get(id)));
      const found: WorkspaceView[] = [];
      const gone: string[] = [];
      let failed = false;
      results.forEach((r, i) => {
        if (r.status === "fulfilled") found.push(r.value.workspace);
        else if (problemOf(r.reason).code === "NOT_FOUND") gone.push(ids[i]!);
        else failed = true;
      });
      if (stopped) return;
      if (found.length) store().upsert(found);
      if (gone.length) store().remove(gone);
      if (!failed) return;
    }
    // A big burst (a cascade, a replay after reconnect), or some gets failed: one list call,
    // applied to the ids we were told about.
    try {
      const list = await api.list();
      if (stopped) return;
      const byId = new Map(list.map((w) => [w.id, w]));
      const found = ids.map((id) => byId.get(id)).filter((w): w is WorkspaceView => Boolean(w));
      store().upsert(found);
      store().remove(ids.filter((id) => !byId.has(id)));
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
    if (!stopped) store().applyTelemetry(batch);
  };

  function apply(event: EventEnvelope) {
    if (event.type === "WORKSPACE_TELEMETRY") {
      // Coalesced by the server: the latest values of every workspace that reported (SPEC §6).
      const { workspaces } = event.payload as unknown as TelemetryMessagePayload;
      for (const [id, values] of Object.entries(workspaces ?? {})) telemetry.set(id, values);
      telemetryTimer ??= setTimeout(flushTelemetry, 250);
      return;
    }
    if (event.type === "RESYNC") {
      // Events we missed are past retention: replay cannot catch up, a fresh list does.
      void reload();
      return;
    }
    if (event.type === "WORKSPACE_REMOVED") {
      store().remove([event.workspaceId]);
      return;
    }
    refresh(event.workspaceId);
  }

  // The last persisted event applied. tRPC resumes from it by itself after a dropped connection;
  // when the stream fails for good (server restarted mid-stream, a proxy cut it), we subscribe again
  // from it, with backoff, so nothing is missed either way.
  let lastSeen = "0";
  let backoff = 1000;
  let retry: ReturnType<typeof setTimeout> | null = null;

  function subscribe() {
    retry = null;
    if (stopped) return;
    const sub = trpc.events.onEvent.subscribe(
      { lastEventId: lastSeen },
      {
        onStarted() {
          everLive = true;
          backoff = 1000;
          store().setConnection("live");
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
            store().setConnection("live");
          } else if (state.state === "connecting") {
            store().setConnection(everLive ? "reconnecting" : "connecting");
          }
        },
        onError(error: unknown) {
          if (stopped) return;
          if (problemOf(error).code === "UNAUTHORIZED") {
            window.location.href = "/sign-in";
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
    unsubscribe = () => sub.unsubscribe();
  }

  function resubscribe() {
    const previous = unsubscribe;
    unsubscribe = null;
    previous?.();
    store().setConnection(everLive ? "reconnecting" : "connecting");
    if (retry) return;
    retry = setTimeout(subscribe, backoff + Math.random() * 250);
    backoff = Math.min(backoff * 2, 15_000);
  }

  async function reload() {
    try {
      const list = await api.list();
      if (!stopped) store().replaceAll(list);
    } catch (error) {
      console.warn("[live] reload failed", error);
    }
  }

  async function boot() {
    store().setLoad({ kind: "loading" });
    try {
      const { lastEventId } = await api.latestEventId();
      const list = await api.list();
      if (stopped) return;
      lastSeen = lastEventId;
      store().replaceAll(list);
      subscribe();
    } catch (error) {
      if (stopped) return;
      const problem = problemOf(error);
      if (problem.code === "UNAUTHORIZED") {
        window.location.href = "/sign-in";
        return;
      }
      store().setLoad({ kind: "error", message: problem.message });
      store().setConnection("offline");
    }
  }

  void boot();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    if (telemetryTimer) clearTimeout(telemetryTimer);
    if (retry) clearTimeout(retry);
    unsubscribe?.();
  };
}
