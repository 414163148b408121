import type { EventEnvelope } from "@molecule/contracts";
import { type DbHandle, eq, workspaceEvents } from "@molecule/db";
import { EVENTS_CHANNEL, toEnvelope } from "./events";

export type EventListener = (event: EventEnvelope) => void;

/**
 * One per server instance: LISTENs on the Postgres channel and fans every event out to this
 * instance's subscribers (SSE streams, the provisioner). Because the source is Postgres NOTIFY,
 * every instance sees the events written by any instance.
 */
export class EventBus {
  private listeners = new Set<EventListener>();
  private unlisten: (() => Promise<void>) | null = null;
  // Events are delivered one after another, in NOTIFY order, even when one must be read back.
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly handle: DbHandle) {}

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
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async receive(payload: string) {
    let parsed: EventEnvelope | { ref: string };
    try {
      parsed = JSON.parse(payload);
    } catch {
      return;
    }
    let event: EventEnvelope | null = null;
    if ("ref" in parsed) {
      const [row] = await this.handle.db
        .select()
        .from(workspaceEvents)
        .where(eq(workspaceEvents.id, Number(parsed.ref)))
        .limit(1)
        .catch(() => []);
      event = row ? toEnvelope(row) : null;
    } else {
      event = parsed;
    }
    if (!event) return;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error("[event-bus] listener failed", error);
      }
    }
  }
}
