"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { problemOf } from "./errors";
import { appendSample, type HistoryView } from "./history";
import { rq } from "./query";
import { useCanvas } from "./store";

export type HistoryState =
  | { kind: "loading" }
  | { kind: "ok"; view: HistoryView }
  | { kind: "error"; message: string };

/**
 * A workspace's recent heartbeats for the sparklines: the server's history (workspace.history,
 * through the query cache) once, then every heartbeat the live stream brings to the store (its
 * telemetry updates the card's lastHeartbeatAt and error rate), so the lines move without polling.
 */
export function useHistory(id: string): HistoryState {
  // Always fresh when a panel opens: a cached history would miss the beats heard since.
  const query = useQuery({ ...rq.workspace.history.queryOptions({ id }), staleTime: 0, gcTime: 0 });
  const [view, setView] = useState<HistoryView | null>(null);
  const beat = useCanvas((s) => s.workspaces[id]?.lastHeartbeatAt ?? null);
  const rate = useCanvas((s) => s.workspaces[id]?.lastErrorRate ?? 0);

  useEffect(() => {
    setView(query.data ?? null);
  }, [query.data]);

  useEffect(() => {
    if (!beat) return;
    setView((v) => (v ? appendSample(v, beat, rate, Date.now()) : v));
  }, [beat, rate]);

  if (query.isError) return { kind: "error", message: problemOf(query.error).message };
  return view ? { kind: "ok", view } : { kind: "loading" };
}
