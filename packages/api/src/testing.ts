import { createTestDatabase, type TestDatabase } from "@molecule/db/testing";
import { loadConfig, type ServerConfig } from "./config";
import { listen } from "./http/entry";
import { type RunningServer, type StartOptions, startServer } from "./server";

/** The admin token every test server starts with: test callers send it as a bearer. */
export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdefghijklmnop";

export interface TestServer {
  /** Base URL of a real HTTP server: the server's own entry, as in production, without the canvas. */
  url: string;
  server: RunningServer;
  db: TestDatabase;
  config: ServerConfig;
  close(): Promise<void>;
}

/**
 * A real server on a random loopback port with its own fresh database (Postgres when
 * DATABASE_URL is set, else in-memory PGlite). Short timeouts can be passed for liveness tests.
 */
export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  options: Pick<StartOptions, "sweeper" | "provisionerLeaseMs" | "log"> & {
    /** A Postgres server other than DATABASE_URL's for the fresh database (a test's own cluster). */
    databaseUrl?: string;
  } = {},
): Promise<TestServer> {
  const { databaseUrl, ...startOptions } = options;
  const db = await createTestDatabase({ migrate: false, baseUrl: databaseUrl });
  const config: ServerConfig = {
    ...loadConfig({}),
    provisioner: "none",
    demo: false,
    secretsKey: Buffer.alloc(32, 7).toString("base64"),
    adminToken: TEST_ADMIN_TOKEN,
    ...overrides,
  };
  // No sweeper of its own unless asked: liveness tests drive their sweeps explicitly.
  const server = await startServer(config, {
    ...startOptions,
    handle: db.handle,
    sweeper: options.sweeper ?? false,
  });
  const http = await listen(server.listener, "127.0.0.1", 0);
  return {
    url: http.url,
    server,
    db,
    config: server.services.config,
    async close() {
      await http.close();
      await server.stop();
      await db.drop();
    },
  };
}

/** Polls until `check` returns a truthy value (returned) or the time runs out (throws). */
export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  { timeoutMs = 10_000, intervalMs = 20, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
