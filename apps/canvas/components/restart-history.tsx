"use client";

import type { RestartView } from "@/lib/api";
import { useRestarts } from "@/lib/use-restarts";

const CAUSES: Record<RestartView["cause"], string> = {
  operator: "Operator restart",
  crash: "Crashed, restarted",
  crash_loop: "Crash loop",
  server_start: "Server started",
  resume: "Resumed",
};

const OUTCOMES: Record<RestartView["outcome"], string> = {
  pending: "starting…",
  online: "came back online",
  degraded: "came back degraded",
  failed: "failed",
  not_acknowledged: "agent kept running without restarting",
  superseded: "restarted again before it came up",
  paused: "paused before it came up",
  removed: "removed",
};

const took = (r: RestartView) =>
  r.endedAt ? ` in ${Math.max(0, Math.round((Date.parse(r.endedAt) - Date.parse(r.at)) / 100) / 10)} s` : "";

/** When the workspace was (re)started, why, and how each one ended (workspace.restarts). */
export function RestartHistory({ id, version }: { id: string; version: string }) {
  const state = useRestarts(id, version);
  if (state.kind === "loading") return <p className="muted">Loading…</p>;
  if (state.kind === "error") return <p className="muted">Could not load restarts: {state.message}</p>;
  if (state.restarts.length === 0) return <p className="muted">Never restarted.</p>;
  return (
    <ol className="timeline" data-testid="restart-history">
      {state.restarts.map((r) => (
        <li
          key={r.id}
          className={`timeline__item restart restart--${r.outcome}`}
          data-testid="restart-item"
          data-cause={r.cause}
          data-outcome={r.outcome}
        >
          <span className="timeline__type">{CAUSES[r.cause]}</span>
          <time dateTime={r.at} title={r.at}>
            {new Date(r.at).toLocaleString()}
          </time>
          <span className="timeline__detail">
            {r.previousStatus ? `from ${r.previousStatus.replace("_", " ")}: ` : ""}
            {OUTCOMES[r.outcome]}
            {took(r)}
            {r.detail ? ` — ${r.detail}` : ""}
          </span>
        </li>
      ))}
    </ol>
  );
}
