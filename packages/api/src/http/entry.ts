import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { openApiDocument } from "@molecule/contracts";
import { DATABASE_RETRY_AFTER_HEADER, unavailableError } from "../services/database-outage";
import { requestIdFrom } from "../services/logger";
import { isOperator } from "../services/operator-auth";
import { guardRequest } from "../services/request-guard";
import type { Services } from "../services/services";
import { handleHealth } from "./health";
import { handleMetrics } from "./metrics";
import { sendJson, toHeaders } from "./respond";
import { handleSession } from "./session";
import { handleTrpc, TRPC_ENDPOINT } from "./trpc";
import { handleWire } from "./wire";

let openApi: Record<string, unknown> | null = null;

/** What answers every path the API does not (the canvas: Next's request handler). */
export type Fallback = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * The server's own HTTP entry (SPEC §9): `/api/trpc`, `/registry/*` and `/api/health` are answered
 * here, on node:http, and never reach Next's router; every other path goes to `fallback`.
 */
export function createRequestListener(services: Services, fallback?: Fallback): RequestListener {
  const route = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    const pathname = query === -1 ? url : url.slice(0, query);
    // Every path, the canvas's pages included: a foreign Host (DNS rebinding) or Origin is refused
    // before anything else is read (SPEC §4 [r2]).
    const refused = guardRequest(services.config, {
      method: req.method ?? "GET",
      url,
      headers: nodeHeaders(req),
    });
    if (refused) return sendJson(res, refused.status, { error: refused.message });
    if (pathname.startsWith(`${TRPC_ENDPOINT}/`)) {
      let path: string;
      try {
        path = decodeURIComponent(pathname.slice(TRPC_ENDPOINT.length + 1));
      } catch {
        return sendJson(res, 400, { error: "Malformed path." });
      }
      return handleTrpc(req, res, services, path, requestId);
    }
    if (pathname.startsWith("/registry/")) {
      const wire = /^\/registry\/([a-z-]+)\/?$/.exec(pathname);
      if (wire) return handleWire(req, res, services, wire[1]!, requestId);
      return sendJson(res, 404, { error: "Not found." });
    }
    if (pathname === "/api/health") return handleHealth(res, services);
    if (pathname === "/api/metrics") return handleMetrics(req, res, services);
    // The API's description holds no data: open, like health (SPEC §9 names the paths it serves).
    if (pathname === "/api/openapi.json") {
      openApi ??= openApiDocument();
      return sendJson(res, 200, openApi);
    }
    if (pathname === "/api/session") return handleSession(req, res, services);
    if (fallback) {
      // The canvas is for signed-in operators only: no session, the sign-in page (SPEC §4 [r2]).
      if (pathname === "/" && req.method === "GET" && !(await isOperator(services, toHeaders(req.headers)))) {
        res.writeHead(303, { location: "/sign-in", "cache-control": "no-store" });
        return res.end();
      }
      return fallback(req, res);
    }
    return sendJson(res, 404, { error: "Not found." });
  };
  const { log } = services;
  return (req, res) => {
    // Every request has an id, echoed to the caller and on every log line about it (SPEC §9 [r2]).
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    res.setHeader("x-request-id", requestId);
    // One line per request at debug only: at info the hot path writes nothing. The path is logged
    // without its query string (no secret ever travels there, but nothing gains by logging it).
    if (log.isLevelEnabled("debug")) {
      const started = performance.now();
      res.once("finish", () =>
        log.debug(
          {
            requestId,
            method: req.method,
            path: (req.url ?? "/").split("?")[0],
            status: res.statusCode,
            ms: Math.round((performance.now() - started) * 10) / 10,
          },
          "request",
        ),
      );
    }
    route(req, res, requestId).catch((error) => {
      // A path outside tRPC and the wire (the session endpoint) that met a database outage: 503.
      const unavailable = unavailableError(error);
      if (unavailable && !res.headersSent) {
        services.outage.refused(unavailable);
        return sendJson(res, 503, { error: unavailable.message }, DATABASE_RETRY_AFTER_HEADER);
      }
      log.error(
        { err: error, requestId, method: req.method, path: (req.url ?? "/").split("?")[0] },
        "request failed",
      );
      if (!res.headersSent) sendJson(res, 500, { error: "Something went wrong on the server." });
      else res.destroy();
    });
  };
}

/** Node's header object read through `get`, as the guard reads it, without copying it. */
function nodeHeaders(req: IncomingMessage): Pick<Headers, "get"> {
  return {
    get(name: string) {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : (value ?? null);
    },
  };
}

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0: any free port) and says where; close() ends every connection. */
export async function listen(listener: RequestListener, host: string, port: number): Promise<Listening> {
  const server = createServer(listener);
  // Agents keep their connection open between heartbeats: a bit longer than a load balancer's
  // usual 60 s idle timeout would be wrong here, but longer than Node's 5 s default saves a
  // reconnect per heartbeat at 10 s intervals behind nothing.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    port: address.port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
