"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { RestartView } from "./api";
import { problemOf } from "./errors";
import { rq } from "./query";

export type RestartsState =
  | { kind: "loading" }
  | { kind: "ok"; restarts: RestartView[] }
  | { kind: "error"; message: string };

/** The workspace's restarts (workspace.restarts), read again whenever `version` (its status) changes. */
export function useRestarts(id: string, version: string): RestartsState {
  const client = useQueryClient();
  const query = useQuery(rq.workspace.restarts.queryOptions({ id }));
  // A status change may end a restart or begin one: the cached list is stale from then on.
  useEffect(() => {
    if (version) void client.invalidateQueries(rq.workspace.restarts.queryFilter({ id }));
  }, [client, id, version]);
  if (query.isError) return { kind: "error", message: problemOf(query.error).message };
  return query.data ? { kind: "ok", restarts: query.data } : { kind: "loading" };
}
