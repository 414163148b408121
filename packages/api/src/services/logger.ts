import { randomUUID } from "node:crypto";
import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger } from "pino";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// Names whose values are secrets wherever they appear in a log object (SPEC §9: no secrets or
// tokens are ever logged). Code logs ids and messages, never these; this is the safety net.
const REDACT = [
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "cookie",
  "*.cookie",
  "value",
  "*.value",
  "adminToken",
  "*.adminToken",
];

/**
 * The server's logger (SPEC §9 [r2]): JSON lines on stdout; in a terminal, one readable line per
 * entry instead. Written synchronously on the main thread (no transport worker, which an esbuild
 * bundle could not find at run time).
 */
export function createLogger(level: LogLevel = "info", destination?: DestinationStream): Logger {
  const out =
    destination ?? (process.stdout.isTTY ? prettyStdout() : pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: "[redacted]" },
      serializers: { err: serializeError },
    },
    out,
  );
}

// Bound values of a failed query (Drizzle's `params`, postgres.js's `parameters`): for a heartbeat
// batch they are token hashes and agent text, thousands of them. The query text stays: it says
// which statement failed; the values are the callers' data and make one error line megabytes long.
const QUERY_VALUES = new Set(["params", "parameters"]);

/** pino's standard error serializer, then the query values dropped at every level of `cause`. */
export function serializeError(err: unknown): unknown {
  return withoutQueryValues(pino.stdSerializers.err(err as Error), 0);
}

function withoutQueryValues(value: unknown, depth: number): unknown {
  if (!value || typeof value !== "object" || depth > 4) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (QUERY_VALUES.has(key)) continue;
    out[key] = key === "cause" ? withoutQueryValues(inner, depth + 1) : inner;
  }
  return out;
}

const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** "12:00:00.123 INFO  message key=value …" for people reading a terminal. */
function prettyStdout(): DestinationStream {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line);
      } catch {
        process.stdout.write(line);
        return;
      }
      const { level, time, msg, pid: _pid, err, ...rest } = entry;
      const at = new Date(Number(time)).toISOString().slice(11, 23);
      const fields = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ");
      const stack = err && typeof err === "object" && "stack" in err ? `\n${String(err.stack)}` : "";
      process.stdout.write(
        `${at} ${(LEVEL_NAMES[Number(level)] ?? "LOG").padEnd(5)} ${String(msg ?? "")}${fields ? ` ${fields}` : ""}${stack}\n`,
      );
    },
  };
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's x-request-id when it is a plain token (no log injection), else a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}
