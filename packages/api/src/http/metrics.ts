import type { IncomingMessage, ServerResponse } from "node:http";
import { isOperator, sameSecret } from "../services/operator-auth";
import type { Services } from "../services/services";
import { bearerToken } from "../services/tokens";
import { sendJson, toHeaders } from "./respond";

/**
 * `GET /api/metrics` (SPEC §9 [r2]): Prometheus text for an operator, or for a scraper holding
 * METRICS_TOKEN as a bearer (a credential that can read numbers and do nothing else).
 */
export async function handleMetrics(req: IncomingMessage, res: ServerResponse, services: Services) {
  if (req.method !== "GET" && req.method !== "HEAD")
    return sendJson(res, 405, { error: "Use GET." }, { allow: "GET" });
  const headers = toHeaders(req.headers);
  const scraper = services.config.metricsToken;
  const bearer = bearerToken(headers);
  const allowed =
    (scraper !== undefined && bearer !== null && sameSecret(bearer, scraper)) ||
    (await isOperator(services, headers));
  if (!allowed)
    return sendJson(
      res,
      401,
      { error: "Sign in as an operator, or send METRICS_TOKEN as a bearer token." },
      { "www-authenticate": "Bearer" },
    );
  const text = await services.metrics.text();
  res.writeHead(200, { "content-type": services.metrics.contentType, "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : text);
}
