"use client";

import type { AppRouter } from "@molecule/api";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { ActivityEventSource } from "./stream-activity";

// Plain JSON (no transformer): dates travel as ISO strings, exactly as WorkspaceView declares them.
// Subscriptions go over SSE and resume from the last tracked event id after a reconnect.
// The EventSource is wrapped to note keep-alive pings, which the link itself does not surface.
// https://trpc.io/docs/client/links/httpSubscriptionLink
export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({
        url: "/api/trpc",
        // A factory called with `new` that returns the real EventSource (see stream-activity.ts).
        EventSource: ActivityEventSource as unknown as typeof EventSource,
      }),
      false: httpBatchLink({ url: "/api/trpc", maxURLLength: 4000 }),
    }),
  ],
});
