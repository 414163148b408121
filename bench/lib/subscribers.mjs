#!/usr/bin/env node
// N canvases' live streams in a process of their own (so the benchmark's clock is not the one
// under load): opens SUBSCRIBERS SSE streams on events.onEvent and prints one JSON line per status
// event received: {"s": stream, "id", "type", "workspaceId", "at": Date.now()} (plus the event's
// own "eventAt" and "payload" with PAYLOADS=1). Prints "ready N" once every stream is connected. Env: URL, ADMIN_TOKEN,
// SUBSCRIBERS; LAST_EVENT_ID to start after that event; RESUME_EVERY_MS to drop each stream on
// purpose that often and resume it by the last id seen, as a canvas does after a network blip.
// A RESYNC message prints {"s", "resync": true}. On SIGTERM: {"telemetryMessages", "connections",
// "loopDelayMs": {p50, p99, max}}: how late this process's own event loop ran, i.e. how much a
// receipt time can be the harness's lateness rather than the server's.
import { monitorEventLoopDelay } from "node:perf_hooks";

const url = process.env.URL;
const count = Number(process.env.SUBSCRIBERS ?? 50);
const resumeEveryMs = Number(process.env.RESUME_EVERY_MS ?? 0);
const payloads = process.env.PAYLOADS === "1";
let connected = 0;
let connections = 0;
let telemetryMessages = 0;
let stopping = false;
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

async function stream(s, lastEventId) {
  const input = encodeURIComponent(JSON.stringify({ lastEventId }));
  const abort = new AbortController();
  const drop = resumeEveryMs > 0 ? setTimeout(() => abort.abort(), resumeEveryMs) : null;
  let last = lastEventId;
  try {
    const res = await fetch(`${url}/api/trpc/events.onEvent?input=${input}`, {
      headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}`, accept: "text/event-stream" },
      signal: abort.signal,
    });
    if (!res.ok || !res.body) throw new Error(`stream ${s}: HTTP ${res.status}`);
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut = buffer.indexOf("\n\n");
      while (cut !== -1) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        cut = buffer.indexOf("\n\n");
        // Telemetry is only counted, never parsed: parsing ~100 KB four times a second on 50
        // streams would make this process, not the server, the one that delays receipt times.
        if (block.slice(0, 100).includes('"type":"WORKSPACE_TELEMETRY"')) {
          telemetryMessages++;
          continue;
        }
        let event = "";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data += line.slice(5).trim();
        }
        if (event === "connected") {
          connections++;
          if (++connected === count) console.log(`ready ${count}`);
          continue;
        }
        if (!data.startsWith("{")) continue;
        const parsed = JSON.parse(data);
        const envelope = parsed.type ? parsed : parsed.data;
        if (!envelope?.type) continue;
        if (envelope.type === "WORKSPACE_TELEMETRY") {
          telemetryMessages++;
          continue;
        }
        if (envelope.type === "RESYNC") {
          console.log(JSON.stringify({ s, resync: true }));
          continue;
        }
        last = envelope.id;
        const line = {
          s,
          id: envelope.id,
          type: envelope.type,
          workspaceId: envelope.workspaceId,
          at: Date.now(),
        };
        console.log(
          JSON.stringify(payloads ? { ...line, eventAt: envelope.at, payload: envelope.payload } : line),
        );
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) console.error(String(error));
  } finally {
    if (drop) clearTimeout(drop);
  }
  return last;
}

async function subscriber(s) {
  let last = process.env.LAST_EVENT_ID ?? null;
  // Without RESUME_EVERY_MS a stream runs until the process ends; with it, it is dropped and
  // resumed from the last id it saw, again and again.
  for (;;) {
    last = await stream(s, last);
    if (resumeEveryMs <= 0 || stopping) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

for (let s = 0; s < count; s++) subscriber(s).catch((error) => console.error(String(error)));
process.on("SIGTERM", () => {
  stopping = true;
  const ms = (ns) => Math.round(ns / 1e5) / 10;
  const loopDelayMs = {
    p50: ms(loopDelay.percentile(50)),
    p99: ms(loopDelay.percentile(99)),
    max: ms(loopDelay.max),
  };
  console.log(JSON.stringify({ telemetryMessages, connections, loopDelayMs }));
  process.exit(0);
});
