import type { HistorySample } from "@molecule/contracts";

/**
 * The heartbeat history the details panel draws: the server's samples (workspace.history), then
 * each heartbeat the live stream reports, bounded like the server's (same count and window).
 */
export interface HistoryView {
  samples: HistorySample[];
  limit: number;
  windowMs: number;
}

/** A heartbeat seen on the live stream, appended if it is newer than the last sample. */
export function appendSample(view: HistoryView, at: string, errorRate: number, now: number): HistoryView {
  const t = Date.parse(at);
  const last = view.samples.at(-1);
  const lastAt = last ? Date.parse(last.at) : Number.NaN;
  if (!Number.isFinite(t) || t <= lastAt) return view;
  const samples = [...view.samples, { at, errorRate, gapMs: Number.isNaN(lastAt) ? null : t - lastAt }]
    .filter((s) => Date.parse(s.at) >= now - view.windowMs)
    .slice(-view.limit);
  return { ...view, samples };
}

/**
 * Heartbeat age over time: at each heartbeat, how long the agent had been silent (the gap since the
 * one before), and now, how long since the last one. A steady agent draws a flat line at its
 * interval; one that stopped draws a line climbing to the right.
 */
export function heartbeatAges(samples: HistorySample[], now: number): number[] {
  const ages = samples.flatMap((s) => (s.gapMs === null ? [] : [s.gapMs]));
  const last = samples.at(-1);
  if (last) ages.push(Math.max(0, now - Date.parse(last.at)));
  return ages;
}

/**
 * SVG polyline points for `values` in a `width` × `height` box: oldest on the left, 0 at the bottom,
 * `max` (or the largest value) at the top. One value draws a flat line.
 */
export function sparkPoints(values: number[], width: number, height: number, max?: number): string {
  if (values.length === 0) return "";
  const top = Math.max(max ?? 0, ...values) || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (v: number) => (height - (Math.min(v, top) / top) * height).toFixed(1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${y(v)}`);
  return values.length === 1 ? `0,${y(values[0]!)} ${width},${y(values[0]!)}` : points.join(" ");
}
