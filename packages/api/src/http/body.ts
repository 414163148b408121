import type { IncomingMessage } from "node:http";
import { bodyLimitFor } from "../body-limits";

export { bodyLimitFor };

/**
 * The limit of a whole tRPC request: a batch (`a,b,c`) may be as large as its largest call allows;
 * each call's own input is then held to its own limit (see the agent procedures in trpc.ts).
 */
export function requestLimitFor(procedures: string[]): number {
  return Math.max(...procedures.map(bodyLimitFor));
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body: must be at most ${Math.round(limit / 1024)} KiB`);
  }
}

/**
 * Reads the body as text, refusing anything over `limit` bytes before reading (Content-Length)
 * and while reading (chunked bodies), so an oversized body is never buffered in full.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume(); // drain what the client sends so the 400 can still be written
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.byteLength;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", (error) => {
      if (!failed) reject(error);
    });
  });
}
