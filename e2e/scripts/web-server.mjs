#!/usr/bin/env node
// The e2e web server: a fresh database per run, then the production canvas (`pnpm start`).
//
// Why a wrapper and not globalSetup: Playwright starts `webServer` before globalSetup runs, so a
// database made in globalSetup could not be handed to the server. This script owns the database's
// whole life instead: create → serve → (SIGTERM from Playwright) → stop the server → drop it.
//   DATABASE_URL set   → CREATE DATABASE molecule_e2e_<random> on that server, dropped afterwards.
//   DATABASE_URL unset → embedded PGlite in a fresh temp dir (MOLECULE_DATA_DIR), removed afterwards.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const env = { ...process.env };
const dataDir = mkdtempSync(join(tmpdir(), "molecule-e2e-"));
env.MOLECULE_DATA_DIR = dataDir;

const adminUrl = process.env.DATABASE_URL || "";
const dbName = adminUrl ? `molecule_e2e_${randomBytes(6).toString("hex")}` : "";

async function admin(statement) {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (adminUrl) {
  await admin(`CREATE DATABASE "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  env.DATABASE_URL = url.toString();
  console.log(`[e2e] fresh Postgres database ${dbName}`);
} else {
  delete env.DATABASE_URL;
  console.log(`[e2e] fresh embedded PGlite in ${dataDir}`);
}

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  if (adminUrl) {
    // FORCE: a server killed mid-request may leave a connection behind (Postgres 13+).
    await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch((e) =>
      console.error(`[e2e] could not drop ${dbName}: ${e.message}`),
    );
  }
  rmSync(dataDir, { recursive: true, force: true });
}

const server = spawn("pnpm", ["--filter", "@molecule/server", "start"], {
  cwd: repoRoot,
  env,
  stdio: "inherit",
});

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    stopping = true;
    server.kill(signal);
  });
}
server.on("exit", async (code) => {
  await cleanup();
  process.exit(stopping ? 0 : (code ?? 1));
});
