import type { TelemetryPayload } from "@molecule/contracts";
import type { DbHandle } from "@molecule/db";
import { EVENTS_CHANNEL, MAX_NOTIFY_BYTES } from "./events";

/** Live telemetry of several workspaces, keyed by workspace id (latest values win). */
export type TelemetryBatch = Record<string, TelemetryPayload>;

// A sample error may hold 4,096 characters of any script: a live message carries at most this
// much of it (the card's details read the full text from the database).
const LIVE_SAMPLE_CHARS = 512;

/**
 * Streams live telemetry to every server instance without storing it (SPEC §6), batched per
 * instance: the heartbeats written in one event-loop turn become as few NOTIFYs as their size
 * allows (each under Postgres's 8,000-byte payload limit), sent in ONE statement. So telemetry
 * costs a round trip per batch, not one per heartbeat, and never delays a persisted event (those
 * are NOTIFYed inside their own transaction, see events.ts).
 */
export class TelemetryPublisher {
  private pending = new Map<string, TelemetryPayload>();
  private scheduled = false;
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly handle: DbHandle) {}

  publish(workspaceId: string, payload: TelemetryPayload) {
    this.pending.set(workspaceId, payload);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.pending;
      this.pending = new Map();
      // One send at a time keeps telemetry in order per workspace.
      this.sending = this.sending.then(() => this.send(batch));
    });
  }

  /** Resolves when everything published so far has been handed to Postgres (tests, shutdown). */
  async flushed(): Promise<void> {
    while (this.scheduled || this.pending.size > 0) await new Promise((r) => setImmediate(r));
    await this.sending;
  }

  private async send(batch: Map<string, TelemetryPayload>) {
    const messages = pack(batch);
    if (messages.length === 0) return;
    try {
      await this.handle.query("select pg_notify($1, m) from json_array_elements_text($2::json) as m", [
        EVENTS_CHANNEL,
        JSON.stringify(messages),
      ]);
    } catch {
      // Telemetry is best effort: the next heartbeat carries fresh values, and a database that
      // does not answer is the sweep's business (SPEC §2), not the stream's.
    }
  }
}

/** Splits a batch into NOTIFY payloads `{"telemetry":{id: payload, …}}` that each fit the limit. */
export function pack(batch: Map<string, TelemetryPayload>): string[] {
  const messages: string[] = [];
  const head = '{"telemetry":{';
  let body = "";
  let bytes = Buffer.byteLength(head) + 2;
  for (const [id, payload] of batch) {
    const entry = `${JSON.stringify(id)}:${JSON.stringify(fitted(payload))}`;
    const size = Buffer.byteLength(entry) + 1;
    if (body && bytes + size > MAX_NOTIFY_BYTES) {
      messages.push(`${head}${body}}}`);
      body = "";
      bytes = Buffer.byteLength(head) + 2;
    }
    body += body ? `,${entry}` : entry;
    bytes += size;
  }
  if (body) messages.push(`${head}${body}}}`);
  return messages;
}

function fitted(payload: TelemetryPayload): TelemetryPayload {
  if (payload.lastSampleError.length <= LIVE_SAMPLE_CHARS && payload.currentTask.length <= LIVE_SAMPLE_CHARS)
    return payload;
  const cut = (s: string) =>
    s.length <= LIVE_SAMPLE_CHARS ? s : `${Array.from(s.slice(0, LIVE_SAMPLE_CHARS)).slice(0, -1).join("")}…`;
  return { ...payload, lastSampleError: cut(payload.lastSampleError), currentTask: cut(payload.currentTask) };
}
