/**
 * The Molecule server process (SPEC §9): one Node process, one port. Its own HTTP entry answers
 * the API (`/api/trpc`, `/registry/*`, `/api/health`) on node:http and hands every other path to
 * Next's request handler, which renders the canvas. Background services (event bus, sweeper,
 * provisioner) start here, once, after the database is migrated.
 *   node dist/main.mjs          production (after `pnpm build`)
 *   tsx src/main.ts --dev       development, with Next's dev server for the canvas
 * https://nextjs.org/docs/app/guides/custom-server
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import {
  assertSafeBinding,
  createLogger,
  type Logger,
  listen,
  loadConfig,
  startServer,
} from "@molecule/api/server";

const dev = process.argv.includes("--dev");
// Next reads NODE_ENV when it loads; it must be set before the import below.
(process.env as Record<string, string>).NODE_ENV ??= dev ? "development" : "production";

let log: Logger = createLogger("info");

async function main() {
  const config = loadConfig();
  log = createLogger(config.logLevel);
  assertSafeBinding(config); // before anything slow: say at once why it will not listen there
  const require = createRequire(import.meta.url);
  const canvasDir = dirname(require.resolve("@molecule/canvas/package.json"));
  const { default: next } = await import("next");
  const canvas = next({ dev, dir: canvasDir, hostname: config.host, port: config.port });
  const renderCanvas = canvas.getRequestHandler();
  await canvas.prepare();

  const server = await startServer(config, { log, fallback: (req, res) => renderCanvas(req, res) });
  const http = await listen(server.listener, config.host, config.port);
  log.info({ url: http.url, database: server.services.handle.kind }, `listening on ${http.url}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    // Stop taking requests first, then the background services (which stop agent processes).
    await http.close().catch(() => {});
    await server.stop().catch((err) => log.error({ err }, "stop failed"));
    await canvas.close?.().catch(() => {});
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(signal));
}

main().catch((error) => {
  log.fatal(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
