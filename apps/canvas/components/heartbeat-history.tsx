"use client";

import { DEGRADE_AT } from "@molecule/contracts";
import { heartbeatAges } from "@/lib/history";
import { useHistory } from "@/lib/use-history";
import { useNow } from "@/lib/use-now";
import { Sparkline } from "./sparkline";

const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);

/**
 * Error rate and heartbeat age over the last minutes (workspace.history, then live), so a rising
 * error rate or an agent going quiet is seen at a glance rather than read from numbers.
 */
export function HeartbeatHistory({ id }: { id: string }) {
  const history = useHistory(id);
  const now = useNow(1000);
  if (history.kind === "loading") return <p className="muted">Loading…</p>;
  if (history.kind === "error") return <p className="muted">Could not load the history: {history.message}</p>;
  const { samples, windowMs } = history.view;
  if (samples.length === 0)
    return <p className="muted">No heartbeats heard in the last {Math.round(windowMs / 60_000)} minutes.</p>;
  const rates = samples.map((s) => s.errorRate);
  const ages = heartbeatAges(samples, now);
  const minutes = Math.max(1, Math.round((now - Date.parse(samples[0]!.at)) / 60_000));
  return (
    <div className="sparks">
      <div className="sparks__row">
        <span className="sparks__label">Error rate</span>
        <Sparkline
          values={rates}
          max={1}
          mark={DEGRADE_AT}
          label={`Error rate over the last ${minutes} min, now ${Math.round(rates.at(-1)! * 100)}%`}
          testId="spark-error-rate"
          tone="error"
        />
        <span className="sparks__value">{Math.round(rates.at(-1)! * 100)}%</span>
      </div>
      <div className="sparks__row">
        <span className="sparks__label">Heartbeat age</span>
        <Sparkline
          values={ages}
          label={`Heartbeat age over the last ${minutes} min, now ${seconds(ages.at(-1) ?? 0)}`}
          testId="spark-heartbeat-age"
          tone="age"
        />
        <span className="sparks__value">{seconds(ages.at(-1) ?? 0)}</span>
      </div>
      <p className="muted sparks__note">
        {samples.length} heartbeat{samples.length === 1 ? "" : "s"} over {minutes} min (kept for{" "}
        {Math.round(windowMs / 60_000)} min by the server)
      </p>
    </div>
  );
}
