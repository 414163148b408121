import type { RequestListener } from "node:http";
import { createDb, type DbHandle, migrate } from "@molecule/db";
import { loadConfig, type ServerConfig } from "./config";
import { createRequestListener, type Fallback } from "./http/entry";
import { useChunkTextEncoderStream } from "./http/text-encoder-stream";
import { ensureAdminToken } from "./services/admin-token";
import { DatabaseOutageLog } from "./services/database-outage";
import { seedDemoOrg } from "./services/demo-seed";
import { EventBus } from "./services/event-bus";
import { startEventRetention } from "./services/event-retention";
import { HeartbeatIngest } from "./services/heartbeat-ingest";
import { createLogger, type Logger } from "./services/logger";
import { bindMetrics, Metrics } from "./services/metrics";
import { isLoopbackHost } from "./services/operator-auth";
import { leadProvisioning } from "./services/provisioner";
import { loadSecretsKey } from "./services/secrets-crypto";
import { checkSecretsKey } from "./services/secrets-key-check";
import type { Services } from "./services/services";
import { startSweeper } from "./services/sweeper";
import { TelemetryPublisher } from "./services/telemetry";
import { WorkspaceHistory } from "./services/workspace-history";

export { loadConfig } from "./config";
export { listen } from "./http/entry";
export { createLogger, type Logger } from "./services/logger";

export interface RunningServer {
  services: Services;
  /** The HTTP entry: API paths here, everything else to `options.fallback` (the canvas). */
  listener: RequestListener;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Use this database instead of opening config.databaseUrl (tests). */
  handle?: DbHandle;
  /**
   * Start background services: event bus listener, liveness sweeper, local provisioner
   * (when config.provisioner is "local"). Default true.
   */
  background?: boolean;
  /** Run this process's own liveness sweeper (default true; tests that drive sweeps say false). */
  sweeper?: boolean;
  /** How often a standby asks for the provisioner lease and the holder checks it (default 5 s). */
  provisionerLeaseMs?: number;
  /** Answers the paths the API does not (Next's request handler in production). */
  fallback?: Fallback;
  /** Log here instead of a new logger on stdout at config.logLevel (the process entry, tests). */
  log?: Logger;
}

/** Where local agent processes reach this server: a wildcard bind is reached on loopback. */
export function platformUrlFor(config: ServerConfig): string {
  if (config.platformUrl) return config.platformUrl;
  const host = ["0.0.0.0", "::", "[::]", ""].includes(config.host) ? "127.0.0.1" : config.host;
  const shown = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${shown}:${config.port}`;
}

/** Refuses to serve a non-loopback address without ADMIN_TOKEN (SPEC §4), saying why. */
export function assertSafeBinding(config: ServerConfig) {
  if (!config.adminToken && !isLoopbackHost(config.host)) {
    throw new Error(
      `Refusing to listen on ${config.host} without ADMIN_TOKEN: anyone who can reach it could control every agent. ` +
        "Set ADMIN_TOKEN to a long random secret, or use HOST=127.0.0.1.",
    );
  }
}

/**
 * Boots one server process: database (migrated under an advisory lock), event bus, and the
 * background services. Called once by the process entry (apps/server), or directly by tests.
 */
export async function startServer(
  config: ServerConfig = loadConfig(),
  options: StartOptions = {},
): Promise<RunningServer> {
  // Operator auth is always on: the admin token is settled (generated and kept if unset) first.
  const log = options.log ?? createLogger(config.logLevel);
  // Every SSE message goes through TextEncoderStream: one encode per chunk, not per character.
  useChunkTextEncoderStream();
  config = ensureAdminToken(config, { log: (line) => log.info(line) });
  const handle = options.handle ?? (await createDb(config.databaseUrl));
  await migrate(handle);
  const secretsKey = loadSecretsKey(config.secretsKey);
  const postgres = handle.kind === "postgres";
  await checkSecretsKey(handle.db, secretsKey, { configured: Boolean(config.secretsKey), postgres }).catch(
    async (error) => {
      if (!options.handle) await handle.close();
      throw error;
    },
  );
  const metrics = new Metrics();
  bindMetrics(handle.db, metrics);
  const bus = new EventBus(handle, log);
  const telemetry = new TelemetryPublisher(handle);
  const services: Services = {
    handle,
    config,
    bus,
    secretsKey,
    processes: null,
    liveness: null,
    telemetry,
    heartbeats: new HeartbeatIngest({ handle, config, telemetry }),
    history: new WorkspaceHistory(),
    log,
    metrics,
    outage: new DatabaseOutageLog(log, () => handle.query("select 1", [])),
  };
  metrics.sources = {
    workspacesByStatus: () =>
      handle.query<{ status: string; n: number }>(
        "select status, count(*)::int as n from workspaces group by status",
        [],
      ),
    sseSubscribers: () => bus.subscriberCount,
    dbPool: () => handle.pool(),
  };

  const stops: (() => Promise<void>)[] = [];
  if (options.background !== false) {
    // Every instance hears every heartbeat's telemetry through the bus, so each keeps the same history.
    bus.subscribeTelemetry((batch) => services.history.record(batch));
    bus.subscribe((event) => {
      if (event.type === "WORKSPACE_REMOVED") services.history.forget(event.workspaceId);
    });
    await bus.start();
    stops.push(() => bus.stop());
    if (options.sweeper !== false) {
      const sweeper = startSweeper(services, { log: (message, error) => log.error({ err: error }, message) });
      services.liveness = sweeper;
      stops.push(() => sweeper.stop());
    }
    const retention = startEventRetention(services, (message, error) => log.error({ err: error }, message));
    stops.push(() => retention.stop());
    if (config.provisioner === "local") {
      // Before the demo seed, so seeded workspaces start. The lease holder's resumeAll brings back
      // the processes of workspaces that were running when the server last stopped.
      const leadership = await leadProvisioning(services, {
        platformUrl: platformUrlFor(config),
        retryMs: options.provisionerLeaseMs,
      });
      stops.push(() => leadership.stop());
    }
  }
  let stopping: Promise<void> | null = null;
  if (await seedDemoOrg(services)) log.info("seeded the demo org (MOLECULE_DEMO=0 turns this off)");
  return {
    services,
    listener: createRequestListener(services, options.fallback),
    stop() {
      // Idempotent: a signal handler and a test's cleanup may both stop the server.
      stopping ??= (async () => {
        services.outage.stop();
        for (const stop of stops.reverse())
          await stop().catch((err) => log.error({ err }, "a background service did not stop cleanly"));
        if (!options.handle) await handle.close();
      })();
      return stopping;
    },
  };
}
