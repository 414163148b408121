import { sessionResponse } from "@molecule/api";
import { getServer } from "@molecule/api/server";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/**
 * Next's server sets x-forwarded-for from the socket only when the client did not send one, so
 * this address is the client's own claim when it sent the header: good enough to throttle a
 * browser, not a determined attacker. The server's own HTTP entry passes the socket address.
 */
function clientAddress(req: Request): string {
  return req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "unknown";
}

// Sign-in (POST), sign-out (DELETE) and "am I signed in" (GET): all in @molecule/api (session-endpoint.ts).
async function handle(req: Request) {
  const { services } = await getServer();
  return sessionResponse(services, req, clientAddress(req));
}

export const GET = handle;
export const POST = handle;
export const DELETE = handle;
