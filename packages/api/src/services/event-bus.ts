import type { EventEnvelope } from "@molecule/contracts";
import { type DbHandle, desc, eq, workspaceEvents } from "@molecule/db";
import { EVENTS_CHANNEL, eventsAfter, toEnvelope } from "./events";
import type { Logger } from "./logger";
import { metricsOf } from "./metrics";
import type { TelemetryBatch } from "./telemetry";

/** `bytes`: the event's size as it arrived, so subscribers can bound what they hold. */
export type EventListener = (event: EventEnvelope, bytes: number) => void;
export type TelemetryListener = (batch: TelemetryBatch) => void;

/** Rows read per query when catching up on events whose NOTIFY never arrived. */
const CATCH_UP_PAGE = 500;

/**
 * One per server instance: LISTENs on the Postgres channel and fans every event out to this
 * instance's subscribers (SSE streams, the provisioner). Because the source is Postgres NOTIFY,
 * every instance sees the events written by any instance.
 *
 * NOTIFY is not durable: one sent while the LISTEN connection is down (Postgres restarted, the
 * connection terminated) is gone. Live subscribers stay connected through such a gap and would
 * never learn what they missed, so the bus delivers persisted events by id, in order, with no
 * holes: it catches up from `workspace_events` whenever the LISTEN connection is re-established
 * and whenever an event arrives past a hole in the ids (the events in the hole, if any were
 * committed, come first). Event ids are committed in id order (events.ts), so an id at or below
 * the last one delivered has been delivered already.
 */
export class EventBus {
  private listeners = new Set<EventListener>();
  private telemetryListeners = new Set<TelemetryListener>();
  private unlisten: (() => Promise<void>) | null = null;
  // Events are delivered one after another, in NOTIFY order, even when one must be read back.
  private chain: Promise<void> = Promise.resolve();
  /** The id of the last persisted event delivered (or present when the bus started). */
  private lastId = 0n;

  constructor(
    private readonly handle: DbHandle,
    private readonly log: Pick<Logger, "error"> = console,
  ) {}

  async start(): Promise<void> {
    if (this.unlisten) return;
    // Read before LISTEN: an event committed in between is caught up with the next one, never lost.
    const [newest] = await this.handle.db
      .select({ id: workspaceEvents.id })
      .from(workspaceEvents)
      .orderBy(desc(workspaceEvents.id))
      .limit(1);
    this.lastId = BigInt(newest?.id ?? 0);
    let listens = 0;
    this.unlisten = await this.handle.listen(
      EVENTS_CHANNEL,
      (payload) => {
        this.chain = this.chain.then(() => this.receive(payload));
      },
      () => {
        // Listening again after the connection was lost: what was notified meanwhile is gone.
        if (++listens > 1) this.chain = this.chain.then(() => this.catchUp(null));
      },
    );
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
   * Reads from `workspace_events`, which is committed (NOTIFY fires on commit), so a failed read is
   * the database being briefly unreachable: retry with backoff (~13 s in all), in order, rather
   * than drop events from every live stream. Undefined when it never answered (or the bus stopped).
   */
  private async readWithRetry<T>(read: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 0, delay = 50; attempt < 8; attempt++, delay *= 2) {
      try {
        return await read();
      } catch {
        // unreachable for a moment: try again
      }
      if (!this.unlisten) return undefined; // stopped
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    return undefined;
  }

  /** An event too big for NOTIFY arrives as its id: read it back. */
  private async readBack(ref: string): Promise<EventEnvelope | null> {
    const rows = await this.readWithRetry(() =>
      this.handle.db
        .select()
        .from(workspaceEvents)
        .where(eq(workspaceEvents.id, Number(ref)))
        .limit(1),
    );
    return rows?.[0] ? toEnvelope(rows[0]) : null;
  }

  /**
   * Delivers the persisted events after the last one delivered (and before `before`, when given)
   * that never arrived by NOTIFY. Usually none: a hole in the ids is most often a rolled-back insert.
   */
  private async catchUp(before: bigint | null): Promise<void> {
    for (;;) {
      const after = this.lastId;
      const rows = await this.readWithRetry(() => eventsAfter(this.handle.db, after, CATCH_UP_PAGE, before));
      if (rows === undefined) {
        this.log.error(
          `event bus: could not catch up on events after ${after}; live clients get them on resume`,
        );
        return;
      }
      for (const row of rows) {
        const event = toEnvelope(row);
        this.deliver(event, Buffer.byteLength(JSON.stringify(event)));
      }
      if (rows.length < CATCH_UP_PAGE) return;
    }
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
    const id = BigInt(event.id);
    if (id <= this.lastId) return; // delivered already, by a catch-up
    if (id > this.lastId + 1n) await this.catchUp(id);
    this.deliver(event, payload.length);
  }

  private deliver(event: EventEnvelope, bytes: number) {
    const id = BigInt(event.id);
    if (id <= this.lastId) return;
    this.lastId = id;
    // Lag: the event's commit-time stamp (database clock) to its delivery here.
    metricsOf(this.handle.db)?.busLag.observe(Math.max(0, Date.now() - Date.parse(event.at)) / 1000);
    for (const listener of this.listeners) {
      try {
        listener(event, bytes);
      } catch (error) {
        this.log.error({ err: error }, "event bus: a listener failed");
      }
    }
  }
}
