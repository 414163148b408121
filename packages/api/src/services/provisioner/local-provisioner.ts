import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  and,
  type Database,
  dataDir,
  eq,
  findWorkspace,
  inArray,
  type WorkspaceRow,
  workspaces,
} from "@molecule/db";
import { type RestartCause, transition } from "../../domain/status-machine";
import { casUpdate } from "../cas";
import { NOT_STARTED } from "../registry";
import { findRuntime, loadRuntimes, type RuntimeSpec } from "../runtimes";
import { decryptedSecrets } from "../secrets";
import type { LogLine, ProcessManager, Services } from "../services";
import { hashToken, issueToken, liveTokenHashes } from "../tokens";
import {
  type AgentUser,
  prepareWorkspaceDir,
  protectDataDir,
  readableCopy,
  resolveAgentUser,
} from "./agent-user";
import { childEnv } from "./child-env";
import { LogBuffer } from "./log-buffer";
import { ProcessRecords, signalGroup, stopRecorded } from "./process-records";

export interface LocalProvisionerOptions {
  /** The URL agents call back on (this server's own URL). */
  platformUrl: string;
  /** SIGTERM → SIGKILL grace period (ms). Default 5,000. */
  graceMs?: number;
  /**
   * Where workspaces without a workspaceDir run: MOLECULE_WORKSPACES_DIR, else `<data dir>/workspaces`,
   * or `<data dir>-workspaces` when agents run as another user (who may not enter the data dir).
   */
  workspacesRoot?: string;
  /** The data directory made owner-only (0700) at start. Default the server's. */
  dataDir?: string;
  /**
   * Who agent processes run as. Default: MOLECULE_AGENT_USER (nobody) when the server is root,
   * else null (the server's own user).
   */
  agentUser?: AgentUser | null;
  /** Backoff before restarting a process that died: base·2^(n-1), capped. Defaults 1,000 / 30,000. */
  restartBackoffMs?: number;
  maxRestartBackoffMs?: number;
  /** A crash loop: this many unexpected exits within the window → failed. Defaults 3 in 60,000 ms. */
  crashLoopExits?: number;
  crashLoopWindowMs?: number;
  /** Lines of output kept per workspace. Default 500. */
  logLines?: number;
  /** The runtime registry. Default: `demo` + MOLECULE_RUNTIMES_FILE, re-read at every start. */
  runtimes?: () => Record<string, RuntimeSpec>;
  /** Environment the pass-through variables (PATH, HOME, …) are taken from. Default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Kill every child when this process exits or gets SIGINT/SIGTERM/SIGHUP. Default true. */
  handleSignals?: boolean;
  /** Called for every process started (tests track PIDs with it). */
  onSpawn?: (workspaceId: string, pid: number) => void;
}

interface Slot {
  id: string;
  child: ChildProcess | null;
  /** Resolves when the current child has exited. */
  exited: Promise<void>;
  /** The current child is being stopped on purpose: its exit is not a crash. */
  stopping: boolean;
  /** Bumped by every start/stop call, so stale queued work and stale exits are ignored. */
  generation: number;
  /** Times of recent unexpected exits (crash-loop detection). */
  exits: number[];
  restartTimer: NodeJS.Timeout | null;
  /** SHA-256 of the token this provisioner last issued to (or holds for) the workspace's process. */
  tokenHash: string | null;
  /** Start/stop work for one workspace runs one step at a time. */
  queue: Promise<void>;
  logs: LogBuffer;
}

const NOT_RUNNING: readonly WorkspaceRow["status"][] = ["paused", "removed", "failed"];
/** How long an exited process's output may take to drain before its exit is handled anyway. */
const OUTPUT_DRAIN_MS = 500;
const EXIT_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * The local provisioner (SPEC §7): each non-external workspace runs as a child process of the
 * server. It changes statuses only through casUpdate: `restart` when a process died and is being
 * brought back, `provision_failed` when it cannot start or keeps dying.
 */
export class LocalProvisioner implements ProcessManager {
  private readonly slots = new Map<string, Slot>();
  private readonly graceMs: number;
  private readonly workspacesRoot: string;
  private readonly agentUser: AgentUser | null;
  private readonly runtimes: () => Record<string, RuntimeSpec>;
  private readonly records: ProcessRecords;
  private closed = false;
  private unsubscribe: (() => void) | null = null;
  private readonly signalHandlers = new Map<string, (signal: NodeJS.Signals) => void>();
  private readonly onProcessExit = () => this.killAllNow();

  constructor(
    private readonly services: Services,
    private readonly options: LocalProvisionerOptions,
  ) {
    this.graceMs = options.graceMs ?? 5_000;
    this.agentUser =
      options.agentUser === undefined ? resolveAgentUser(services.config.agentUser) : options.agentUser;
    const data = options.dataDir ?? dataDir();
    protectDataDir(data);
    this.records = new ProcessRecords(data);
    this.workspacesRoot =
      options.workspacesRoot ??
      services.config.workspacesDir ??
      (this.agentUser ? `${data}-workspaces` : join(data, "workspaces"));
    this.runtimes = options.runtimes ?? (() => loadRuntimes(services.config.runtimesFile));
    // Another instance (or the sweep) may pause, remove or fail a workspace whose process runs
    // here: stop it when the event arrives and the row still says so. Another instance may also
    // create, restart or resume one (it runs no provisioner): start it here.
    this.unsubscribe = services.bus.subscribe((event) => {
      if (
        event.type === "WORKSPACE_PAUSED" ||
        event.type === "WORKSPACE_REMOVED" ||
        event.type === "WORKSPACE_PROVISION_FAILED"
      ) {
        void this.stopIfNotRunning(event.workspaceId);
      } else if (event.type === "WORKSPACE_CREATED" || event.type === "WORKSPACE_PROVISIONING") {
        void this.startIfRequestedElsewhere(event.workspaceId).catch((error) =>
          this.services.log.error(
            { err: error, workspaceId: event.workspaceId },
            "provisioner: could not start a workspace",
          ),
        );
      }
    });
    if (options.handleSignals !== false) this.installSignalHandlers();
  }

  private get db(): Database {
    return this.services.handle.db;
  }

  // ─── ProcessManager ───────────────────────────────────────────────────────────────────────────

  claim(workspaceId: string, token: string): void {
    if (!this.closed) this.slot(workspaceId).tokenHash = hashToken(token);
  }

  start(workspaceId: string, token: string): void {
    if (this.closed) return;
    const slot = this.slot(workspaceId);
    slot.tokenHash = hashToken(token);
    const generation = ++slot.generation;
    this.clearRestartTimer(slot);
    this.enqueue(slot, async () => {
      if (generation !== slot.generation) return; // a later start/stop superseded this one
      await this.kill(slot);
      if (generation !== slot.generation || this.closed) return;
      await this.spawn(slot, token);
    });
  }

  stop(workspaceId: string): void {
    void this.stopAndWait(workspaceId);
  }

  /** stop(), resolving when the process has exited. */
  stopAndWait(workspaceId: string): Promise<void> {
    const slot = this.slots.get(workspaceId);
    if (!slot) return Promise.resolve();
    slot.generation++;
    this.clearRestartTimer(slot);
    return this.enqueue(slot, () => this.kill(slot));
  }

  logs(workspaceId: string): LogLine[] {
    return this.slots.get(workspaceId)?.logs.snapshot() ?? [];
  }

  async stopAll(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.removeSignalHandlers();
    await Promise.all([...this.slots.values()].map((slot) => this.stopAndWait(slot.id)));
  }

  // ─── Server start ─────────────────────────────────────────────────────────────────────────────

  /**
   * At server start: every non-external workspace that should be running (not paused, removed or
   * failed) gets a new token, status provisioning (a WORKSPACE_PROVISIONING restart event unless it
   * already was), and a process. Processes the previous server left running are stopped first.
   */
  async resumeAll(): Promise<string[]> {
    await this.stopOrphans();
    const rows = await this.db
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(
        and(
          eq(workspaces.external, false),
          inArray(workspaces.status, ["provisioning", "online", "degraded", "offline"]),
        ),
      );
    const resumed: string[] = [];
    for (const { id } of rows) {
      const token = await this.restartRow(
        id,
        (row) => (row.status === "provisioning" ? "keep" : "restart"),
        "server_start",
      );
      if (token) {
        this.start(id, token);
        resumed.push(id);
      }
    }
    return resumed;
  }

  /**
   * Agent processes that a previous server on this data directory started and left running when
   * it died without stopping them (kill -9 runs no exit handler, and agents lead their own process
   * group, so they outlive it): stopped before any workspace starts here, so a workspace never has
   * two processes at once. Records of another database's workspaces (servers of different
   * databases sharing one data directory) are left to their own server. Returns the PIDs stopped.
   */
  async stopOrphans(): Promise<number[]> {
    const records = this.records.list();
    if (records.length === 0) return [];
    const known = await this.db
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(
        inArray(
          workspaces.id,
          records.map((r) => r.workspaceId),
        ),
      );
    const ours = new Set(known.map((row) => row.id));
    const stopped: number[] = [];
    await Promise.all(
      records
        .filter((r) => ours.has(r.workspaceId) && this.pid(r.workspaceId) !== r.pid)
        .map(async (record) => {
          if (await stopRecorded(record, this.graceMs)) {
            stopped.push(record.pid);
            this.slot(record.workspaceId).logs.push(
              "system",
              `stopped pid ${record.pid}, left running by a server that died`,
            );
            this.services.log.warn(
              { workspaceId: record.workspaceId, pid: record.pid },
              "provisioner: stopped an agent process left running by a server that died",
            );
          }
          this.records.remove(record.workspaceId, record.pid);
        }),
    );
    return stopped;
  }

  // ─── Introspection (tests, the canvas) ───────────────────────────────────────────────────────

  /** The PID of the workspace's running process, or null. */
  pid(workspaceId: string): number | null {
    return this.slots.get(workspaceId)?.child?.pid ?? null;
  }

  /** PIDs of every running process. */
  pids(): number[] {
    return [...this.slots.values()].flatMap((s) => (s.child?.pid ? [s.child.pid] : []));
  }

  // ─── Internals ────────────────────────────────────────────────────────────────────────────────

  private slot(id: string): Slot {
    let slot = this.slots.get(id);
    if (!slot) {
      slot = {
        id,
        child: null,
        exited: Promise.resolve(),
        stopping: false,
        generation: 0,
        exits: [],
        restartTimer: null,
        tokenHash: null,
        queue: Promise.resolve(),
        logs: new LogBuffer(this.options.logLines ?? 500),
      };
      this.slots.set(id, slot);
    }
    return slot;
  }

  private enqueue(slot: Slot, work: () => Promise<void>): Promise<void> {
    const next = slot.queue.then(work).catch((error) => {
      slot.logs.push(
        "system",
        `provisioner error: ${error instanceof Error ? error.message : String(error)}`,
      );
      this.services.log.error({ err: error, workspaceId: slot.id }, "provisioner error");
    });
    slot.queue = next;
    return next;
  }

  private clearRestartTimer(slot: Slot) {
    if (slot.restartTimer) clearTimeout(slot.restartTimer);
    slot.restartTimer = null;
  }

  /** SIGTERM to the process group, SIGKILL after the grace period; resolves once it has exited. */
  private async kill(slot: Slot): Promise<void> {
    const child = slot.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return slot.exited;
    slot.stopping = true;
    slot.logs.push("system", `stopping pid ${child.pid} (SIGTERM)`);
    signalGroup(child.pid, "SIGTERM");
    const timer = setTimeout(() => {
      slot.logs.push("system", `pid ${child.pid} ignored SIGTERM for ${this.graceMs} ms: SIGKILL`);
      signalGroup(child.pid, "SIGKILL");
    }, this.graceMs);
    await slot.exited;
    clearTimeout(timer);
  }

  private async spawn(slot: Slot, token: string): Promise<void> {
    const row = await findWorkspace(this.db, slot.id);
    if (!row || row.external || row.status === "paused" || row.status === "removed") {
      slot.logs.push(
        "system",
        `not starting: workspace is ${row ? (row.external ? "external" : row.status) : "gone"}`,
      );
      return;
    }
    const runtime = findRuntime(this.runtimes(), row.runtime);
    if (!runtime) return this.fail(slot, `Unknown runtime "${row.runtime}"`);
    let cwd = row.workspaceDir;
    if (cwd) {
      if (!existsSync(cwd)) return this.fail(slot, `Workspace directory ${cwd} does not exist`);
    } else {
      cwd = join(this.workspacesRoot, slot.id);
      prepareWorkspaceDir(this.workspacesRoot, cwd, this.agentUser);
    }
    const env = childEnv({
      home: cwd,
      base: this.options.baseEnv ?? process.env,
      runtimeEnv: runtime.env,
      secrets: await decryptedSecrets(this.services, slot.id),
      platformUrl: this.options.platformUrl,
      workspaceId: slot.id,
      workspaceName: row.name,
      token,
      model: row.model,
      maxConcurrentTasks: row.maxConcurrentTasks,
    });

    // detached: the child leads its own process group, so stopping it also stops anything it
    // started (a shell wrapper's children). uid/gid: as root, agents run unprivileged (SPEC §7).
    const user = this.agentUser;
    const args = user && runtime.bundle ? [readableCopy(runtime.bundle, this.workspacesRoot)] : runtime.args;
    const child = spawn(runtime.command, args, {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    const generation = slot.generation;
    slot.child = child;
    slot.stopping = false;
    let resolveExited!: () => void;
    slot.exited = new Promise((resolve) => {
      resolveExited = resolve;
    });
    if (child.stdout) slot.logs.follow("stdout", child.stdout);
    if (child.stderr) slot.logs.follow("stderr", child.stderr);

    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (done) return;
      done = true;
      const expected = slot.stopping;
      if (slot.child === child) {
        slot.child = null;
        slot.stopping = false;
      }
      resolveExited();
      if (spawnError) {
        slot.logs.push("system", `could not start ${runtime.command}: ${spawnError.message}`);
        void this.fail(slot, `Could not start runtime "${row.runtime}": ${spawnError.message}`);
        return;
      }
      slot.logs.push("system", `pid ${child.pid} ${describeExit(code, signal)}`);
      if (!expected && generation === slot.generation && !this.closed) {
        void this.onCrash(slot, generation, code, signal).catch((error) =>
          this.services.log.error({ err: error, workspaceId: slot.id }, "provisioner: crash handling failed"),
        );
      }
    };
    child.once("error", (error) => {
      if (child.pid === undefined) finish(null, null, error);
    });
    // A crash is the process's exit, not the close of its output: a grandchild still holding
    // stdout must not hide it (SPEC §7 [r2]). What is left of its group is killed; its output is
    // then drained (close) so the last stderr line is known, waiting a moment at most.
    child.once("exit", (code, signal) => {
      if (child.pid !== undefined) this.records.remove(slot.id, child.pid);
      signalGroup(child.pid, "SIGKILL");
      const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
      const drained = new Promise<void>((resolve) => setTimeout(resolve, OUTPUT_DRAIN_MS).unref());
      void Promise.race([closed, drained]).then(() => finish(code, signal));
    });
    if (child.pid !== undefined) {
      try {
        this.records.add(slot.id, child.pid);
      } catch (error) {
        this.services.log.warn(
          { err: error, workspaceId: slot.id, pid: child.pid },
          "provisioner: could not record an agent process (a server killed now would leave it running)",
        );
      }
      const as = user ? ` as ${user.name}` : "";
      slot.logs.push("system", `started pid ${child.pid}${as}: ${runtime.command} ${runtime.args.join(" ")}`);
      this.options.onSpawn?.(slot.id, child.pid);
    }
  }

  /**
   * An unexpected exit. Before registering (still provisioning) or as the Nth exit in the window
   * it is a crash loop → failed with the reason; otherwise restart: status → provisioning and a
   * new token at once (the canvas shows "Starting"), the process after a backoff.
   */
  private async onCrash(slot: Slot, generation: number, code: number | null, signal: NodeJS.Signals | null) {
    const now = Date.now();
    const window = this.options.crashLoopWindowMs ?? 60_000;
    slot.exits = slot.exits.filter((t) => now - t < window);
    slot.exits.push(now);
    const stderr = slot.logs.lastStderr();
    const reason = `Process ${describeExit(code, signal)}${stderr ? `: ${stderr}` : ""}`;

    const row = await findWorkspace(this.db, slot.id);
    if (!row || row.external || NOT_RUNNING.includes(row.status) || generation !== slot.generation) return;
    const limit = this.options.crashLoopExits ?? 3;
    if (row.status === "provisioning") return this.fail(slot, `${reason} (before registering)`);
    if (slot.exits.length >= limit) {
      return this.fail(
        slot,
        `Crash loop: ${slot.exits.length} exits within ${Math.round(window / 1000)} s. ${reason}`,
        "crash_loop",
      );
    }

    const token = await this.restartRow(slot.id, () => "restart", "crash");
    if (!token || generation !== slot.generation) return;
    slot.tokenHash = hashToken(token);
    const base = this.options.restartBackoffMs ?? 1_000;
    const delay = Math.min(this.options.maxRestartBackoffMs ?? 30_000, base * 2 ** (slot.exits.length - 1));
    slot.logs.push("system", `restarting in ${delay} ms`);
    this.clearRestartTimer(slot);
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (generation !== slot.generation || this.closed) return;
      this.enqueue(slot, async () => {
        if (generation === slot.generation && !this.closed) await this.spawn(slot, token);
      });
    }, delay);
  }

  /**
   * Rotates the token and (when `mode` says "restart") moves the status to provisioning, in one
   * transaction. Returns the new token, or null when the row is not one to (re)start.
   */
  private async restartRow(
    id: string,
    mode: (row: WorkspaceRow) => "restart" | "keep",
    cause?: RestartCause,
  ): Promise<string | null> {
    let token: string | null = null;
    await casUpdate(this.db, id, (row) => {
      token = null;
      if (row.external || NOT_RUNNING.includes(row.status)) return null;
      const change = mode(row) === "restart" ? transition(row.status, { kind: "restart", cause }) : null;
      if (mode(row) === "restart" && !change) return null;
      return {
        transition: change,
        set: NOT_STARTED,
        inTransaction: async (tx) => {
          token = await issueToken(tx, id);
          // Before the commit: the restart event must not look like a request from elsewhere.
          this.claim(id, token);
        },
      };
    });
    return token;
  }

  /**
   * → failed with the reason, in one transition and one event: from provisioning (start errors,
   * an exit before registering), or, for a crash loop, from wherever the process was running.
   */
  private async fail(
    slot: Slot,
    reason: string,
    kind: "provision_failed" | "crash_loop" = "provision_failed",
  ) {
    slot.logs.push("system", `failed: ${reason}`);
    await casUpdate(this.db, slot.id, (row) => {
      const change = transition(row.status, { kind, reason });
      return change ? { transition: change } : null;
    });
  }

  /**
   * A workspace provisioning with a token this provisioner never issued was created, restarted or
   * resumed by another server instance (which runs no provisioner and could only store the hash).
   * Its process runs here: a token of our own (rotated, status kept) and a fresh process. When this
   * instance made the change itself, start() was already called with the live token: nothing to do.
   */
  private async startIfRequestedElsewhere(id: string) {
    if (this.closed) return;
    const row = await findWorkspace(this.db, id);
    if (!row || row.external || row.status !== "provisioning") return;
    const ours = this.slots.get(id)?.tokenHash;
    if (ours && (await liveTokenHashes(this.db, id)).includes(ours)) return;
    const token = await this.restartRow(id, () => "keep");
    if (token && !this.closed) {
      this.slot(id).logs.push("system", "started for a request made on another server instance");
      this.start(id, token);
    }
  }

  private async stopIfNotRunning(id: string) {
    const slot = this.slots.get(id);
    if (!slot?.child) return;
    const row = await findWorkspace(this.db, id).catch(() => null);
    if (row && NOT_RUNNING.includes(row.status) && slot.child) this.stop(id);
  }

  // ─── No orphans ───────────────────────────────────────────────────────────────────────────────

  private installSignalHandlers() {
    process.on("exit", this.onProcessExit);
    for (const signal of EXIT_SIGNALS) {
      const handler = (sig: NodeJS.Signals) => {
        // Stop the children gracefully; if nobody else handles this signal, re-raise it after,
        // so the server still dies the way it would have without us.
        this.removeSignalHandlers();
        const alone = process.listenerCount(sig) === 0;
        void this.stopAll().finally(() => {
          if (alone) process.kill(process.pid, sig);
        });
      };
      this.signalHandlers.set(signal, handler);
      process.on(signal, handler);
    }
  }

  private removeSignalHandlers() {
    for (const [signal, handler] of this.signalHandlers) process.removeListener(signal, handler);
    this.signalHandlers.clear();
    process.removeListener("exit", this.onProcessExit);
  }

  /** Synchronous last resort when the server process exits: SIGKILL every child's group. */
  private killAllNow() {
    for (const slot of this.slots.values()) if (slot.child) signalGroup(slot.child.pid, "SIGKILL");
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  return `exited with code ${code ?? "unknown"}`;
}

/** The provisioner for `MOLECULE_PROVISIONER=local`. */
export function createLocalProvisioner(
  services: Services,
  options: LocalProvisionerOptions,
): LocalProvisioner {
  return new LocalProvisioner(services, options);
}
