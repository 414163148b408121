import {
  HEARTBEAT_INTERVAL_MS,
  OFFLINE_AFTER_MS,
  PROVISION_TIMEOUT_MS,
  SWEEP_INTERVAL_MS,
} from "@molecule/contracts";
import { z } from "zod";
import { LOG_LEVELS, type LogLevel } from "./services/logger";

export const ADMIN_TOKEN_MIN_LENGTH = 32;

const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** SPEC §6 [r2]: how long persisted events are kept, and how often the old ones are deleted. */
export const EVENT_RETENTION_DAYS = 30;
export const EVENT_RETENTION_INTERVAL_MS = 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

/** Calls per second a workspace token may make, and how many it may make at once. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/**
 * AGENT_RATE_LIMIT: "RATE/BURST" calls per second per token (default "20/40"), "RATE" alone for a
 * burst of twice the rate, or "off" for no limit (SPEC §3 [r2]).
 */
export function parseRateLimit(text: string): RateLimit | null {
  if (text.trim().toLowerCase() === "off") return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+)\s*)?$/.exec(text);
  const perSecond = Number(match?.[1]);
  const burst = match?.[2] === undefined ? Math.ceil(perSecond * 2) : Number(match[2]);
  if (!match || !(perSecond > 0) || !(burst >= 1))
    throw new Error(`AGENT_RATE_LIMIT must be "RATE/BURST" (e.g. "20/40") or "off", not "${text}".`);
  return { perSecond, burst };
}

const RateLimitSchema = z
  .string()
  .default("20/40")
  .transform((text, ctx) => {
    try {
      return parseRateLimit(text);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });

// The only place the server reads its environment (SPEC §9); everything else gets a ServerConfig.
const EnvSchema = z.object({
  DATABASE_URL: z.string().optional(),
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // Long enough that guessing it is hopeless even without the sign-in throttle (SPEC §4 [r2]).
  ADMIN_TOKEN: z
    .string()
    .min(ADMIN_TOKEN_MIN_LENGTH, {
      message: `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters (try: openssl rand -base64 32)`,
    })
    .optional(),
  SECRETS_ENCRYPTION_KEY: z.string().optional(),
  HEARTBEAT_INTERVAL_MS: ms(HEARTBEAT_INTERVAL_MS),
  OFFLINE_AFTER_MS: ms(OFFLINE_AFTER_MS),
  PROVISION_TIMEOUT_MS: ms(PROVISION_TIMEOUT_MS),
  SWEEP_INTERVAL_MS: ms(SWEEP_INTERVAL_MS),
  MOLECULE_DEMO: z.enum(["0", "1"]).optional(),
  MOLECULE_PROVISIONER: z.enum(["local", "none"]).default("local"),
  MOLECULE_RUNTIMES_FILE: z.string().optional(),
  MOLECULE_PLATFORM_URL: z.string().url().optional(),
  MOLECULE_ALLOWED_HOSTS: z.string().optional(),
  AGENT_RATE_LIMIT: RateLimitSchema,
  MOLECULE_AGENT_USER: z.string().default("nobody"),
  MOLECULE_WORKSPACES_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  EVENT_RETENTION_DAYS: z.coerce
    .number({ message: "must be a whole number of days (e.g. 30)" })
    .int({ message: "must be a whole number of days (e.g. 30)" })
    .positive({ message: "must be at least 1 (day)" })
    .default(EVENT_RETENTION_DAYS),
  EVENT_RETENTION_INTERVAL_MS: ms(EVENT_RETENTION_INTERVAL_MS),
  // For tests and benchmarks only (the soak keeps minutes, not days): overrides EVENT_RETENTION_DAYS.
  EVENT_RETENTION_MS: z.coerce.number().int().positive().optional(),
  // A bearer for Prometheus that is not an operator credential (SPEC §9 [r2]): as long as ADMIN_TOKEN.
  METRICS_TOKEN: z
    .string()
    .min(ADMIN_TOKEN_MIN_LENGTH, { message: `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters` })
    .optional(),
});

export interface ServerConfig {
  databaseUrl: string | undefined;
  host: string;
  port: number;
  /**
   * The operator secret. Unset in the environment → generated and kept in the data directory by
   * ensureAdminToken (services/admin-token.ts) before the server serves anything.
   */
  adminToken: string | undefined;
  /** Host names (optionally host:port) besides loopback that requests may name (MOLECULE_ALLOWED_HOSTS). */
  allowedHosts: string[];
  secretsKey: string | undefined;
  heartbeatIntervalMs: number;
  offlineAfterMs: number;
  provisionTimeoutMs: number;
  sweepIntervalMs: number;
  /** undefined → seed the demo org only on a fresh embedded database. */
  demo: boolean | undefined;
  provisioner: "local" | "none";
  runtimesFile: string | undefined;
  /** The URL local agent processes call back on; default http://<host>:<port>. */
  platformUrl: string | undefined;
  /** Per workspace token (AGENT_RATE_LIMIT); null = no limit. */
  agentRateLimit: RateLimit | null;
  /** Who local agent processes run as when the server runs as root (SPEC §7 [r2]). */
  agentUser: string;
  /** Where workspaces without a workspaceDir get their directory (default: next to the data dir). */
  workspacesDir: string | undefined;
  logLevel: LogLevel;
  /** Bearer token that may read /api/metrics besides operators (METRICS_TOKEN). */
  metricsToken: string | undefined;
  /** Events older than this are deleted (EVENT_RETENTION_DAYS; SPEC §6 [r2]). */
  eventRetentionMs: number;
  /** How often the retention job runs (it also runs once at start). */
  eventRetentionIntervalMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid server configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    host: e.HOST,
    port: e.PORT,
    adminToken: e.ADMIN_TOKEN,
    secretsKey: e.SECRETS_ENCRYPTION_KEY,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    offlineAfterMs: e.OFFLINE_AFTER_MS,
    provisionTimeoutMs: e.PROVISION_TIMEOUT_MS,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    demo: e.MOLECULE_DEMO === undefined ? undefined : e.MOLECULE_DEMO === "1",
    provisioner: e.MOLECULE_PROVISIONER,
    runtimesFile: e.MOLECULE_RUNTIMES_FILE,
    platformUrl: e.MOLECULE_PLATFORM_URL,
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN,
    allowedHosts: (e.MOLECULE_ALLOWED_HOSTS ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    agentRateLimit: e.AGENT_RATE_LIMIT,
    agentUser: e.MOLECULE_AGENT_USER,
    workspacesDir: e.MOLECULE_WORKSPACES_DIR,
    eventRetentionMs: e.EVENT_RETENTION_MS ?? e.EVENT_RETENTION_DAYS * DAY_MS,
    eventRetentionIntervalMs: e.EVENT_RETENTION_INTERVAL_MS,
  };
}
