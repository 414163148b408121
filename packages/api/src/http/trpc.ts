import type { IncomingMessage, ServerResponse } from "node:http";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { appRouter } from "../root";
import { rejectReason } from "../services/metrics";
import type { Services } from "../services/services";
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
  await nodeHTTPRequestHandler({
    router: appRouter,
    req,
    res,
    path,
    maxBatchSize: MAX_BATCH,
    createContext: () =>
      createContext(services, { headers: toHeaders(req.headers), disconnect: () => res.destroy() }),
    onError({ error, path: at }) {
      if (at === HEARTBEAT) metrics.heartbeatsRejected.inc({ reason: rejectReason(error.code) });
      if (error.code === "INTERNAL_SERVER_ERROR")
        log.error({ err: error.cause ?? error, requestId, procedure: at }, "tRPC call failed");
    },
  });
}

/** An error body in tRPC's own shape (so tRPC clients read it), naming the field at fault. */
function trpcError(message: string, field: string) {
  const fields = [{ path: field, message: message.replace(/^body: /, "") }];
  return { error: { message, code: -32600, data: { code: "BAD_REQUEST", httpStatus: 400, fields } } };
}
