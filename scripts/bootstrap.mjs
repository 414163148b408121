#!/usr/bin/env node
// The README's two commands, for a bare machine with only Node 20 and npm:
//   npm run app   → install, build, serve the canvas on the embedded database with the demo org
//   npm test      → install, then lint, typecheck, unit + integration tests, end-to-end tests
// pnpm is used from PATH when present, otherwise fetched with `npx pnpm@10` (Corepack's signature
// check fails on some machines, so we do not rely on it).
import { execSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mode = process.argv[2];

function has(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

const pnpmOk = has("pnpm") && /^10\./.test(execSync("pnpm --version", { encoding: "utf8" }).trim());
const pnpm = pnpmOk ? ["pnpm"] : ["npx", "-y", "pnpm@10"];

function run(args, env = {}) {
  const [cmd, ...rest] = [...pnpm, ...args];
  console.log(`\n▶ ${[...pnpm, ...args].join(" ")}`);
  const result = spawnSync(cmd, rest, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(
    Boolean,
  );
  return candidates.find((p) => existsSync(p));
}

function ensureChromium() {
  if (chromiumPath()) return;
  // End-to-end tests drive Debian's Chromium (no browser downloads). Install it when we can.
  if (process.getuid?.() === 0 && has("apt-get")) {
    console.log("\n▶ Chromium not found: installing Debian's chromium package");
    execSync("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium", {
      stdio: "inherit",
    });
  }
  if (!chromiumPath()) {
    console.error(
      "End-to-end tests need Chromium: install Debian's `chromium` package or set CHROMIUM_PATH.",
    );
    process.exit(1);
  }
}

const install = ["install", "--frozen-lockfile", "--config.confirmModulesPurge=false"];
const noDownload = { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" };

if (mode === "app") {
  run(install, noDownload);
  run(["build"]);
  run(["start"]);
} else if (mode === "test") {
  ensureChromium();
  run(install, noDownload);
  run(["lint"]);
  run(["typecheck"]);
  run(["test:unit"]);
  run(["test:e2e"], { CHROMIUM_PATH: chromiumPath() });
} else {
  console.error("usage: node scripts/bootstrap.mjs app|test");
  process.exit(2);
}
