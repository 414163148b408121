import { TRPCError } from "@trpc/server";

/**
 * Why a call was refused for now, not for good: the tRPC error's cause, carrying the seconds a
 * client should wait (the Retry-After header). A rate limit (429) and a database outage (503).
 */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The Retry-After header value for an error that says when to retry, else null. */
export function retryAfterOf(error: unknown): string | null {
  const cause = error instanceof TRPCError ? error.cause : error;
  return cause instanceof RetryLater ? String(cause.retryAfterSeconds) : null;
}

/**
 * For tRPC's `responseMeta` in the HTTP adapter: a response that carries a retry-later error gets
 * its Retry-After header (the largest wait of the batch).
 */
export function retryAfterResponseMeta({ errors }: { errors: readonly unknown[] }): {
  headers?: Record<string, string>;
} {
  const waits = errors.map(retryAfterOf).filter((v): v is string => v !== null);
  if (waits.length === 0) return {};
  return { headers: { "retry-after": String(Math.max(...waits.map(Number))) } };
}
