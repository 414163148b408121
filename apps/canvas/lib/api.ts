"use client";

import type {
  CreateWorkspaceInput,
  EventEnvelope,
  UpdateWorkspaceInput,
  WorkspaceView,
} from "@molecule/contracts";
import { trpc } from "./trpc";

// Every operator call the canvas makes, in one place (SPEC §4 names). Output types are spelled out
// here so components do not depend on router inference details.

export interface SecretKeyView {
  key: string;
  updatedAt: string;
}
export interface MemoryView {
  id: string;
  namespace: string;
  scope: string;
  content: string;
  createdAt: string;
}
export interface WorkspaceDetails {
  workspace: WorkspaceView;
  secretKeys: SecretKeyView[];
  memories: MemoryView[];
  events: EventEnvelope[];
}
export interface LogLine {
  at: string;
  stream: "stdout" | "stderr" | "system";
  line: string;
}

export const api = {
  latestEventId: () => trpc.events.latestId.query() as Promise<{ lastEventId: string }>,
  list: () => trpc.workspace.list.query() as Promise<WorkspaceView[]>,
  get: (id: string) => trpc.workspace.get.query({ id }) as Promise<WorkspaceDetails>,
  create: (input: CreateWorkspaceInput) =>
    trpc.workspace.create.mutate(input) as Promise<{ workspace: WorkspaceView; token: string }>,
  update: (input: UpdateWorkspaceInput) => trpc.workspace.update.mutate(input) as Promise<unknown>,
  move: (moves: { id: string; x: number; y: number }[]) =>
    trpc.workspace.move.mutate({ moves }) as Promise<unknown>,
  setCollapsed: (id: string, collapsed: boolean) =>
    trpc.workspace.setCollapsed.mutate({ id, collapsed }) as Promise<unknown>,
  restart: (id: string) =>
    trpc.workspace.restart.mutate({ id }) as Promise<{ workspace: WorkspaceView; restarted: boolean }>,
  pause: (id: string) => trpc.workspace.pause.mutate({ id }) as Promise<unknown>,
  resume: (id: string) => trpc.workspace.resume.mutate({ id }) as Promise<unknown>,
  remove: (id: string, cascade: boolean) => trpc.workspace.remove.mutate({ id, cascade }) as Promise<unknown>,
  rotateToken: (id: string) => trpc.workspace.rotateToken.mutate({ id }) as Promise<{ token: string }>,
  events: (id: string, cursor?: string) =>
    trpc.workspace.events.query({ id, ...(cursor ? { cursor } : {}) }) as Promise<{
      events: EventEnvelope[];
      nextCursor: string | null;
    }>,
  logs: (id: string) => trpc.workspace.logs.query({ id }) as Promise<LogLine[]>,
  secretList: (id: string) => trpc.secret.list.query({ id }) as Promise<SecretKeyView[]>,
  secretSet: (id: string, key: string, value: string) =>
    trpc.secret.set.mutate({ id, key, value }) as Promise<unknown>,
  secretDelete: (id: string, key: string) => trpc.secret.delete.mutate({ id, key }) as Promise<unknown>,
};
