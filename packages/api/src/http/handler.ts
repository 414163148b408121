import { sql } from "@molecule/db";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "../root";
import { guardRequest } from "../services/request-guard";
import type { Services } from "../services/services";
import { createContext } from "../trpc";
import { VERSION } from "../version";
import { BodyTooLargeError, bodyLimitFor, readBody } from "./body";
import { handleWire } from "./wire";

export const TRPC_ENDPOINT = "/api/trpc";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });

/** GET /api/health → { ok, database, version }; 503 while the database does not answer. */
export async function health(services: Services): Promise<Response> {
  try {
    await services.handle.db.execute(sql`select 1`);
    return json(200, { ok: true, database: services.handle.kind, version: VERSION });
  } catch {
    return json(503, { ok: false, database: services.handle.kind, version: VERSION });
  }
}

/** tRPC over fetch (HTTP and SSE subscriptions), with the body size cap applied first. */
export async function handleTrpc(req: Request, services: Services): Promise<Response> {
  let request = req;
  if (req.method === "POST") {
    const pathname = new URL(req.url).pathname;
    try {
      const text = await readBody(req, bodyLimitFor(pathname));
      request = new Request(req.url, {
        method: "POST",
        headers: req.headers,
        body: text,
        signal: req.signal,
      });
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      const fields = [{ path: "body", message: error.message.replace(/^body: /, "") }];
      return json(400, {
        error: {
          message: error.message,
          code: -32600,
          data: { code: "BAD_REQUEST", httpStatus: 400, fields },
        },
      });
    }
  }
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: request,
    router: appRouter,
    createContext: () => createContext(services, request),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR")
        console.error(`[trpc] ${path ?? "?"}:`, error.cause ?? error);
    },
  });
}

/** Every HTTP route the server answers besides the canvas pages: one function for Next and tests. */
export async function handleRequest(req: Request, services: Services): Promise<Response> {
  const refused = guardRequest(services.config, req);
  if (refused) return json(refused.status, { error: refused.message });
  const { pathname } = new URL(req.url);
  if (pathname.startsWith(`${TRPC_ENDPOINT}/`)) return handleTrpc(req, services);
  if (pathname === "/api/health") return health(services);
  const wire = /^\/registry\/([a-z-]+)\/?$/.exec(pathname);
  if (wire) return handleWire(req, services, wire[1]!);
  return json(404, { error: "Not found." });
}
