import type { EventEnvelope } from "@molecule/contracts";
import { type DbHandle, eq, workspaceEvents } from "@molecule/db";
import { EVENTS_CHANNEL, toEnvelope } from "./events";
import type { Logger } from "./logger";
import { metricsOf } from "./metrics";
import type { TelemetryBatch } from "./telemetry";

/** `bytes`: the event's size as it arrived, so subscribers can bound what they hold. */
export type EventListener = (event: EventEnvelope, bytes: number) => void;
export type TelemetryListener = (batch: TelemetryBatch) => void;

/**
 * One per server instance: LISTENs on the Postgres channel and fans every event out to this
 * instance's subscribers (SSE streams, the provisioner). Because the source is Postgres NOTIFY,
 * every instance sees the events written by any instance.
 */
export class EventBus {
  private listeners = new Set<EventListener>();
  private telemetryListeners = new Set<TelemetryListener>();
  private unlisten: (() => Promise<void>) | null = null;
  // Events are delivered one after another, in NOTIFY order, even when one must be read back.
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly handle: DbHandle,
    private readonly log: Pick<Logger, "error"> = console,
  ) {}

  async start(): Promise<void> {
    if (this.unlisten) return;
    this.unlisten = await this.handle.listen(EVENTS_CHANNEL, (payload) => {
      this.chain = this.chain.then(() => this.receive(payload));
    });
  }

  async stop(): Promise<void> {
    const un = this.unlisten;
    this.unlisten = null;
    if (un) await un().catch(() => {});
    this.listeners.clear();
    this.telemetryListeners.clear();
  }

  /** Persisted events, in id order, each exactly once per instance. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Live telemetry batches (not stored; a missed one is replaced by the next heartbeat). */
  subscribeTelemetry(listener: TelemetryListener): () => void {
    this.telemetryListeners.add(listener);
    return () => this.telemetryListeners.delete(listener);
  }

  /** How many live subscribers this instance feeds (metrics). */
  get subscriberCount(): number {
    return this.listeners.size;
  }

  /**
   * An event too big for NOTIFY arrives as its id. It is committed (NOTIFY fires on commit), so a
   * failed read is the database being briefly unreachable: retry with backoff (~13 s in all), in
   * order, rather than drop it from every live stream.
   */
  private async readBack(ref: string): Promise<EventEnvelope | null> {
    for (let attempt = 0, delay = 50; attempt < 8; attempt++, delay *= 2) {
      try {
        const [row] = await this.handle.db
          .select()
          .from(workspaceEvents)
          .where(eq(workspaceEvents.id, Number(ref)))
          .limit(1);
        return row ? toEnvelope(row) : null;
      } catch {
        // unreachable for a moment: try again
      }
      if (!this.unlisten) return null; // stopped
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    return null;
  }

  private async receive(payload: string) {
    let parsed: EventEnvelope | { ref: string } | { telemetry: TelemetryBatch };
    try {
      parsed = JSON.parse(payload);
    } catch {
      return;
    }
    if ("telemetry" in parsed) {
      for (const listener of this.telemetryListeners) {
        try {
          listener(parsed.telemetry);
        } catch (error) {
          this.log.error({ err: error }, "event bus: a telemetry listener failed");
        }
      }
      return;
    }
    let event: EventEnvelope | null = null;
    if ("ref" in parsed) {
      event = await this.readBack(parsed.ref);
      if (!event) {
        this.log.error(
          `event bus: event ${parsed.ref} could not be read back; live clients get it on resume`,
        );
        return;
      }
    } else {
      event = parsed;
    }
    if (!event) return;
    // Lag: the event's commit-time stamp (database clock) to its delivery here.
    metricsOf(this.handle.db)?.busLag.observe(Math.max(0, Date.now() - Date.parse(event.at)) / 1000);
    for (const listener of this.listeners) {
      try {
        listener(event, payload.length);
      } catch (error) {
        this.log.error({ err: error }, "event bus: a listener failed");
      }
    }
  }
}
