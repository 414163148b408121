import { cookieValue, isOperator, SESSION_COOKIE, sameSecret } from "./operator-auth";
import { createSession, endSession, SESSION_TTL_MS } from "./operator-sessions";
import type { Services } from "./services";
import { SignInThrottle } from "./sign-in-throttle";

/** What /api/session needs from an HTTP request, whoever serves it (Next route or the server's entry). */
export interface SessionRequest {
  method: string;
  headers: Headers;
  /** The raw body; sign-in sends JSON `{ "token": "…" }`. */
  body: string;
  /** The client's address as the HTTP server saw it: the sign-in throttle counts failures per address. */
  address: string;
  /** Whether the browser reached us over https (directly or through a proxy): the cookie gets `Secure`. */
  secure: boolean;
}

export interface SessionReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Sign-in bodies are a token and nothing else. */
export const SESSION_BODY_BYTES = 4096;

// One throttle per server (tests run several servers in one process).
const throttles = new WeakMap<Services, SignInThrottle>();
function throttleOf(services: Services): SignInThrottle {
  const throttle = throttles.get(services) ?? new SignInThrottle();
  throttles.set(services, throttle);
  return throttle;
}

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${maxAgeSeconds}`,
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

const reply = (status: number, body: unknown, headers: Record<string, string> = {}): SessionReply => ({
  status,
  body,
  headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
});

function presentedToken(body: string): string | null {
  try {
    const token = (JSON.parse(body) as { token?: unknown } | null)?.token;
    return typeof token === "string" ? token.trim() : null;
  } catch {
    return null;
  }
}

async function signIn(services: Services, req: SessionRequest): Promise<SessionReply> {
  const throttle = throttleOf(services);
  // Checked before the token: a throttled address learns nothing, not even from the right token.
  const wait = throttle.retryAfterSeconds(req.address);
  if (wait > 0)
    return reply(
      429,
      { error: `Too many failed sign-ins from your address. Try again in ${wait} s.` },
      { "retry-after": String(wait) },
    );
  const token = presentedToken(req.body);
  if (token === null) return reply(400, { error: 'Send JSON: { "token": "…" }.' });
  if (!services.config.adminToken || !sameSecret(token, services.config.adminToken)) {
    throttle.fail(req.address);
    return reply(401, {
      error:
        "That admin token is not right. Use the link the server printed, or the ADMIN_TOKEN it was started with.",
    });
  }
  throttle.succeed(req.address);
  const session = await createSession(services);
  return reply(
    200,
    { ok: true, expiresAt: session.expiresAt.toISOString() },
    { "set-cookie": sessionCookie(session.id, Math.floor(SESSION_TTL_MS / 1000), req.secure) },
  );
}

/**
 * /api/session (SPEC §4 [r2]): POST signs in with the admin token and sets a session cookie,
 * DELETE signs out (the session row is deleted), GET says whether the caller is signed in.
 * A plain function of the request's parts so any HTTP entry can serve it.
 */
export async function handleSessionRequest(services: Services, req: SessionRequest): Promise<SessionReply> {
  switch (req.method) {
    case "GET":
      return reply(200, { signedIn: await isOperator(services, req.headers) });
    case "POST":
      return signIn(services, req);
    case "DELETE": {
      const id = cookieValue(req.headers, SESSION_COOKIE);
      if (id) await endSession(services, id);
      return reply(200, { ok: true }, { "set-cookie": sessionCookie("", 0, req.secure) });
    }
    default:
      return reply(405, { error: "Use GET, POST or DELETE." }, { allow: "GET, POST, DELETE" });
  }
}
