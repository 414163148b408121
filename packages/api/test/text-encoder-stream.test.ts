import { describe, expect, it } from "vitest";
import { ChunkTextEncoderStream } from "../src/http/text-encoder-stream";
import { testServerPerFile } from "./helpers";

// Node's own, taken before any server replaces the global.
const BuiltIn = globalThis.TextEncoderStream;

async function encodeAll(stream: TransformStream<unknown, Uint8Array>, chunks: unknown[]) {
  const writer = stream.writable.getWriter();
  const out: Uint8Array[] = [];
  const reading = (async () => {
    const reader = stream.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      out.push(value);
    }
  })();
  for (const chunk of chunks) await writer.write(chunk);
  await writer.close();
  await reading;
  return Buffer.concat(out);
}

const HIGH = "\uD83D"; // 🚀 is \uD83D\uDE80
const LOW = "\uDE80";
const cases: [string, unknown[]][] = [
  ["ASCII", ["data: {}\n", "\n\n"]],
  ["multi-byte", ["名前 é ", "ß"]],
  ["a pair whole", ["🚀"]],
  ["a pair split across chunks", [`a${HIGH}`, `${LOW}b`]],
  ["a high surrogate ending the stream", [`a${HIGH}`]],
  ["a high surrogate then a non-surrogate", [HIGH, "x"]],
  ["a high surrogate then another high one", [HIGH, HIGH, LOW]],
  ["a lone low surrogate", [`${LOW}x`]],
  ["a high surrogate, an empty chunk, then its low one", [HIGH, "", LOW]],
  ["non-string chunks", [42, null, { toString: () => "obj" }]],
  ["a telemetry-sized chunk", [`data: ${JSON.stringify({ w: "x🚀".repeat(10_000) })}\n`, "\n\n"]],
];

describe("ChunkTextEncoderStream (what SSE messages are encoded with)", () => {
  it.each(cases)("encodes %s as the Encoding Standard does (as Node's own does)", async (_, chunks) => {
    const ours = await encodeAll(new ChunkTextEncoderStream(), chunks);
    // A stream's output is the whole text's encoding: pairs across chunks joined, lone
    // surrogates replaced by U+FFFD.
    expect(ours).toEqual(Buffer.from(new TextEncoder().encode(chunks.map(String).join(""))));
    expect(ours).toEqual(await encodeAll(new BuiltIn(), chunks));
  });
});

describe("a started server", () => {
  const ts = testServerPerFile();
  it("has tRPC's stream producers (which construct the global TextEncoderStream) use it", () => {
    expect(ts.url).toBeTruthy();
    expect(globalThis.TextEncoderStream).toBe(ChunkTextEncoderStream);
  });
});
