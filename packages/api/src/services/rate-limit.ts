import { TRPCError } from "@trpc/server";
import type { RateLimit } from "../config";
import { RetryLater } from "./retry-after";
import type { Services } from "./services";
import { bearerToken, hashToken } from "./tokens";

/**
 * Per-token agent rate limit (SPEC §3 [r2]): a token bucket per bearer token, refilled at
 * `perSecond` up to `burst`. It is taken from the header before any database work, so a flood
 * costs a hash and a map lookup, never a query. Keys are SHA-256 hashes (no token kept in memory).
 */
export class TokenBuckets {
  // Map order is least recently used first: take() re-inserts, so idle buckets gather at the front.
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private takesSinceSweep = 0;

  constructor(
    readonly limit: RateLimit,
    private readonly options: { maxKeys?: number; now?: () => number } = {},
  ) {}

  /** 0 when the call may go ahead (one token spent), else the milliseconds until one is free. */
  take(key: string): number {
    const now = this.now();
    const { perSecond, burst } = this.limit;
    const bucket = this.buckets.get(key);
    let tokens = burst;
    if (bucket) {
      tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
      this.buckets.delete(key);
    }
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    this.buckets.set(key, { tokens, at: now });
    this.evict(now);
    return allowed ? 0 : Math.ceil(((1 - tokens) * 1000) / perSecond);
  }

  get size(): number {
    return this.buckets.size;
  }

  private now(): number {
    return this.options.now?.() ?? performance.now();
  }

  /**
   * Memory stays bounded: a bucket idle long enough to have refilled is the same as no bucket,
   * so it goes (checked every 256 takes, oldest first, stopping at the first one still in use);
   * past maxKeys the least recently used go whatever their state.
   */
  private evict(now: number) {
    const maxKeys = this.options.maxKeys ?? 100_000;
    if (++this.takesSinceSweep >= 256 || this.buckets.size > maxKeys) {
      this.takesSinceSweep = 0;
      const refillMs = (this.limit.burst * 1000) / this.limit.perSecond;
      for (const [key, bucket] of this.buckets) {
        if (this.buckets.size <= maxKeys && now - bucket.at < refillMs) break;
        this.buckets.delete(key);
      }
    }
  }
}

/** Why the call was refused: the tRPC error's cause, carrying the Retry-After value. */
export class RateLimited extends RetryLater {
  constructor(retryAfterSeconds: number) {
    super(
      `Too many requests for this workspace token: retry after ${retryAfterSeconds} s.`,
      retryAfterSeconds,
    );
  }
}

const limiters = new WeakMap<Services, TokenBuckets | null>();

function limiterFor(services: Services): TokenBuckets | null {
  let limiter = limiters.get(services);
  if (limiter === undefined) {
    limiter = services.config.agentRateLimit ? new TokenBuckets(services.config.agentRateLimit) : null;
    limiters.set(services, limiter);
  }
  return limiter;
}

/**
 * Spends one call of the request's bearer token. Returns null when it may go ahead (also when
 * there is no token: that is a 401 without database work anyway), else the seconds to wait.
 * The HTTP entry can call this directly before it parses a body.
 */
export function takeAgentToken(
  services: Services,
  headers: Headers | string | undefined,
): { retryAfterSeconds: number } | null {
  const limiter = limiterFor(services);
  const token = limiter && bearerToken(headers);
  if (!limiter || !token) return null;
  const waitMs = limiter.take(hashToken(token));
  return waitMs === 0 ? null : { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** takeAgentToken for tRPC procedures: TOO_MANY_REQUESTS (429) with a RateLimited cause. */
export function assertAgentRate(services: Services, headers: Headers | string | undefined) {
  const refused = takeAgentToken(services, headers);
  if (refused) {
    const cause = new RateLimited(refused.retryAfterSeconds);
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: cause.message, cause });
  }
}
