"use client";

import { api } from "./api";
import { createLiveSync } from "./live-sync";
import { useCanvas } from "./store";
import { streamLastActivity } from "./stream-activity";
import { trpc } from "./trpc";

/** The live sync wired to the real API, stream and store (the logic lives in live-sync.ts). */
export function startLiveSync(): () => void {
  return createLiveSync({
    latestId: api.latestEventId,
    cards: () => api.cards(useCanvas.getState().showRemoved),
    get: api.get,
    subscribe: (input, handlers) => {
      const sub = trpc.events.onEvent.subscribe(input, handlers);
      return () => sub.unsubscribe();
    },
    lastActivity: streamLastActivity,
    now: Date.now,
    onUnauthorized: () => {
      window.location.href = "/sign-in";
    },
    store: useCanvas.getState(),
  });
}
