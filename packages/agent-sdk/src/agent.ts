import {
  type CheckAccessOutput,
  type Directive,
  HEARTBEAT_INTERVAL_MS,
  type HeartbeatInput,
  type HeartbeatOutput,
  WEDGED,
} from "@molecule/contracts";
import { backoffDelay, jitter } from "./backoff";
import { createPlatformClient, httpStatusOf, type PlatformClient, PlatformError } from "./client";
import { ErrorWindow, type ErrorWindowOptions } from "./error-window";
import { SpendMeter } from "./spend";
import { errorText, processWedge, type WedgeDetector } from "./wedge";

type MaybePromise<T> = T | Promise<T>;

export interface AgentLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface AgentOptions {
  /** The platform's base URL, e.g. http://127.0.0.1:3000 (the client calls `${platformUrl}/api/trpc`). */
  platformUrl: string;
  workspaceId: string;
  /**
   * Where the workspace token comes from. Read at start, and read again once after a 401 (the
   * operator may have rotated it): if that token is rejected too, the agent stops with an error.
   */
  tokenSource: () => MaybePromise<string | undefined>;
  /** This agent's own A2A URL, sent with register (null: none). */
  url?: string | null;
  /** The A2A agent card sent with register. */
  agentCard?: Record<string, unknown> | (() => Record<string, unknown>);
  model?: string;
  /** Default: this process's detector (a wedge belongs to the runtime, one per process). */
  wedge?: WedgeDetector;
  errorWindow?: ErrorWindowOptions;
  /** Heartbeat cadence until the server says otherwise. */
  heartbeatIntervalMs?: number;
  /**
   * How long one call to the platform may take before it fails and the loop goes on (ms; default
   * 10,000, MOLECULE_REQUEST_TIMEOUT_MS in createAgentFromEnv).
   */
  requestTimeoutMs?: number;
  /** Backoff after failed calls: first delay and cap (ms). */
  backoffBaseMs?: number;
  maxBackoffMs?: number;
  /**
   * Restarts the runtime this agent reports on (default handler of the `restart` directive).
   * After it resolves, the wedge and the error window are cleared (they described the old
   * runtime) and the agent registers again.
   */
  restartRuntime?: () => MaybePromise<void>;
  /**
   * Without restartRuntime the runtime cannot be replaced in place, so the default `restart`
   * handling ends the process (code 75) for its supervisor to start a fresh one: clearing the
   * wedge of a runtime that was never replaced would report a dead runtime as healthy.
   * Default: process.exit.
   */
  exitProcess?: (code: number) => void;
  /** Replaces the default `restart` handling (restartRuntime + clear + register). */
  onRestart?: (agent: Agent) => MaybePromise<void>;
  /** Called when the `pause` directive appears (and onResume when it goes away). */
  onPause?: (agent: Agent) => MaybePromise<void>;
  onResume?: (agent: Agent) => MaybePromise<void>;
  /** Called when the `over_budget` directive appears. */
  onOverBudget?: (agent: Agent) => MaybePromise<void>;
  /** Called once when the agent stops: null after stop(), the error when it had to give up. */
  onStopped?: (error: AgentStoppedError | null) => void;
  logger?: AgentLogger;
  fetch?: typeof fetch;
}

/** Why an agent gave up: its token was rejected (even after re-reading it) or it was refused. */
export class AgentStoppedError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AgentStoppedError";
  }
}

const defaultLogger: AgentLogger = {
  info: (m) => console.log(`[agent-sdk] ${m}`),
  warn: (m) => console.warn(`[agent-sdk] ${m}`),
  error: (m) => console.error(`[agent-sdk] ${m}`),
};

/**
 * One agent's link to the platform (SPEC §7): register, the heartbeat loop, task tracking, the
 * wedge detector, spend, and directives. Every heartbeat carries the full payload built from the
 * agent's own state, so nothing but a fresh runtime can clear a wedge.
 */
/** EX_TEMPFAIL: "try again", which is what a supervisor restarting the process should do. */
export const EXIT_FOR_RESTART = 75;

export class Agent {
  readonly workspaceId: string;
  readonly model: string;
  readonly wedge: WedgeDetector;
  readonly errors: ErrorWindow;
  readonly spend = new SpendMeter();
  /** Resolves when the agent stops: null after stop(), the error when it gave up. */
  readonly closed: Promise<AgentStoppedError | null>;

  private readonly client: PlatformClient;
  private readonly log: AgentLogger;
  private token = "";
  private tokenLoaded = false;
  private intervalMs: number;
  private startedAt = Date.now();
  private running = false;
  private registered = false;
  private stopped = false;
  private heartbeatsSuspended = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;
  private soon = false;
  private failures = 0;
  private restarting = false;
  private paused = false;
  private overBudget = false;
  private lastStatus: string | null = null;
  private taskSeq = 0;
  private readonly active = new Map<number, string>();
  private resolveClosed!: (error: AgentStoppedError | null) => void;

  private card: AgentOptions["agentCard"];

  constructor(private readonly options: AgentOptions) {
    this.card = options.agentCard;
    this.workspaceId = options.workspaceId;
    this.model = options.model ?? "";
    this.wedge = options.wedge ?? processWedge;
    this.errors = new ErrorWindow(options.errorWindow);
    this.intervalMs = options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.log = options.logger ?? defaultLogger;
    this.client = createPlatformClient(options.platformUrl, () => this.token, options.fetch, {
      timeoutMs: options.requestTimeoutMs,
    });
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  // ─── Lifecycle ────────────────────────────────────────────────────────────────────────────────

  /** Registers (retrying with backoff while the platform is unreachable), then starts heartbeats. */
  async start(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    for (let attempt = 1; this.running; attempt++) {
      try {
        await this.register();
        break;
      } catch (error) {
        if (error instanceof AgentStoppedError || !this.running) throw error;
        const delay = this.retryDelay(error, attempt);
        this.log.warn(`register failed (${errorText(error)}); retrying in ${delay} ms`);
        await sleep(delay);
      }
    }
    // A runtime that wedged while registering reports it at once (register itself cannot say so).
    if (this.running) this.schedule(this.wedge.isWedged() ? 0 : jitter(this.intervalMs));
  }

  /** Stops heartbeats for good (e.g. on SIGTERM). */
  stop(): void {
    this.finish(null);
  }

  /** Registers this (fresh) runtime: the platform marks it online and clears the old wedge. */
  async register(): Promise<{ status: string; heartbeatIntervalMs: number }> {
    const card = typeof this.card === "function" ? this.card() : (this.card ?? {});
    const out = await this.authed(() =>
      this.client.register({ id: this.workspaceId, url: this.options.url ?? null, agentCard: card }),
    );
    this.intervalMs = out.heartbeatIntervalMs;
    this.lastStatus = out.status;
    this.registered = true;
    return out;
  }

  /** Sends one heartbeat now and applies its directives. */
  async heartbeat(): Promise<HeartbeatOutput> {
    const out = await this.authed(() => this.client.heartbeat(this.heartbeatPayload()));
    this.intervalMs = out.heartbeatIntervalMs;
    this.lastStatus = out.status;
    await this.applyDirectives(out.directives);
    return out;
  }

  /** Replaces the agent card the platform shows (an unchanged card writes nothing). */
  async updateCard(agentCard: Record<string, unknown>): Promise<void> {
    await this.authed(() => this.client.updateCard({ workspaceId: this.workspaceId, agentCard }));
    this.card = agentCard;
  }

  /** Whether this workspace may talk to `targetId` (SPEC §3 access rule). */
  checkAccess(targetId: string): Promise<CheckAccessOutput> {
    return this.authed(() => this.client.checkAccess({ callerId: this.workspaceId, targetId }));
  }

  /** Sends the next heartbeat as soon as possible (e.g. right after the runtime wedged). */
  heartbeatSoon(): void {
    // Before the first register a heartbeat would race it; register itself reports the state.
    if (!this.running || !this.registered || this.heartbeatsSuspended) return;
    if (this.inFlight) this.soon = true;
    else this.schedule(0);
  }

  /**
   * Stops sending heartbeats while the process stays alive (demo "hang"). The platform will see
   * silence and mark the workspace offline.
   */
  suspendHeartbeats(): void {
    this.heartbeatsSuspended = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  // ─── What the runtime reports ─────────────────────────────────────────────────────────────────

  /** Runs one task: tracked as active/current, counted in the error rate, checked for a wedge. */
  async runTask<T>(name: string, fn: () => MaybePromise<T>): Promise<T> {
    const id = ++this.taskSeq;
    this.active.set(id, name);
    try {
      const result = await fn();
      this.errors.recordSuccess();
      return result;
    } catch (error) {
      this.errors.recordFailure(errorText(error));
      if (this.wedge.observe(error)) {
        this.log.error(`runtime wedged: ${this.wedge.wedgeReason()}`);
        this.heartbeatSoon();
      }
      throw error;
    } finally {
      this.active.delete(id);
    }
  }

  /** Marks the runtime wedged (first reason sticks) and reports it with the next heartbeat, soon. */
  markWedged(reason: string): void {
    if (this.wedge.markWedged(reason)) this.heartbeatSoon();
  }

  isWedged(): boolean {
    return this.wedge.isWedged();
  }

  wedgeReason(): string {
    return this.wedge.wedgeReason();
  }

  /** Adds to this month's spend (cents), reported with every heartbeat. */
  addSpend(cents: number): void {
    this.spend.add(cents);
  }

  activeTasks(): number {
    return this.active.size;
  }

  /** The most recently started task still running, or "". */
  currentTask(): string {
    let last = "";
    for (const name of this.active.values()) last = name;
    return last;
  }

  isPaused(): boolean {
    return this.paused;
  }

  isOverBudget(): boolean {
    return this.overBudget;
  }

  /** The status the platform last reported for this workspace. */
  status(): string | null {
    return this.lastStatus;
  }

  /** The full heartbeat: always every field, so a wedged runtime can never send a "clean" one. */
  heartbeatPayload(): HeartbeatInput & { runtimeState: string; sampleError: string; errorRate: number } {
    const wedged = this.wedge.isWedged();
    return {
      workspaceId: this.workspaceId,
      errorRate: this.errors.rate(),
      sampleError: wedged ? this.wedge.wedgeReason() : this.errors.lastError(),
      activeTasks: this.active.size,
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
      currentTask: this.currentTask(),
      monthlySpend: this.spend.total(),
      runtimeState: wedged ? WEDGED : "",
    };
  }

  // ─── Directives ───────────────────────────────────────────────────────────────────────────────

  private async applyDirectives(directives: Directive[]) {
    const pause = directives.includes("pause");
    if (pause !== this.paused) {
      this.paused = pause;
      await this.callback(pause ? "onPause" : "onResume", pause ? "paused by the operator" : "resumed");
    }
    const over = directives.includes("over_budget");
    if (over !== this.overBudget) {
      this.overBudget = over;
      if (over) await this.callback("onOverBudget", "over budget");
    }
    if (directives.includes("restart") && !this.restarting) {
      this.restarting = true;
      try {
        this.log.info("restart requested by the operator");
        if (this.options.onRestart) await this.options.onRestart(this);
        else await this.restartRuntime();
      } catch (error) {
        if (error instanceof AgentStoppedError) throw error;
        this.log.error(`restart failed: ${errorText(error)}`);
      } finally {
        this.restarting = false;
      }
    }
  }

  /**
   * The default `restart` handling: restart the runtime (options.restartRuntime), forget what
   * described the old runtime (wedge, errors, uptime), and register again as a fresh process.
   */
  async restartRuntime(): Promise<void> {
    if (!this.options.restartRuntime) {
      this.log.error(
        "restart requested, but this runtime cannot be restarted in place (no restartRuntime hook): exiting so its supervisor starts a fresh process",
      );
      this.stop();
      (this.options.exitProcess ?? ((code: number) => process.exit(code)))(EXIT_FOR_RESTART);
      return;
    }
    await this.options.restartRuntime();
    this.wedge.reset();
    this.errors.clear();
    this.startedAt = Date.now();
    await this.register();
  }

  private async callback(name: "onPause" | "onResume" | "onOverBudget", what: string) {
    const cb = this.options[name];
    if (!cb) {
      this.log.info(what);
      return;
    }
    try {
      await cb(this);
    } catch (error) {
      this.log.error(`${name} failed: ${errorText(error)}`);
    }
  }

  // ─── Loop, auth, backoff ──────────────────────────────────────────────────────────────────────

  private schedule(delay: number) {
    if (!this.running || this.heartbeatsSuspended) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delay);
  }

  private async tick() {
    this.timer = null;
    if (!this.running || this.heartbeatsSuspended) return;
    this.inFlight = true;
    let next: number;
    try {
      await this.heartbeat();
      this.failures = 0;
      next = jitter(this.intervalMs);
    } catch (error) {
      if (error instanceof AgentStoppedError) return;
      this.failures++;
      next = this.retryDelay(error, this.failures);
      this.log.warn(`heartbeat failed (${errorText(error)}); retrying in ${next} ms`);
    } finally {
      this.inFlight = false;
    }
    if (this.soon) {
      this.soon = false;
      next = 0;
    }
    this.schedule(next);
  }

  /**
   * Runs a call with the current token. On 401 the token is read again from its source, once: a
   * new token is retried; the same token (or a second 401) stops the agent with a clear error.
   * 403/404 (token of another workspace, workspace removed) stop it too.
   */
  private async authed<T>(call: () => Promise<T>): Promise<T> {
    if (this.stopped) throw new AgentStoppedError("The agent was stopped.", null);
    if (!this.tokenLoaded) {
      this.token = (await this.options.tokenSource())?.trim() ?? "";
      this.tokenLoaded = true;
    }
    try {
      return await call();
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 401) {
        const fresh = (await Promise.resolve(this.options.tokenSource()).catch(() => ""))?.trim() ?? "";
        if (fresh && fresh !== this.token) {
          this.log.warn(
            "workspace token rejected (401); retrying once with the token re-read from its source",
          );
          this.token = fresh;
          try {
            return await call();
          } catch (again) {
            if (httpStatusOf(again) !== 401) throw again;
            throw this.giveUp(401, "the re-read workspace token was rejected too (401)", again);
          }
        }
        throw this.giveUp(
          401,
          "the workspace token was rejected (401: invalid, rotated or revoked) and its source has no newer one",
          error,
        );
      }
      if (status === 403 || status === 404) {
        throw this.giveUp(
          status,
          status === 403
            ? "this token belongs to another workspace (403)"
            : "the workspace no longer exists (404)",
          error,
        );
      }
      throw error;
    }
  }

  private giveUp(status: number, why: string, cause: unknown): AgentStoppedError {
    const error = new AgentStoppedError(`Agent for workspace ${this.workspaceId} stopped: ${why}.`, status, {
      cause,
    });
    this.log.error(error.message);
    this.finish(error);
    return error;
  }

  private finish(error: AgentStoppedError | null) {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.resolveClosed(error);
    this.options.onStopped?.(error);
  }

  /** Backoff after `failures` failures in a row, never sooner than a 429's or 503's Retry-After. */
  private retryDelay(error: unknown, failures: number): number {
    const delay = backoffDelay(failures, this.backoffBase(), this.maxBackoff());
    const retryAfter = error instanceof PlatformError ? error.retryAfterMs : null;
    return retryAfter === null ? delay : Math.max(delay, retryAfter);
  }

  private backoffBase() {
    return Math.min(this.options.backoffBaseMs ?? 1_000, this.intervalMs);
  }

  private maxBackoff() {
    return this.options.maxBackoffMs ?? 30_000;
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
