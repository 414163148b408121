"use client";

import type { AppRouter } from "@molecule/api";
import { MutationObserver, type MutationOptions, QueryClient } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { trpc } from "./trpc";

/**
 * Request/response data (details, logs, secrets, the timeline, create options) goes through
 * TanStack Query: cached per input, retried on transient failures, refetched on invalidation.
 * The live fleet itself is not here: the store (store.ts, live-sync.ts) holds snapshots and events.
 */

/** A 4xx (bad input, not found, unauthorised) will answer the same again: only retry the rest. */
export function shouldRetry(failures: number, error: unknown): boolean {
  const data = (error as { data?: { httpStatus?: unknown } | null } | null)?.data;
  const status = typeof data?.httpStatus === "number" ? data.httpStatus : undefined;
  // No status: the request never got an answer (network, a restarting server), worth another try.
  return failures < 2 && (status === undefined || status >= 500);
}

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Live data arrives through the stream; a details view opened twice within 10 s reuses its answer.
        staleTime: 10_000,
        retry: shouldRetry,
        retryDelay: (attempt) => Math.min(500 * 2 ** attempt, 4_000),
        // The canvas refetches what it shows when the workspace changes (see details-panel.tsx).
        refetchOnWindowFocus: false,
      },
      // Mutations are not idempotent (create, restart): never sent twice behind the operator's back.
      mutations: { retry: false },
    },
  });
}

let browserClient: QueryClient | undefined;
/** One client in the browser (actions outside React share its cache); a fresh one per server render. */
export function getQueryClient(): QueryClient {
  if (typeof window === "undefined") return makeQueryClient();
  browserClient ??= makeQueryClient();
  return browserClient;
}

/**
 * Query and mutation options for every procedure, typed from the router (no hand-written types).
 * The singleton form: actions.ts runs mutations outside components with the same cache.
 * https://trpc.io/docs/client/tanstack-react-query/setup#3c-set-up-without-react-context
 */
export const rq = createTRPCOptionsProxy<AppRouter>({ client: trpc, queryClient: getQueryClient });

/** Runs a mutation outside React (actions.ts) through the shared client, as useMutation would. */
export function runMutation<TData, TError, TVariables>(
  options: MutationOptions<TData, TError, TVariables>,
  variables: TVariables,
): Promise<TData> {
  return new MutationObserver(getQueryClient(), options).mutate(variables);
}

/** After a change to a workspace: whatever the open panels show of it is refetched. */
export function invalidateWorkspace(id: string) {
  const client = getQueryClient();
  return Promise.all([
    client.invalidateQueries(rq.workspace.get.queryFilter({ id })),
    client.invalidateQueries(rq.workspace.events.infiniteQueryFilter({ id })),
  ]);
}
