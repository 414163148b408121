#!/usr/bin/env node
// Serves the built canvas + API on HOST:PORT (SPEC §9). Refuses a non-loopback HOST without
// ADMIN_TOKEN before Next even starts, so the operator sees why instead of an open control plane.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const host = process.env.HOST || "127.0.0.1";
const port = process.env.PORT || "3000";
const loopback =
  host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);

if (!loopback && !process.env.ADMIN_TOKEN) {
  console.error(
    `Refusing to start on HOST=${host} without ADMIN_TOKEN: anyone who can reach it could control every agent.\n` +
      "Set ADMIN_TOKEN to a long random secret, or use HOST=127.0.0.1.",
  );
  process.exit(1);
}

const appDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(appDir, "package.json"));
const nextBin = require.resolve("next/dist/bin/next");

const child = spawn(process.execPath, [nextBin, "start", "--hostname", host, "--port", port], {
  cwd: appDir,
  stdio: "inherit",
  env: process.env,
});

// Forward termination so `next start` (and the agent processes it supervises) shut down cleanly.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
