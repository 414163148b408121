#!/usr/bin/env node
// N canvases' live streams in a process of their own (so the benchmark's clock is not the one
// under load): opens SUBSCRIBERS SSE streams on events.onEvent and prints one JSON line per status
// event received: {"s": stream, "type", "workspaceId", "at": Date.now()}. Prints "ready N" once
// every stream is connected. Env: URL, ADMIN_TOKEN, SUBSCRIBERS.
const url = process.env.URL;
const count = Number(process.env.SUBSCRIBERS ?? 50);
let connected = 0;
let telemetryMessages = 0;

async function stream(s) {
  const input = encodeURIComponent(JSON.stringify({ lastEventId: null }));
  const res = await fetch(`${url}/api/trpc/events.onEvent?input=${input}`, {
    headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}`, accept: "text/event-stream" },
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
      let event = "";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      if (event === "connected") {
        connected++;
        if (connected === count) console.log(`ready ${count}`);
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
      console.log(
        JSON.stringify({ s, type: envelope.type, workspaceId: envelope.workspaceId, at: Date.now() }),
      );
    }
  }
}

for (let s = 0; s < count; s++) stream(s).catch((error) => console.error(String(error)));
process.on("SIGTERM", () => {
  console.log(JSON.stringify({ telemetryMessages }));
  process.exit(0);
});
