"use client";

import { useCallback, useEffect, useState } from "react";
import { RECENT_PAGE } from "./api";
import { problemOf } from "./errors";
import { getQueryClient, rq } from "./query";
import { useCanvas } from "./store";

/**
 * The activity feed's history: when the feed first opens, the newest page of events.recent (events
 * from before the page opened) joins what the live stream brought; "load older" asks for the page
 * before the oldest one shown. The store merges both by id (feed.ts), so nothing is listed twice.
 */
export function useFeedHistory() {
  const more = useCanvas((s) => s.feedMore);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (older: boolean) => {
    const store = useCanvas.getState();
    setLoading(true);
    setError(null);
    try {
      const before = older ? store.feed.at(-1)?.id : undefined;
      // Through the query client: retried on transient failures like every other read.
      const page = await getQueryClient().fetchQuery({
        ...rq.events.recent.queryOptions({ limit: RECENT_PAGE, ...(before ? { before } : {}) }),
        staleTime: 0,
      });
      useCanvas.getState().addFeedHistory(page.events, page.nextBefore !== null, older);
    } catch (err) {
      setError(`Could not load earlier events: ${problemOf(err).message}`);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    if (useCanvas.getState().feedMore === null) void load(false);
  }, [load]);

  return {
    more: more === true,
    loading,
    error,
    loadOlder: () => void load(true),
    retry: () => void load(more !== null),
  };
}
