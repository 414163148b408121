import type { DbHandle } from "@molecule/db";
import type { ServerConfig } from "../config";
import type { DatabaseOutageLog } from "./database-outage";
import type { EventBus } from "./event-bus";
import type { HeartbeatIngest } from "./heartbeat-ingest";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";
import type { TelemetryPublisher } from "./telemetry";
import type { WorkspaceHistory } from "./workspace-history";

/** One captured line of a workspace process's output. */
export interface LogLine {
  at: string;
  stream: "stdout" | "stderr" | "system";
  line: string;
}

/**
 * What runs workspace processes (the local provisioner, SPEC §7). Operator services call it after
 * their status change has committed; it never decides statuses itself except through casUpdate
 * (provision_failed on a crash loop, restart when a process dies).
 */
export interface ProcessManager {
  /**
   * Called before a change that gives the workspace's process this token commits (create,
   * restart, resume): the event that change emits reaches the provisioner through the database,
   * possibly before start() is called, and must not be taken for a request from another instance.
   */
  claim(workspaceId: string, token: string): void;
  /** (Re)start the workspace's process with this token; stops a running one first. */
  start(workspaceId: string, token: string): void;
  /** Stop the workspace's process (pause, remove). */
  stop(workspaceId: string): void;
  /** The last captured lines of the process's stdout/stderr, oldest first. */
  logs(workspaceId: string): LogLine[];
  /** Stop every process (server shutdown). */
  stopAll(): Promise<void>;
}

/**
 * What the liveness sweep needs to hear from the request path: a heartbeat or register in flight
 * (or failing on the database) must not be mistaken for silence. See sweeper.ts.
 */
export interface LivenessWitness {
  hearing(workspaceId: string): (error?: unknown) => void;
}

/**
 * Everything a request handler needs, built once per server process (see server.ts) or per test.
 * Routers and services take this instead of reaching for globals.
 */
export interface Services {
  handle: DbHandle;
  config: ServerConfig;
  bus: EventBus;
  /** AES-256-GCM key for workspace secrets. */
  secretsKey: Buffer;
  /** null when MOLECULE_PROVISIONER=none (processes are someone else's job). */
  processes: ProcessManager | null;
  /** The sweeper of this process, when it runs one (null in tests that drive their own). */
  liveness: LivenessWitness | null;
  /** Group commit of heartbeats (see heartbeat-ingest.ts). */
  heartbeats: HeartbeatIngest;
  /** Batched NOTIFY of live telemetry (see telemetry.ts). */
  telemetry: TelemetryPublisher;
  /** Recent heartbeats per workspace, in memory, fed by the bus (see workspace-history.ts). */
  history: WorkspaceHistory;
  /** Structured logs (logger.ts): never given a token or a secret value. */
  log: Logger;
  /** This server's Prometheus metrics (metrics.ts). */
  metrics: Metrics;
  /** Where requests refused for an unreachable database are counted and logged (database-outage.ts). */
  outage: DatabaseOutageLog;
}

/** What recording a heartbeat needs: the heartbeat ingest is built from this, before `Services`. */
export type HeartbeatServices = Pick<Services, "handle" | "config" | "telemetry">;
