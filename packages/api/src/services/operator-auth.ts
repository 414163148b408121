import { timingSafeEqual } from "node:crypto";
import { sessionIsLive } from "./operator-sessions";
import type { Services } from "./services";
import { bearerToken } from "./tokens";

/** The browser session cookie: a random session id, never the admin token (operator-sessions.ts). */
export const SESSION_COOKIE = "molecule_session";

/** Constant-time string comparison (length may leak; the admin token's length is no secret). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The value of one cookie in the Cookie header, or null. */
export function cookieValue(headers: Headers, name: string): string | null {
  const cookie = headers.get("cookie");
  if (!cookie) return null;
  for (const part of cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k !== name) continue;
    try {
      return decodeURIComponent(v.join("="));
    } catch {
      return null; // malformed escapes: no session, not a 500
    }
  }
  return null;
}

/**
 * Operator access (SPEC §4 [r2]): `Authorization: Bearer <ADMIN_TOKEN>` (scripts, tests) or a live
 * session cookie (the browser). Never "because the request is local": an agent process on the
 * same host, or a web page the operator visits, is local too. Only a session cookie costs a query.
 */
export async function isOperator(services: Services, headers: Headers): Promise<boolean> {
  const admin = services.config.adminToken;
  if (!admin) return false;
  const bearer = bearerToken(headers);
  if (bearer !== null && sameSecret(bearer, admin)) return true;
  const session = cookieValue(headers, SESSION_COOKIE);
  return session ? sessionIsLive(services, session) : false;
}

/** Loopback names and addresses: the only hosts a server without ADMIN_TOKEN may listen on. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
