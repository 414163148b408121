"use client";

import { useEffect, useState } from "react";
import { api, type RestartView } from "./api";
import { problemOf } from "./errors";

export type RestartsState =
  | { kind: "loading" }
  | { kind: "ok"; restarts: RestartView[] }
  | { kind: "error"; message: string };

/** The workspace's restarts (workspace.restarts), read again whenever `version` (its status) changes. */
export function useRestarts(id: string, version: string): RestartsState {
  const [state, setState] = useState<RestartsState>({ kind: "loading" });
  useEffect(() => {
    let live = true;
    api.restarts(id).then(
      (restarts) => live && setState({ kind: "ok", restarts }),
      (error) => live && setState({ kind: "error", message: problemOf(error).message }),
    );
    return () => {
      live = false;
    };
  }, [id, version]);
  return state;
}
