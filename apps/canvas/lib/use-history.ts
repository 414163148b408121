"use client";

import { useEffect, useState } from "react";
import { api } from "./api";
import { problemOf } from "./errors";
import { appendSample, type HistoryView } from "./history";
import { useCanvas } from "./store";

export type HistoryState =
  | { kind: "loading" }
  | { kind: "ok"; view: HistoryView }
  | { kind: "error"; message: string };

/**
 * A workspace's recent heartbeats for the sparklines: the server's history (workspace.history) once,
 * then every heartbeat the live stream brings to the store (its telemetry updates the card's
 * lastHeartbeatAt and error rate), so the lines move without polling.
 */
export function useHistory(id: string): HistoryState {
  const [state, setState] = useState<HistoryState>({ kind: "loading" });
  const beat = useCanvas((s) => s.workspaces[id]?.lastHeartbeatAt ?? null);
  const rate = useCanvas((s) => s.workspaces[id]?.lastErrorRate ?? 0);

  useEffect(() => {
    let live = true;
    api.history(id).then(
      (view) => live && setState({ kind: "ok", view }),
      (error) => live && setState({ kind: "error", message: problemOf(error).message }),
    );
    return () => {
      live = false;
    };
  }, [id]);

  const loaded = state.kind === "ok";
  useEffect(() => {
    if (!beat || !loaded) return;
    setState((s) =>
      s.kind === "ok" ? { kind: "ok", view: appendSample(s.view, beat, rate, Date.now()) } : s,
    );
  }, [beat, rate, loaded]);

  return state;
}
