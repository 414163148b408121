import type { ServerConfig } from "../config";

export interface GuardedRequest {
  method: string;
  /** The request URL (absolute) or its path. */
  url: string;
  /** Only read with get(): the server's entry passes Node's headers without copying them. */
  headers: Pick<Headers, "get">;
}

export interface GuardRefusal {
  status: 421 | 403;
  message: string;
}

// Subscriptions are GETs that hold a stream of operator data open: guarded like writes.
const SUBSCRIPTION_PATH = /^\/api\/trpc\/events\.onEvent(?:[/?,]|$)/;
// No data in it, and load balancers probe it by IP address (SPEC §4: it stays open).
const OPEN_PATHS = new Set(["/api/health"]);

/** `127.0.0.1:3000` / `[::1]:3000` / `Example.COM.` → { hostname, host } lower-cased, no trailing dot. */
function parseHost(value: string): { hostname: string; host: string } | null {
  try {
    const url = new URL(`http://${value}`);
    if (url.username || url.password || url.pathname !== "/" || url.search || url.hash) return null;
    const hostname = url.hostname.replace(/\.$/, "");
    return { hostname, host: url.port ? `${hostname}:${url.port}` : hostname };
  } catch {
    return null;
  }
}

function isLoopbackName(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** An allow-list entry without a port allows every port of that name; with one, only that port. */
function listed(config: Pick<ServerConfig, "allowedHosts">, host: { hostname: string; host: string }) {
  return config.allowedHosts.some((entry) => entry === host.host || entry === host.hostname);
}

function pathOf(url: string): string {
  try {
    return new URL(url, "http://x").pathname;
  } catch {
    return url;
  }
}

/**
 * DNS rebinding and cross-site request guard (SPEC §4 [r2]), run before anything else reads the
 * request. A page on attacker.example that rebinds its name to 127.0.0.1 still sends
 * `Host: attacker.example`: only loopback names and MOLECULE_ALLOWED_HOSTS are served (421).
 * A write or a subscription that says where it comes from (Origin) must come from this very
 * origin or an allowed host (403): a page on localhost:8080 is same-site with localhost:3000
 * (SameSite cookies go along), so the origin, not the site, is what counts.
 * Returns null when the request may go on.
 */
export function guardRequest(
  config: Pick<ServerConfig, "allowedHosts">,
  req: GuardedRequest,
): GuardRefusal | null {
  const path = pathOf(req.url);
  if (OPEN_PATHS.has(path)) return null;
  const hostHeader = req.headers.get("host");
  const host = hostHeader ? parseHost(hostHeader) : null;
  if (!host || !(isLoopbackName(host.hostname) || listed(config, host))) {
    return {
      status: 421,
      message: `This server does not answer to the host name ${JSON.stringify(hostHeader ?? "")}. Add it to MOLECULE_ALLOWED_HOSTS if it is yours.`,
    };
  }
  const origin = req.headers.get("origin");
  const writes = req.method !== "GET" && req.method !== "HEAD";
  if (origin === null || !(writes || SUBSCRIPTION_PATH.test(path))) return null;
  let from: { hostname: string; host: string } | null = null;
  try {
    const url = new URL(origin);
    // Compare with the request's own Host as that scheme writes it (`:80` on http is no port).
    const own = new URL(`${url.protocol}//${hostHeader}`);
    if (url.host === own.host) return null;
    from = parseHost(url.host);
  } catch {
    // "null" (sandboxed frames, file://) or garbage: not an allowed origin.
  }
  if (from && listed(config, from)) return null;
  return { status: 403, message: `Requests from ${origin} may not change anything here.` };
}
