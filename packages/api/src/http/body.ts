import { LIMITS } from "@molecule/contracts";

// Heartbeats are small and frequent: 64 KiB (SPEC §2). Register/update-card carry an agent card
// of up to 256 KiB. Operator calls (create with secrets and memories) get a generous cap.
const CARD_BODY = LIMITS.agentCardBytes + 64 * 1024;
const OPERATOR_BODY = 16 * 1024 * 1024;

export function bodyLimitFor(pathname: string): number {
  if (/heartbeat/.test(pathname) && !/register|card/i.test(pathname)) return LIMITS.bodyBytes;
  if (/registry/.test(pathname)) return CARD_BODY;
  return OPERATOR_BODY;
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body: must be at most ${Math.round(limit / 1024)} KiB`);
  }
}

/** Reads the body as text, refusing anything over `limit` bytes (before and while reading). */
export async function readBody(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new BodyTooLargeError(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
