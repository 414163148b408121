"use client";

import type { AppRouter } from "@molecule/api";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";

// Plain JSON (no transformer): dates travel as ISO strings, exactly as WorkspaceView declares them.
// Subscriptions go over SSE and resume from the last tracked event id after a reconnect.
// https://trpc.io/docs/client/links/httpSubscriptionLink
export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({ url: "/api/trpc" }),
      false: httpBatchLink({ url: "/api/trpc", maxURLLength: 4000 }),
    }),
  ],
});
