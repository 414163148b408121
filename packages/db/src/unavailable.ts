/**
 * Whether an error means "the database cannot be reached right now" (an outage a client should
 * retry), as opposed to a failure of the statement itself (a bug, a constraint: a 500 or a 4xx).
 * The one place this is decided: the API answers the first kind with 503 + Retry-After.
 */

// Socket and connection failures, as Node (ECONN…) and postgres.js (CONNECTION_…, CONNECT_TIMEOUT)
// report them: https://github.com/porsager/postgres#connection-errors
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

// SQLSTATEs of a server that is there but will not serve: shutting down, crashed, starting up,
// out of connection slots. https://www.postgresql.org/docs/current/errcodes-appendix.html
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);

// Class 08 is "connection exception", except 08P01 (protocol violation): that is a client bug,
// not an outage, and retrying would not help.
const isConnectionException = (code: string) => /^08[0-9A-Z]{3}$/.test(code) && code !== "08P01";

// PGlite is in process: it is unreachable only once it has been closed (server shutting down).
const PGLITE_CLOSED = "PGlite is closed";

/** Walks `cause` (Drizzle and tRPC wrap the driver's error) and AggregateError's `errors`. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue = [error];
  while (queue.length > 0 && seen.size < 32) {
    const current = queue.shift();
    if (!current || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const { code, message, cause, errors } = current as {
      code?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof code === "string") {
      if (CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || isConnectionException(code))
        return true;
    }
    if (message === PGLITE_CLOSED) return true;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return false;
}
