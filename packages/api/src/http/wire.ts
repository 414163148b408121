import type { IncomingMessage, ServerResponse } from "node:http";
import { HeartbeatInputSchema } from "@molecule/contracts";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { createCaller } from "../root";
import { ingestHeartbeat } from "../routers/registry";
import { unavailableError } from "../services/database-outage";
import { invalidToken } from "../services/errors";
import { rejectReason } from "../services/metrics";
import { assertAgentRate } from "../services/rate-limit";
import { retryAfterOf } from "../services/retry-after";
import type { Services } from "../services/services";
import { bearerToken, hashToken, plausibleToken } from "../services/tokens";
import { createContext, describeFieldErrors, type FieldError, fieldErrors } from "../trpc";
import { BodyTooLargeError, bodyLimitFor, readBody } from "./body";
import { sendJson, toHeaders } from "./respond";

const snakeToCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const camelToSnake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Top-level keys only: the agent card inside is the agent's own JSON and is kept as sent. */
function mapKeys(value: unknown, map: (k: string) => string): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [map(k), v]));
}

type Caller = ReturnType<typeof createCaller>;
type Route = (services: Services, req: IncomingMessage, input: Record<string, unknown>) => Promise<unknown>;
const viaCaller =
  (call: (caller: Caller, input: never) => Promise<unknown>): Route =>
  async (services, req, input) =>
    call(createCaller(await createContext(services, { headers: toHeaders(req.headers) })), input as never);

const ROUTES: Record<string, Route> = {
  // The hot path: straight into the group commit, without a tRPC caller per request. Same rules as
  // registry.heartbeat (the same schema and the same ingestHeartbeat): a missing token is a 401
  // before anything else, a bad body a 400, a bad token a 401 from the batch.
  heartbeat: async (services, req, input) => {
    // Only the Authorization header is read: no Headers object is built on the hot path.
    const authorization = req.headers.authorization;
    assertAgentRate(services, authorization);
    const token = bearerToken(authorization);
    if (!token)
      throw new TRPCError({
        code: "UNAUTHORIZED",
        message: "Missing workspace token (Authorization: Bearer …).",
      });
    if (!plausibleToken(token)) throw invalidToken();
    const parsed = HeartbeatInputSchema.safeParse(input);
    if (!parsed.success) throw new TRPCError({ code: "BAD_REQUEST", cause: parsed.error });
    return ingestHeartbeat(services, hashToken(token), parsed.data);
  },
  register: viaCaller((c, i) => c.registry.register(i)),
  "update-card": viaCaller((c, i) => c.registry.updateCard(i)),
  "check-access": viaCaller((c, i) => c.registry.checkAccess(i)),
};

/**
 * Wire compatibility for existing (Python) Molecule runtimes (SPEC §3): snake_case JSON over plain
 * HTTP, `{"error": …}` bodies. Each endpoint runs the same validation and service code as its
 * tRPC procedure, so there is no second implementation.
 */
export async function handleWire(
  req: IncomingMessage,
  res: ServerResponse,
  services: Services,
  name: string,
  requestId: string,
) {
  const route = ROUTES[name];
  const heartbeat = name === "heartbeat";
  if (heartbeat) services.metrics.heartbeatsReceived.inc();
  if (!route) return sendJson(res, 404, { error: `Unknown registry endpoint /registry/${name}.` });
  if (req.method !== "POST") return sendJson(res, 405, { error: "Use POST." }, { allow: "POST" });
  let body: unknown;
  try {
    const text = await readBody(req, bodyLimitFor(name));
    body = text ? JSON.parse(text) : {};
  } catch (error) {
    const tooLarge = error instanceof BodyTooLargeError;
    if (heartbeat)
      services.metrics.heartbeatsRejected.inc({ reason: tooLarge ? "too_large" : "bad_request" });
    return sendJson(res, 400, { error: tooLarge ? error.message : "body: must be valid JSON" });
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    if (heartbeat) services.metrics.heartbeatsRejected.inc({ reason: "bad_request" });
    return sendJson(res, 400, { error: "body: must be a JSON object" });
  }
  try {
    const input = mapKeys(body, snakeToCamel) as Record<string, unknown>;
    const output = await route(services, req, input);
    sendJson(res, 200, mapKeys(output, camelToSnake));
  } catch (error) {
    const trpc =
      unavailableError(error) ??
      (error instanceof TRPCError ? error : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error }));
    const status = getHTTPStatusCodeFromError(trpc);
    if (heartbeat) services.metrics.heartbeatsRejected.inc({ reason: rejectReason(trpc.code) });
    // The database unreachable: 503 with its sentence and Retry-After (below), logged as an outage.
    if (trpc.code === "SERVICE_UNAVAILABLE") services.outage.refused(trpc);
    else if (status >= 500) {
      services.log.error({ err: error, requestId, endpoint: `/registry/${name}` }, "wire call failed");
      return sendJson(res, status, { error: "Something went wrong on the server." });
    }
    const fields = fieldErrors(trpc.cause);
    const retryAfter = retryAfterOf(trpc);
    sendJson(
      res,
      status,
      { error: fields ? describeFieldErrors(snakeFields(fields)) : trpc.message },
      retryAfter ? { "retry-after": retryAfter } : {},
    );
  }
}

const snakeFields = (fields: FieldError[]) =>
  fields.map((f) => ({ ...f, path: f.path.split(".").map(camelToSnake).join(".") }));
