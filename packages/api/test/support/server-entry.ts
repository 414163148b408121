/**
 * The server as its own OS process, for fault tests that kill it (kill -9) and start it again:
 * the same startServer and HTTP entry as apps/server, configured by the environment (loadConfig),
 * without the canvas (no Next: nothing a fault test watches, and seconds of start-up saved).
 * Run with tsx by startServerProcess (./server-process.ts). It prints one JSON line
 * `{"listening": url}` once it serves, and stops cleanly on SIGTERM.
 */
import { listen, loadConfig, startServer } from "../../src/server";

const config = loadConfig();
const server = await startServer(config);
const http = await listen(server.listener, config.host, config.port);
process.stdout.write(`${JSON.stringify({ listening: http.url, pid: process.pid })}\n`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, async () => {
    await http.close().catch(() => {});
    await server.stop().catch(() => {});
    process.exit(0);
  });
}
