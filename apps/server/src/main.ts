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
import { assertSafeBinding, listen, loadConfig, startServer } from "@molecule/api/server";

const dev = process.argv.includes("--dev");
// Next reads NODE_ENV when it loads; it must be set before the import below.
(process.env as Record<string, string>).NODE_ENV ??= dev ? "development" : "production";

async function main() {
  const config = loadConfig();
  assertSafeBinding(config); // before anything slow: say at once why it will not listen there
  const require = createRequire(import.meta.url);
  const canvasDir = dirname(require.resolve("@molecule/canvas/package.json"));
  const { default: next } = await import("next");
  const canvas = next({ dev, dir: canvasDir, hostname: config.host, port: config.port });
  const renderCanvas = canvas.getRequestHandler();
  await canvas.prepare();

  const server = await startServer(config, { fallback: (req, res) => renderCanvas(req, res) });
  const http = await listen(server.listener, config.host, config.port);
  console.log(`[molecule] listening on ${http.url} (${server.services.handle.kind})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[molecule] ${signal}: stopping`);
    // Stop taking requests first, then the background services (which stop agent processes).
    await http.close().catch(() => {});
    await server.stop().catch((error) => console.error("[molecule] stop failed", error));
    await canvas.close?.().catch(() => {});
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => void stop(signal));
}

main().catch((error) => {
  console.error("[molecule] could not start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
