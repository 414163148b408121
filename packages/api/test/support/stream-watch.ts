import type { WorkspaceStatus } from "@molecule/contracts";
import { TEST_ADMIN_TOKEN } from "../../src/testing";

/** The status each persisted status event announces; other events change no status. */
const STATUS_OF_EVENT: Record<string, WorkspaceStatus> = {
  WORKSPACE_PROVISIONING: "provisioning",
  WORKSPACE_ONLINE: "online",
  WORKSPACE_DEGRADED: "degraded",
  WORKSPACE_OFFLINE: "offline",
  WORKSPACE_PROVISION_FAILED: "failed",
  WORKSPACE_PAUSED: "paused",
  WORKSPACE_REMOVED: "removed",
};

export interface SeenEvent {
  id: string;
  type: string;
  workspaceId: string;
  /** The status this event announces, when it is a status event. */
  status: WorkspaceStatus | null;
  payload: Record<string, unknown>;
  /** Date.now() when this client received it. */
  receivedAt: number;
}

/**
 * A live client of `events.onEvent` over real HTTP, as the canvas is: it reads the SSE stream,
 * and when the stream ends or fails it reconnects with the last event id it saw, forever until
 * closed. Fault tests watch statuses through it, so what they assert is what an operator sees:
 * the time to the true status, any false status shown on the way, and no event lost or repeated
 * across a server or database outage.
 */
export class StreamWatch {
  readonly events: SeenEvent[] = [];
  /** Stream (re)connections made, the first included. */
  connections = 0;
  resyncs = 0;
  private lastEventId: string | null = null;
  private closed = false;
  private abort = new AbortController();
  private readonly waiters = new Set<() => void>();
  private readonly running: Promise<void>;

  private constructor(
    private readonly url: () => string,
    private readonly token: string,
    from: string | null,
  ) {
    this.lastEventId = from;
    this.running = this.loop();
  }

  /**
   * `url` may be a function: a test that restarts the server on a new port points it there.
   * `from`: resume after this event id on the first connection (as a canvas that was away does).
   */
  static open(
    url: string | (() => string),
    token = TEST_ADMIN_TOKEN,
    from: string | null = null,
  ): StreamWatch {
    return new StreamWatch(typeof url === "string" ? () => url : url, token, from);
  }

  /** Status events of one workspace, in stream order. */
  statusesOf(workspaceId: string): SeenEvent[] {
    return this.events.filter((e) => e.workspaceId === workspaceId && e.status !== null);
  }

  /** Event ids received more than once (must be none: resume delivers each event once). */
  duplicateIds(): string[] {
    const seen = new Set<string>();
    const twice: string[] = [];
    for (const e of this.events) {
      if (seen.has(e.id)) twice.push(e.id);
      seen.add(e.id);
    }
    return twice;
  }

  /**
   * Resolves with the first status event for `workspaceId` announcing `status` received at or
   * after `since` (Date.now() value); rejects after `timeoutMs`.
   */
  waitForStatus(
    workspaceId: string,
    status: WorkspaceStatus,
    { since = 0, timeoutMs = 30_000 } = {},
  ): Promise<SeenEvent> {
    const find = () =>
      this.events.find((e) => e.workspaceId === workspaceId && e.status === status && e.receivedAt >= since);
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = find();
        if (!hit) return;
        cleanup();
        resolve(hit);
      };
      const timer = setTimeout(() => {
        cleanup();
        const got = this.statusesOf(workspaceId).map((e) => e.status);
        reject(
          new Error(
            `no ${status} for ${workspaceId} on the stream in ${timeoutMs} ms (saw ${got.join(", ")})`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves once the stream has connected `n` times in all. */
  async waitForConnections(n: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections < n) {
      if (Date.now() > deadline) throw new Error(`stream connected ${this.connections} times, wanted ${n}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      try {
        await this.readOnce();
      } catch {
        // connection refused, reset or aborted: reconnect below, as the canvas does
      }
      if (!this.closed) await new Promise((r) => setTimeout(r, 200));
    }
  }

  private async readOnce(): Promise<void> {
    const input = encodeURIComponent(JSON.stringify({ lastEventId: this.lastEventId }));
    const res = await fetch(`${this.url()}/api/trpc/events.onEvent?input=${input}`, {
      headers: { authorization: `Bearer ${this.token}`, accept: "text/event-stream" },
      signal: this.abort.signal,
    });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      return;
    }
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let cut = buffer.indexOf("\n\n");
      while (cut !== -1) {
        this.onBlock(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf("\n\n");
      }
    }
  }

  private onBlock(block: string): void {
    let event = "";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trim();
    }
    if (event === "connected") {
      this.connections++;
      return;
    }
    if (!data.startsWith("{")) return;
    const parsed = JSON.parse(data) as { type?: string; data?: unknown };
    const envelope = (parsed.type ? parsed : parsed.data) as
      | Omit<SeenEvent, "status" | "receivedAt">
      | undefined;
    if (!envelope?.type || envelope.type === "WORKSPACE_TELEMETRY") return;
    if (envelope.type === "RESYNC") {
      this.resyncs++;
      return;
    }
    this.lastEventId = envelope.id;
    this.events.push({ ...envelope, status: STATUS_OF_EVENT[envelope.type] ?? null, receivedAt: Date.now() });
    for (const waiter of [...this.waiters]) waiter();
  }
}
