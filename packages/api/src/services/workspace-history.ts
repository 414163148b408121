import type { HistorySample } from "@molecule/contracts";
import type { TelemetryBatch } from "./telemetry";

/** Samples kept per workspace: 10 minutes of heartbeats at the default 10 s interval. */
export const HISTORY_SAMPLES = 60;
/** Samples older than this are dropped even when the ring is not full. */
export const HISTORY_WINDOW_MS = 10 * 60_000;
/**
 * Workspaces whose history is kept. Past it, the one that reported least recently is forgotten.
 * Worst case: 20,000 × (60 × 3 float64 = 1,440 bytes + ring, id and Map entry) ≈ 37 MB, as measured
 * (heap + array buffers, full rings); recording costs ≈ 2 µs per heartbeat, on the bus, not the request.
 */
export const HISTORY_MAX_WORKSPACES = 20_000;

const FIELDS = 3; // at (ms), error rate, gap since the previous heartbeat (ms; NaN for the first)

/** One workspace's samples: a fixed-size ring of float64s, so a chatty agent cannot grow it. */
class Ring {
  readonly data: Float64Array;
  start = 0;
  size = 0;
  constructor(readonly capacity: number) {
    this.data = new Float64Array(capacity * FIELDS);
  }
  get lastAt(): number {
    return this.size === 0 ? Number.NaN : this.data[((this.start + this.size - 1) % this.capacity) * FIELDS]!;
  }
  push(at: number, errorRate: number, gap: number) {
    const slot = (this.start + this.size) % this.capacity;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
    this.data.set([at, errorRate, gap], slot * FIELDS);
  }
  samples(since: number): HistorySample[] {
    const out: HistorySample[] = [];
    for (let i = 0; i < this.size; i++) {
      const o = ((this.start + i) % this.capacity) * FIELDS;
      const at = this.data[o]!;
      if (at < since) continue;
      const gap = this.data[o + 2]!;
      out.push({
        at: new Date(at).toISOString(),
        errorRate: this.data[o + 1]!,
        gapMs: Number.isNaN(gap) ? null : gap,
      });
    }
    return out;
  }
}

export interface HistoryLimits {
  samples?: number;
  windowMs?: number;
  maxWorkspaces?: number;
}

/**
 * A bounded, in-memory history of every workspace's heartbeats (error rate and the gap since the
 * previous heartbeat), for the details panel's sparklines. It is fed from the telemetry NOTIFY
 * every server instance already receives (event-bus.ts), so each instance holds the same history
 * whichever one took the heartbeat, and the heartbeat's own request path does no extra work: no
 * query, no write. It is not persisted: a server that starts has an empty history that fills as
 * heartbeats arrive.
 */
export class WorkspaceHistory {
  private readonly rings = new Map<string, Ring>();
  readonly samplesPerWorkspace: number;
  readonly windowMs: number;
  readonly maxWorkspaces: number;

  constructor(
    limits: HistoryLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    this.samplesPerWorkspace = limits.samples ?? HISTORY_SAMPLES;
    this.windowMs = limits.windowMs ?? HISTORY_WINDOW_MS;
    this.maxWorkspaces = limits.maxWorkspaces ?? HISTORY_MAX_WORKSPACES;
  }

  /** Records one telemetry batch (the latest heartbeat of each workspace in it). */
  record(batch: TelemetryBatch) {
    for (const id in batch) {
      const t = batch[id]!;
      const at = Date.parse(t.lastHeartbeatAt);
      if (!Number.isFinite(at)) continue;
      let ring = this.rings.get(id);
      if (ring) {
        // Map order is recency order: re-inserting makes this the most recently heard.
        this.rings.delete(id);
      } else {
        ring = new Ring(this.samplesPerWorkspace);
        if (this.rings.size >= this.maxWorkspaces) {
          const oldest = this.rings.keys().next().value;
          if (oldest !== undefined) this.rings.delete(oldest);
        }
      }
      this.rings.set(id, ring);
      const last = ring.lastAt;
      // The same heartbeat can be told twice (a telemetry batch replayed); time never goes back.
      if (at <= last) continue;
      ring.push(at, t.errorRate, Number.isNaN(last) ? Number.NaN : at - last);
    }
  }

  /** The samples of the last `windowMs`, oldest first. */
  samples(id: string): HistorySample[] {
    return this.rings.get(id)?.samples(this.now() - this.windowMs) ?? [];
  }

  forget(id: string) {
    this.rings.delete(id);
  }

  /** How many workspaces have a history here (tests, the memory bound). */
  get workspaceCount(): number {
    return this.rings.size;
  }
}
