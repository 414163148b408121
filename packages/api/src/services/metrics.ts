import type { Database } from "@molecule/db";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Transition } from "../domain/status-machine";

/** Why a heartbeat was refused (the `reason` label of molecule_heartbeats_rejected_total). */
export type RejectReason =
  | "unauthorized"
  | "forbidden"
  | "bad_request"
  | "rate_limited"
  | "too_large"
  | "unavailable"
  | "error";

/** What the scrape-time gauges read; filled in once the server's services exist (server.ts). */
export interface MetricSources {
  workspacesByStatus(): Promise<{ status: string; n: number }[]>;
  sseSubscribers(): number;
  dbPool(): { max: number; inUse: number };
}

// Node's process metrics (CPU, memory, event-loop lag) exist once per process, not per server:
// tests run several servers in one process, and each registration starts its own observers.
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The server's Prometheus metrics (SPEC §9 [r2]), one registry per server. Updating one is a
 * counter increment in memory; anything that needs the database is read at scrape time only.
 */
export class Metrics {
  readonly registry = new Registry();
  sources: MetricSources | null = null;

  readonly heartbeatsReceived = new Counter({
    name: "molecule_heartbeats_received_total",
    help: "Heartbeat calls received (wire and tRPC), accepted or not.",
    registers: [this.registry],
  });
  readonly heartbeatsRejected = new Counter({
    name: "molecule_heartbeats_rejected_total",
    help: "Heartbeat calls refused, by reason.",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly transitions = new Counter({
    name: "molecule_transitions_total",
    help: "Committed workspace status transitions, by from and to.",
    labelNames: ["from", "to"] as const,
    registers: [this.registry],
  });
  readonly restarts = new Counter({
    name: "molecule_process_restarts_total",
    help: "Workspace restarts, by cause (operator, crash, server_start).",
    labelNames: ["cause"] as const,
    registers: [this.registry],
  });
  readonly busLag = new Histogram({
    name: "molecule_event_bus_lag_seconds",
    help: "Time from an event's commit timestamp to its delivery by this server's event bus.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly offlineChunkLock = new Gauge({
    name: "molecule_sweep_offline_chunk_lock_seconds",
    help: "How long the last offline chunk of the sweep held the event-log lock.",
    registers: [this.registry],
  });
  readonly eventsDeleted = new Counter({
    name: "molecule_events_deleted_total",
    help: "Persisted events deleted by retention (EVENT_RETENTION_DAYS).",
    registers: [this.registry],
  });
  readonly sweepDuration = new Histogram({
    name: "molecule_sweep_duration_seconds",
    help: "Duration of one liveness sweep tick.",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    const metrics = this;
    new Gauge({
      name: "molecule_workspaces",
      help: "Workspaces by status (read at scrape time).",
      labelNames: ["status"] as const,
      registers: [this.registry],
      async collect() {
        const rows = (await metrics.sources?.workspacesByStatus()) ?? [];
        this.reset();
        for (const row of rows) this.set({ status: row.status }, row.n);
      },
    });
    new Gauge({
      name: "molecule_sse_subscribers",
      help: "Live event-stream subscribers of this server.",
      registers: [this.registry],
      collect() {
        this.set(metrics.sources?.sseSubscribers() ?? 0);
      },
    });
    new Gauge({
      name: "molecule_db_pool_in_use",
      help: "Database connections busy with a query (PGlite: one session).",
      registers: [this.registry],
      collect() {
        this.set(metrics.sources?.dbPool().inUse ?? 0);
      },
    });
    new Gauge({
      name: "molecule_db_pool_max",
      help: "Database pool size (PGlite: 1).",
      registers: [this.registry],
      collect() {
        this.set(metrics.sources?.dbPool().max ?? 0);
      },
    });
  }

  /** A committed status change; a restart also counts by its cause (none given: an operator's). */
  countTransition(from: string, transition: Transition) {
    this.transitions.inc({ from, to: transition.next });
    const payload = transition.event.payload;
    if (transition.next === "provisioning" && payload.reason === "restart")
      this.restarts.inc({ cause: typeof payload.cause === "string" ? payload.cause : "operator" });
  }

  /** Prometheus text: this server's metrics, then the process's. */
  async text(): Promise<string> {
    return `${await this.registry.metrics()}\n${await processMetrics().metrics()}`;
  }

  readonly contentType = this.registry.contentType;
}

// casUpdate is given a database, not the services: the metrics of the server owning that database.
const byDatabase = new WeakMap<object, Metrics>();

export function bindMetrics(db: Database, metrics: Metrics) {
  byDatabase.set(db, metrics);
}

export function metricsOf(db: object): Metrics | undefined {
  return byDatabase.get(db);
}

/** The reject reason of a tRPC error code (or a body over the limit). */
export function rejectReason(code: string): RejectReason {
  switch (code) {
    case "UNAUTHORIZED":
      return "unauthorized";
    case "FORBIDDEN":
      return "forbidden";
    case "BAD_REQUEST":
    case "PARSE_ERROR":
      return "bad_request";
    case "TOO_MANY_REQUESTS":
      return "rate_limited";
    case "PAYLOAD_TOO_LARGE":
      return "too_large";
    case "SERVICE_UNAVAILABLE":
      return "unavailable";
    default:
      return "error";
  }
}
