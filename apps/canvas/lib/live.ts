"use client";

import { api } from "./api";
import { createLiveSync } from "./live-sync";
import { useCanvas } from "./store";
import { streamLastActivity } from "./stream-activity";
import { trpc } from "./trpc";

/** How many top-level cards the first paint asks for (a 1440×900 view at 0.8 shows ~40). */
const FIRST_CARDS = 500;

/**
 * The first requests leave as soon as this module runs in the browser, before React has hydrated
 * the page: the newest event id and the first-paint slice, in one batched request. The first live
 * sync takes them; any later one (a remount) asks again.
 */
let early: { latestId: ReturnType<typeof api.latestEventId>; first: ReturnType<typeof api.cards> } | null =
  typeof window === "undefined"
    ? null
    : { latestId: api.latestEventId(), first: api.firstCards(FIRST_CARDS) };
// Whoever takes them handles their failure; until then, no unhandled-rejection noise.
early?.latestId.catch(() => {});
early?.first.catch(() => {});

function takeEarly() {
  const taken = early;
  early = null;
  return taken;
}

/** The live sync wired to the real API, stream and store (the logic lives in live-sync.ts). */
export function startLiveSync(): () => void {
  const started = takeEarly();
  return createLiveSync({
    latestId: () => started?.latestId ?? api.latestEventId(),
    firstCards: () => started?.first ?? api.firstCards(FIRST_CARDS),
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
