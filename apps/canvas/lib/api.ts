"use client";

import type { AppRouter } from "@molecule/api";
import type { CreateWorkspaceInput, UpdateWorkspaceInput } from "@molecule/contracts";
import type { inferRouterOutputs } from "@trpc/server";
import { trpc } from "./trpc";

// Every operator call the canvas makes, in one place (SPEC §4 names). Output types are inferred
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

export const api = {
  latestEventId: () => trpc.events.latestId.query(),
  cards: (includeRemoved = false) =>
    trpc.workspace.cards.query(includeRemoved ? { includeRemoved } : undefined),
  list: () => trpc.workspace.list.query(),
  createOptions: () => trpc.workspace.createOptions.query(),
  get: (id: string) => trpc.workspace.get.query({ id }),
  create: (input: CreateWorkspaceInput) => trpc.workspace.create.mutate(input),
  update: (input: UpdateWorkspaceInput) => trpc.workspace.update.mutate(input),
  move: (moves: { id: string; x: number; y: number }[]) => trpc.workspace.move.mutate({ moves }),
  setCollapsed: (id: string, collapsed: boolean) => trpc.workspace.setCollapsed.mutate({ id, collapsed }),
  restart: (id: string) => trpc.workspace.restart.mutate({ id }),
  pause: (id: string) => trpc.workspace.pause.mutate({ id }),
  resume: (id: string) => trpc.workspace.resume.mutate({ id }),
  remove: (id: string, cascade: boolean) => trpc.workspace.remove.mutate({ id, cascade }),
  rotateToken: (id: string) => trpc.workspace.rotateToken.mutate({ id }),
  events: (id: string, cursor?: string) => trpc.workspace.events.query({ id, ...(cursor ? { cursor } : {}) }),
  logs: (id: string) => trpc.workspace.logs.query({ id }),
  history: (id: string) => trpc.workspace.history.query({ id }),
  restarts: (id: string) => trpc.workspace.restarts.query({ id }),
  recentEvents: (before?: string) =>
    trpc.events.recent.query({ limit: RECENT_PAGE, ...(before ? { before } : {}) }),
  secretList: (id: string) => trpc.secret.list.query({ id }),
  secretSet: (id: string, key: string, value: string) => trpc.secret.set.mutate({ id, key, value }),
  secretDelete: (id: string, key: string) => trpc.secret.delete.mutate({ id, key }),
};
