import { type ChildProcess, spawn } from "node:child_process";
import { demoRuntime } from "../../src/services/runtimes";
import { waitFor } from "../../src/testing";

export interface AgentIdentity {
  id: string;
  token: string;
}

/**
 * The bundled demo agent (apps/agent, on the agent SDK) as a real external process talking to
 * `platformUrl` — the server, or a proxy in front of it. Fault tests stop, continue and cut it off
 * as the operating system or the network would.
 */
export class DemoAgentProcess {
  readonly output: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => this.output.push(...chunk.toString().split("\n").filter(Boolean));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
  }

  static start(platformUrl: string, ws: AgentIdentity, env: Record<string, string> = {}): DemoAgentProcess {
    const runtime = demoRuntime();
    const child = spawn(runtime.command, runtime.args, {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        MOLECULE_PLATFORM_URL: platformUrl,
        MOLECULE_WORKSPACE_ID: ws.id,
        MOLECULE_WORKSPACE_TOKEN: ws.token,
        // Short, quick background tasks: a wedge shows on the next task, within milliseconds.
        DEMO_TASK_INTERVAL_MS: "100",
        DEMO_TASK_MIN_MS: "10",
        DEMO_TASK_MAX_MS: "50",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new DemoAgentProcess(child);
  }

  get pid(): number {
    if (this.child.pid === undefined)
      throw new Error(`the demo agent did not start: ${this.output.join("\n")}`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Its own HTTP URL, from the line it prints once it serves. */
  async url(): Promise<string> {
    return waitFor(async () => this.output.map((l) => /serving (http:\/\/\S+)/.exec(l)?.[1]).find(Boolean), {
      what: "the demo agent serving",
      timeoutMs: 30_000,
    });
  }

  /** POST /control on the agent: make it misbehave now (SPEC §7 demo runtime). */
  async control(action: "wedge" | "heal" | "hang"): Promise<void> {
    const res = await fetch(`${await this.url()}/control`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action }),
    });
    if (!res.ok) throw new Error(`control ${action}: HTTP ${res.status}`);
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  /** Ends it for good (continued first, in case it was stopped), by its PID. */
  async kill(): Promise<void> {
    if (!this.running) return;
    try {
      process.kill(this.pid, "SIGCONT");
      process.kill(this.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await this.exited;
  }
}

/**
 * An in-process agent on the wire protocol: one heartbeat every `everyMs` with a request timeout,
 * as a real agent would, remembering each HTTP status (0: no answer in time / unreachable).
 */
export function heartbeatLoop(
  baseUrl: () => string,
  ws: AgentIdentity,
  { everyMs, timeoutMs = 1_000 }: { everyMs: number; timeoutMs?: number },
) {
  const statuses: { at: number; status: number }[] = [];
  let running = true;
  let body: Record<string, unknown> = { workspace_id: ws.id, error_rate: 0 };
  const loop = (async () => {
    while (running) {
      const status = await fetch(`${baseUrl()}/registry/heartbeat`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ws.token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        () => 0,
      );
      statuses.push({ at: Date.now(), status });
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    statuses,
    /** What the next heartbeats say (snake_case wire fields), e.g. a wedge. */
    report(fields: Record<string, unknown>) {
      body = { workspace_id: ws.id, error_rate: 0, ...fields };
    },
    /** Resolves once a heartbeat sent after now was answered 200. */
    async answered(timeoutMs = 30_000): Promise<void> {
      const since = Date.now();
      await waitFor(async () => statuses.some((s) => s.at > since && s.status === 200), {
        what: `a heartbeat of ${ws.id} answered`,
        timeoutMs,
      });
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}
