/**
 * tRPC setup in three parts: (1) context, (2) init with error formatting, (3) procedures.
 * https://trpc.io/docs/server/context · https://trpc.io/docs/server/error-formatting
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { HasChildren } from "./services/errors";
import { isOperator } from "./services/operator-auth";
import { assertAgentRate } from "./services/rate-limit";
import type { Services } from "./services/services";
import { bearerToken, hashToken, workspaceForToken } from "./services/tokens";

// ─── 1. Context ──────────────────────────────────────────────────────────────────────────────────

export interface Context {
  services: Services;
  /** The HTTP request, when there is one (absent for createCaller in tests and server code). */
  headers: Headers;
  /** Whether this caller is the operator (admin token / loopback rule, see operator-auth.ts). */
  operator: boolean;
}

export function createContext(services: Services, req: Request | null, trustedCaller = false): Context {
  const headers = req?.headers ?? new Headers();
  return { services, headers, operator: trustedCaller || isOperator(services.config, headers) };
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

const t = initTRPC.context<Context>().create({
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

export const publicProcedure = t.procedure;

/** The canvas and operator API: needs the admin cookie/token when ADMIN_TOKEN is set. */
export const operatorProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.operator) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in with the admin token." });
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
  if (!workspaceId)
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Invalid or revoked workspace token." });
  return { workspaceId, tokenHash: hashToken(token) };
}

/**
 * Agent-facing procedures: the bearer token decides which workspace is speaking (SPEC §3). Its
 * rate limit is spent first, before any database work (429 + Retry-After when over it).
 */
export const agentProcedure = t.procedure.use(async ({ ctx, next }) => {
  assertAgentRate(ctx.services, ctx.headers);
  const agent = await authenticateAgent(ctx);
  return next({ ctx: { agentWorkspaceId: agent.workspaceId, agentTokenHash: agent.tokenHash } });
});

/** A token only speaks for its own workspace: naming another one is forbidden (403). */
export function assertSelf(ctx: { agentWorkspaceId: string }, workspaceId: string) {
  if (ctx.agentWorkspaceId !== workspaceId) {
    throw new TRPCError({ code: "FORBIDDEN", message: "This token belongs to another workspace." });
  }
}
