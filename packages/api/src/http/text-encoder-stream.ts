/**
 * TextEncoderStream as the Encoding Standard defines it
 * (https://encoding.spec.whatwg.org/#interface-textencoderstream), encoding each chunk with ONE
 * TextEncoder call.
 *
 * Why: tRPC writes every SSE message through `new TextEncoderStream()`, and Node 20's built-in
 * (since nodejs/node#44101) walks each chunk one UTF-16 unit at a time, appending to a string.
 * A coalesced telemetry message is ~100 KB, sent to every subscriber 4 times a second, so with 50
 * canvases the server spent about a third of its CPU in that loop and the garbage it makes
 * (bench/README.md, fleet fan-out profile), and status events waited behind it.
 *
 * Only a high surrogate that ends a chunk needs holding back (it may pair with the next chunk's
 * first unit); TextEncoder.encode already turns every other lone surrogate into U+FFFD, as the
 * standard's "encode and enqueue a chunk" does.
 */
const REPLACEMENT = new Uint8Array([0xef, 0xbf, 0xbd]);

export class ChunkTextEncoderStream extends TransformStream<unknown, Uint8Array> {
  readonly encoding = "utf-8";

  constructor() {
    const encoder = new TextEncoder();
    let pending = "";
    super({
      transform(chunk, controller) {
        let text = pending + String(chunk);
        pending = "";
        const last = text.charCodeAt(text.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pending = text.slice(-1);
          text = text.slice(0, -1);
        }
        if (text) controller.enqueue(encoder.encode(text));
      },
      flush(controller) {
        if (pending) controller.enqueue(REPLACEMENT.slice());
      },
    });
  }
}

/**
 * Makes the global TextEncoderStream (what tRPC's stream producers construct) this one. Called
 * once when a server starts; harmless to call again.
 */
export function useChunkTextEncoderStream() {
  (globalThis as { TextEncoderStream: unknown }).TextEncoderStream = ChunkTextEncoderStream;
}
