import type { IncomingMessage, ServerResponse } from "node:http";
import { HeartbeatInputSchema } from "@molecule/contracts";
import { getTRPCErrorShape } from "@trpc/server";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { appRouter } from "../root";
import { ingestHeartbeat } from "../routers/registry";
import { DATABASE_RETRY_AFTER_HEADER, unavailableError } from "../services/database-outage";
import { rejectReason } from "../services/metrics";
import { takeAgentToken } from "../services/rate-limit";
import { retryAfterResponseMeta } from "../services/retry-after";
import type { Services } from "../services/services";
import { bearerToken, hashToken, plausibleToken } from "../services/tokens";
import { createContext } from "../trpc";
import { BodyTooLargeError, readBody, requestLimitFor } from "./body";
import { sendJson, toHeaders } from "./respond";

export const TRPC_ENDPOINT = "/api/trpc";
const HEARTBEAT = "registry.heartbeat";
/** SPEC §3: a tRPC batch holds at most 10 calls. */
export const MAX_BATCH = 10;

/**
 * tRPC over node:http (HTTP and SSE subscriptions) with tRPC's own Node adapter. The body is read
 * here first, held to the limit of the calls the path names (a batch as large as its largest
 * call allows), and handed to the adapter as `req.body`; each call's input is then held to its
 * own limit by the agent procedures.
 * https://trpc.io/docs/server/adapters/standalone#adding-a-handler-to-a-custom-http-server
 */
export async function handleTrpc(
  req: IncomingMessage,
  res: ServerResponse,
  services: Services,
  path: string,
  requestId: string,
) {
  const procedures = path.split(",");
  const { metrics, log } = services;
  // Heartbeats received and refused (metrics): counted per call, a batch may hold several.
  for (const p of procedures) if (p === HEARTBEAT) metrics.heartbeatsReceived.inc();
  if (procedures.length > MAX_BATCH) {
    return sendJson(res, 400, trpcError(`A batch holds at most ${MAX_BATCH} calls.`, "batch"));
  }
  if (req.method === "POST") {
    try {
      (req as IncomingMessage & { body?: unknown }).body = await readBody(req, requestLimitFor(procedures));
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      for (const p of procedures)
        if (p === HEARTBEAT) metrics.heartbeatsRejected.inc({ reason: "too_large" });
      return sendJson(res, 400, trpcError(error.message, "body"));
    }
  }
  if (path === "registry.heartbeat" && req.method === "POST" && !req.url?.includes("?")) {
    if (await heartbeatFastPath(req, res, services)) return;
  }
  await nodeHTTPRequestHandler({
    router: appRouter,
    req,
    res,
    path,
    maxBatchSize: MAX_BATCH,
    // A 429 (SPEC §3 [r2]) and a 503 (database unreachable) carry Retry-After.
    responseMeta: ({ errors }) => retryAfterResponseMeta({ errors }),
    createContext: () =>
      createContext(services, { headers: toHeaders(req.headers), disconnect: () => res.destroy() }),
    onError({ error, path: at }) {
      if (at === HEARTBEAT) metrics.heartbeatsRejected.inc({ reason: rejectReason(error.code) });
      // An outage is logged by the outage log (once, then a count), not once per request.
      if (error.code === "SERVICE_UNAVAILABLE") services.outage.refused(error);
      else if (error.code === "INTERNAL_SERVER_ERROR")
        log.error({ err: error.cause ?? error, requestId, procedure: at }, "tRPC call failed");
    },
  });
}

/** An error body in tRPC's own shape (so tRPC clients read it), naming the field at fault. */
function trpcError(message: string, field: string) {
  const fields = [{ path: field, message: message.replace(/^body: /, "") }];
  return { error: { message, code: -32600, data: { code: "BAD_REQUEST", httpStatus: 400, fields } } };
}

/**
 * `registry.heartbeat` is the hot path: a single (unbatched) call whose input is valid and whose
 * heartbeat is accepted is answered here, in tRPC's own response shape, without building a fetch
 * Request and Response around it. It is the same procedure (the same schema, the same
 * ingestHeartbeat); anything else — no token, a bad body, a rejected heartbeat — returns false
 * and tRPC answers it, so every error keeps tRPC's shape and codes. A rejected heartbeat wrote
 * nothing, so tRPC running it once more is safe.
 */
async function heartbeatFastPath(req: IncomingMessage, res: ServerResponse, services: Services) {
  const token = bearerToken(req.headers.authorization);
  if (!token || !plausibleToken(token)) return false;
  // Over its rate limit: tRPC answers the 429 (the bucket is not spent by a refusal).
  if (takeAgentToken(services, req.headers.authorization)) return false;
  let input: unknown;
  try {
    input = JSON.parse(String((req as IncomingMessage & { body?: unknown }).body ?? ""));
  } catch {
    return false;
  }
  const parsed = HeartbeatInputSchema.safeParse(input);
  if (!parsed.success) return false;
  try {
    const data = await ingestHeartbeat(services, hashToken(token), parsed.data);
    sendJson(res, 200, { result: { data } });
    return true;
  } catch (error) {
    // The database unreachable: answered here (tRPC running it again would wait on it twice).
    const unavailable = unavailableError(error);
    if (!unavailable) return false;
    services.metrics.heartbeatsRejected.inc({ reason: rejectReason(unavailable.code) });
    services.outage.refused(unavailable);
    const shape = getTRPCErrorShape({
      config: appRouter._def._config,
      error: unavailable,
      type: "mutation",
      path: HEARTBEAT,
      input: parsed.data,
      ctx: undefined,
    });
    sendJson(res, 503, { error: shape }, DATABASE_RETRY_AFTER_HEADER);
    return true;
  }
}
