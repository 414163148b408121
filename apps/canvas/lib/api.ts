"use client";

import type { AppRouter } from "@molecule/api";
import type { inferRouterOutputs } from "@trpc/server";
import { trpc } from "./trpc";

// Output types of the operator calls the canvas makes (SPEC §4 names), inferred
// from the router, so a field the server adds or drops shows up here as a type error, not a guess.
type Outputs = inferRouterOutputs<AppRouter>;
export type WorkspaceDetails = Outputs["workspace"]["get"];
export type SecretKeyView = Outputs["secret"]["list"][number];
export type MemoryView = WorkspaceDetails["memories"][number];
export type LogLine = Outputs["workspace"]["logs"][number];
export type EventsPage = Outputs["workspace"]["events"];
export type CreateOptions = Outputs["workspace"]["createOptions"];
export type HistoryAnswer = Outputs["workspace"]["history"];
export type RestartView = Outputs["workspace"]["restarts"][number];
export type RecentEvents = Outputs["events"]["recent"];

/** Events per page of the activity feed's history (events.recent). */
export const RECENT_PAGE = 50;

/**
 * What the live sync reads (live.ts): the snapshot, one card's refresh and the newest event id.
 * They feed the store, which orders them against the event stream, so they bypass the query cache.
 * Everything else goes through TanStack Query (query.ts).
 */
export const api = {
  latestEventId: () => trpc.events.latestId.query(),
  cards: (includeRemoved = false) =>
    trpc.workspace.cards.query(includeRemoved ? { includeRemoved } : undefined),
  firstCards: (first: number) => trpc.workspace.cards.query({ first }),
  get: (id: string) => trpc.workspace.get.query({ id }),
};
