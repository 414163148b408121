/**
 * tRPC setup in three parts: (1) context, (2) init with error formatting, (3) procedures.
 * https://trpc.io/docs/server/context · https://trpc.io/docs/server/error-formatting
 */

import { jsonBytes } from "@molecule/contracts";
import { initTRPC, TRPCError } from "@trpc/server";
import { bodyLimitFor } from "./body-limits";
import { unavailableError, withUnavailable } from "./services/database-outage";
import { FieldIssues, HasChildren, invalidToken, otherWorkspace } from "./services/errors";
import { isOperator } from "./services/operator-auth";
import { assertAgentRate } from "./services/rate-limit";
import type { Services } from "./services/services";
import { bearerToken, hashToken, plausibleToken, workspaceForToken } from "./services/tokens";

// ─── 1. Context ──────────────────────────────────────────────────────────────────────────────────

export interface Context {
  services: Services;
  /** The HTTP request's headers (empty for createCaller in tests and server code). */
  headers: Headers;
  /** Whether this caller is the operator: ADMIN_TOKEN as a bearer or a live session (operator-auth.ts). */
  operator: boolean;
  /**
   * Ends the HTTP exchange at once (the SSE stream of a subscriber that does not drain, SPEC §6);
   * a no-op without one.
   */
  disconnect: () => void;
}

/**
 * Server code that calls procedures directly (trustedCaller) is the operator and needs no lookup,
 * so its context is built at once. An HTTP request's operator check may read its session from the
 * database, so that context is a promise (tRPC's adapters await it).
 */
type RequestLike = { headers: Headers; disconnect?: () => void };
export function createContext(services: Services, req: null, trustedCaller: true): Context;
export function createContext(
  services: Services,
  req: RequestLike | null,
  trustedCaller?: false,
): Promise<Context>;
export function createContext(
  services: Services,
  req: RequestLike | null,
  trustedCaller = false,
): Context | Promise<Context> {
  const headers = req?.headers ?? new Headers();
  const disconnect = req?.disconnect ?? (() => {});
  if (trustedCaller) return { services, headers, operator: true, disconnect };
  // A session lookup that cannot reach the database is a 503, like the procedure it would run.
  return isOperator(services, headers).then(
    (operator) => ({ services, headers, operator, disconnect }),
    (error) => {
      throw withUnavailable(error);
    },
  );
}

// ─── 2. Init ─────────────────────────────────────────────────────────────────────────────────────

export interface FieldError {
  path: string;
  message: string;
}

interface IssueLike {
  message: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
}

/** Input validation failures carry their issues (zod 4 via Standard Schema) on `cause.issues`. */
export function fieldErrors(error: unknown): FieldError[] | null {
  const issues = (error as { issues?: IssueLike[] } | undefined)?.issues;
  if (!Array.isArray(issues)) return null;
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join("."),
    message: issue.message,
  }));
}

/** "name: must not contain control characters; tier: must be from 1 to 4" */
export function describeFieldErrors(fields: FieldError[]): string {
  return fields.map((f) => (f.path ? `${f.path}: ${f.message}` : f.message)).join("; ");
}

/** SPEC §6: a keep-alive every 10 s, so a client knows within 25 s that its stream is dead. */
export const KEEPALIVE_MS = 10_000;

const t = initTRPC.context<Context>().create({
  // SPEC §6 [r2]: a keep-alive on an idle stream every 10 s, so a client that hears nothing for
  // 25 s knows the stream is dead (SIGSTOP, a dead proxy) and reconnects with its lastEventId
  // (the canvas's watchdog, apps/canvas/lib/live-sync.ts). The ping is a real SSE event: comment
  // lines never reach an EventSource. https://trpc.io/docs/server/subscriptions#sse-configuration
  sse: { ping: { enabled: true, intervalMs: KEEPALIVE_MS } },
  errorFormatter({ shape, error }) {
    const fields = error.code === "BAD_REQUEST" ? fieldErrors(error.cause) : null;
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      // Never leak SQL, stacks or driver messages: internal errors get a generic sentence.
      message: fields
        ? describeFieldErrors(fields)
        : internal
          ? "Something went wrong on the server."
          : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        fields,
        children: error.cause instanceof HasChildren ? error.cause.children : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// ─── 3. Procedures ───────────────────────────────────────────────────────────────────────────────

/**
 * Every procedure: a failure because the database cannot be reached is SERVICE_UNAVAILABLE (503,
 * Retry-After), never a 500 (database-outage.ts decides which failures those are).
 */
const base = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const unavailable = unavailableError(result.error);
    if (unavailable) throw unavailable;
  }
  return result;
});

/**
 * Every call's own input is held to its own body limit (SPEC §3), also inside a batch: the HTTP
 * entry lets a batch be as large as its largest call allows, so a 200 KB heartbeat cannot ride in
 * a batch next to an agent card. The error names `body`, like a request over the limit.
 */
const sized = base.use(async ({ path, getRawInput, next }) => {
  const limit = bodyLimitFor(path);
  // Unreadable input is the procedure's own parser's business (and a procedure without input
  // ignores it), exactly as without this check.
  const raw = await getRawInput().catch(() => undefined);
  if (raw !== undefined && jsonBytes(raw) > limit) {
    const message = `must be at most ${Math.round(limit / 1024)} KiB`;
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: `body: ${message}`,
      cause: new FieldIssues([{ path: ["body"], message }]),
    });
  }
  return next();
});

export const publicProcedure = sized;

/** The canvas and operator API: needs a session (sign in) or `Authorization: Bearer <ADMIN_TOKEN>`. */
export const operatorProcedure = sized.use(({ ctx, next }) => {
  if (!ctx.operator)
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message:
        "Sign in first (open the link the server printed), or send Authorization: Bearer <ADMIN_TOKEN>.",
    });
  return next();
});

/**
 * The workspace the request's bearer token speaks for (SPEC §3), or UNAUTHORIZED. The hash goes
 * along so the write itself can insist the token is still live: a restart may revoke it between
 * this check and the write (see CasPlan.whileTokenLive).
 */
export async function authenticateAgent(ctx: Context): Promise<{ workspaceId: string; tokenHash: string }> {
  const token = bearerToken(ctx.headers);
  if (!token)
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: "Missing workspace token (Authorization: Bearer …).",
    });
  const workspaceId = await workspaceForToken(ctx.services.handle.db, token);
  if (!workspaceId) throw invalidToken();
  return { workspaceId, tokenHash: hashToken(token) };
}

/**
 * Agent procedures whose write checks the token itself, in the same statement (the heartbeat
 * batch, see heartbeat-ingest.ts): only the header is read here, so no lookup round trip first.
 * The rate limit is spent first, before anything else (429 + Retry-After when over it).
 */
export const agentTokenProcedure = sized.use(({ ctx, next }) => {
  assertAgentRate(ctx.services, ctx.headers);
  const token = bearerToken(ctx.headers);
  if (!token)
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: "Missing workspace token (Authorization: Bearer …).",
    });
  if (!plausibleToken(token)) throw invalidToken();
  return next({ ctx: { agentTokenHash: hashToken(token) } });
});

/**
 * Agent-facing procedures: the bearer token decides which workspace is speaking (SPEC §3). Its
 * rate limit is spent first, before any database work (429 + Retry-After when over it).
 */
export const agentProcedure = sized.use(async ({ ctx, next }) => {
  assertAgentRate(ctx.services, ctx.headers);
  const agent = await authenticateAgent(ctx);
  return next({ ctx: { agentWorkspaceId: agent.workspaceId, agentTokenHash: agent.tokenHash } });
});

/** A token only speaks for its own workspace: naming another one is forbidden (403). */
export function assertSelf(ctx: { agentWorkspaceId: string }, workspaceId: string) {
  if (ctx.agentWorkspaceId !== workspaceId) throw otherWorkspace();
}
