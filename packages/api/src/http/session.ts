import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Services } from "../services/services";
import { handleSessionRequest, SESSION_BODY_BYTES } from "../services/session-endpoint";
import { BodyTooLargeError, readBody } from "./body";
import { sendJson, toHeaders } from "./respond";

/**
 * /api/session on node:http (sign in, sign out, "am I signed in"). The sign-in throttle counts
 * failures per address, so the address is the socket's, never a header the client can write.
 */
export async function handleSession(req: IncomingMessage, res: ServerResponse, services: Services) {
  let body = "";
  try {
    if (req.method === "POST") body = await readBody(req, SESSION_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    return sendJson(res, 400, { error: error.message });
  }
  const secure = Boolean((req.socket as TLSSocket).encrypted) || req.headers["x-forwarded-proto"] === "https";
  const reply = await handleSessionRequest(services, {
    method: req.method ?? "GET",
    headers: toHeaders(req.headers),
    body,
    address: req.socket.remoteAddress ?? "unknown",
    secure,
  });
  sendJson(res, reply.status, reply.body, reply.headers);
}
