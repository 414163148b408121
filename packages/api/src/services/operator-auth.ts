import { timingSafeEqual } from "node:crypto";
import type { ServerConfig } from "../config";
import { bearerToken } from "./tokens";

export const ADMIN_COOKIE = "molecule_admin";

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieValue(headers: Headers, name: string): string | null {
  const cookie = headers.get("cookie");
  if (!cookie) return null;
  for (const part of cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

/**
 * Operator access (SPEC §4): with ADMIN_TOKEN set, the request must carry it (cookie set by the
 * sign-in page, or `Authorization: Bearer`). Without it the server only listens on loopback
 * (enforced at start-up), so every caller that can reach it is local and trusted.
 */
export function isOperator(config: ServerConfig, headers: Headers): boolean {
  if (!config.adminToken) return true;
  const presented = cookieValue(headers, ADMIN_COOKIE) ?? bearerToken(headers);
  return presented ? sameSecret(presented, config.adminToken) : false;
}

/** Hosts that count as loopback for the "no ADMIN_TOKEN → local only" rule. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
