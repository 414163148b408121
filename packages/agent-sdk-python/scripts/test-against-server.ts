/**
 * Runs the Python SDK's tests (python3 -m unittest) against a real Molecule server: real HTTP and a
 * fresh database (Postgres when DATABASE_URL is set, else in-memory PGlite). The tests drive the
 * operator API over HTTP with the admin token this script sets, so each creates its own workspaces.
 * Exits with unittest's exit code.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestServer } from "@molecule/api/testing";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const python = process.env.PYTHON ?? "python3";
const adminToken = randomBytes(32).toString("base64url");

// A short heartbeat interval so directives and status changes arrive within a test's patience.
const server = await startTestServer({ heartbeatIntervalMs: 200, adminToken });
let code = 1;
try {
  const child = spawn(python, ["-m", "unittest", "discover", "-s", "tests", "-t", ".", "-v"], {
    cwd: packageDir,
    stdio: "inherit",
    env: {
      ...process.env,
      PYTHONDONTWRITEBYTECODE: "1",
      MOLECULE_TEST_PLATFORM_URL: server.url,
      MOLECULE_TEST_ADMIN_TOKEN: adminToken,
    },
  });
  code = await new Promise<number>((resolve) => {
    child.on("error", (error) => {
      console.error(`could not start ${python}: ${error.message}`);
      resolve(1);
    });
    child.on("exit", (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
} finally {
  await server.close();
}
process.exit(code);
