import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "./support/chromium";
import { E2E_ADMIN_TOKEN, OPERATOR_STATE } from "./support/operator";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${PORT}`;

// https://playwright.dev/docs/test-configuration · https://playwright.dev/docs/test-webserver
export default defineConfig({
  testDir: "./tests",
  // One server, one database: tests run in file order (01-empty first) in a single worker.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // Generous: CI machines here are shared and slow; nothing asserts a duration.
  timeout: 90_000,
  expect: { timeout: 20_000 },
  // CI: a stray test.only fails the run instead of silently skipping every other test.
  forbidOnly: !!process.env.CI,
  // CI also writes a JSON report that scripts/test-counts.mjs prints with the unit test counts.
  reporter: process.env.TEST_REPORT_DIR
    ? [
        ["list"],
        [
          "json",
          {
            outputFile: join(
              process.env.TEST_REPORT_DIR,
              `e2e.${process.env.TEST_LEG || "local"}.playwright.json`,
            ),
          },
        ],
      ]
    : [["list"]],
  outputDir: "./test-results",
  // Signs in through the sign-in page once; every spec's browser starts with that session.
  globalSetup: "./global-setup.ts",
  use: {
    baseURL,
    storageState: OPERATOR_STATE,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    viewport: { width: 1440, height: 900 },
    // System Chromium only: browsers are never downloaded here.
    launchOptions: {
      executablePath: CHROMIUM_EXECUTABLE,
      args: CHROMIUM_ARGS,
    },
  },
  webServer: {
    // Creates a fresh database, runs the production build (`pnpm --filter @molecule/server start`),
    // drops the database when Playwright stops it. See scripts/web-server.mjs.
    command: "node scripts/web-server.mjs",
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    stdout: "pipe",
    stderr: "pipe",
    env: {
      HOST: "127.0.0.1",
      PORT: String(PORT),
      MOLECULE_DEMO: "0",
      // Operator auth is always on: a known token so the specs can sign in like a user.
      ADMIN_TOKEN: E2E_ADMIN_TOKEN,
      // Real agent processes: the restart specs drive the demo runtime through the local provisioner.
      MOLECULE_PROVISIONER: "local",
      // Runtimes that cannot come up, for the failed card (12-status-colours.spec.ts).
      MOLECULE_RUNTIMES_FILE: fileURLToPath(new URL("./support/runtimes.json", import.meta.url)),
      // Agents report every 2 s so a wedge shows within seconds; the server tells them this cadence.
      HEARTBEAT_INTERVAL_MS: "2000",
      // Short enough that offline/failed paths are reachable in a test, long enough not to flap.
      OFFLINE_AFTER_MS: process.env.OFFLINE_AFTER_MS ?? "30000",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
