import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, secretsKeyCheck, workspaceSecrets } from "@molecule/db";
import { createTestDatabase, type TestDatabase } from "@molecule/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, type ServerConfig } from "../src/config";
import { startServer } from "../src/server";
import { secretsKeyId } from "../src/services/secrets-crypto";
import { checkSecretsKey } from "../src/services/secrets-key-check";
import { operator } from "./helpers";

// SPEC §5 [r2]: the database remembers which key encrypted its secrets; a server with another key
// refuses to start and names SECRETS_ENCRYPTION_KEY.
const KEY_A = Buffer.alloc(32, 1).toString("base64");
const KEY_B = Buffer.alloc(32, 2).toString("base64");

let db: TestDatabase;
let dataDir: string;
const previousDataDir = process.env.MOLECULE_DATA_DIR;

beforeAll(() => {
  // A missing key falls back to a key file in the data directory: keep that out of the repo.
  dataDir = mkdtempSync(join(tmpdir(), "molecule-keycheck-"));
  process.env.MOLECULE_DATA_DIR = dataDir;
});
afterAll(() => {
  if (previousDataDir === undefined) delete process.env.MOLECULE_DATA_DIR;
  else process.env.MOLECULE_DATA_DIR = previousDataDir;
  rmSync(dataDir, { recursive: true, force: true });
});
beforeAll(async () => {
  db = await createTestDatabase();
});
// One database for the file (PGlite starts slowly); each test starts without secrets or key check.
beforeEach(async () => {
  await db.handle.db.delete(workspaceSecrets);
  await db.handle.db.delete(secretsKeyCheck);
});
afterAll(async () => {
  await db?.drop();
});

const config = (secretsKey: string | undefined): ServerConfig => ({
  ...loadConfig({}),
  provisioner: "none",
  demo: false,
  secretsKey,
});

async function start(secretsKey: string | undefined) {
  return startServer(config(secretsKey), { handle: db.handle, background: false });
}

async function withSecret(secretsKey: string) {
  const server = await start(secretsKey);
  const ts = { server } as Parameters<typeof operator>[0];
  await operator(ts).workspace.create({ name: "w", external: true, secrets: { API_KEY: "sk-1" } });
  await server.stop();
}

describe("the secrets key check", () => {
  it("records the key id with each value and in the key check row", async () => {
    await withSecret(KEY_A);
    const id = secretsKeyId(Buffer.from(KEY_A, "base64"));
    const [row] = await db.handle.db.select().from(workspaceSecrets);
    expect(row?.keyId).toBe(id);
    expect(await db.handle.db.select({ keyId: secretsKeyCheck.keyId }).from(secretsKeyCheck)).toEqual([
      { keyId: id },
    ]);
    expect(id).not.toContain(KEY_A);
  });

  it("a server started with another key refuses to start, naming SECRETS_ENCRYPTION_KEY", async () => {
    await withSecret(KEY_A);
    await expect(start(KEY_B)).rejects.toThrow(/SECRETS_ENCRYPTION_KEY/);
    await expect(start(KEY_B)).rejects.toThrow(/encrypted with another key/);
    const again = await start(KEY_A); // the right key still starts
    await again.stop();
  });

  it("without secrets, another key is simply recorded (nothing to lose)", async () => {
    const first = await start(KEY_A);
    await first.stop();
    const second = await start(KEY_B);
    await second.stop();
    const [check] = await db.handle.db.select().from(secretsKeyCheck);
    expect(check?.keyId).toBe(secretsKeyId(Buffer.from(KEY_B, "base64")));
  });

  it("values from before the key check: the key must open them, then it is recorded", async () => {
    await withSecret(KEY_A);
    await db.handle.db.delete(secretsKeyCheck);
    await db.handle.db.update(workspaceSecrets).set({ keyId: null });
    await expect(start(KEY_B)).rejects.toThrow(/cannot decrypt the stored secrets.*SECRETS_ENCRYPTION_KEY/);
    const server = await start(KEY_A);
    await server.stop();
    const [row] = await db.handle.db.select().from(workspaceSecrets);
    expect(row?.keyId).toBe(secretsKeyId(Buffer.from(KEY_A, "base64")));
  });

  it("Postgres holding secrets and no SECRETS_ENCRYPTION_KEY: refuses, naming it", async () => {
    await withSecret(KEY_A);
    const key = Buffer.from(KEY_A, "base64");
    await expect(checkSecretsKey(db.handle.db, key, { configured: false, postgres: true })).rejects.toThrow(
      /SECRETS_ENCRYPTION_KEY is not set/,
    );
    // Embedded (PGlite) keeps its key file next to its data: that is allowed.
    await checkSecretsKey(db.handle.db, key, { configured: false, postgres: false });
    if (db.handle.kind === "postgres")
      await expect(start(undefined)).rejects.toThrow(/SECRETS_ENCRYPTION_KEY/);
    const rows = await db.handle.db
      .select()
      .from(workspaceSecrets)
      .where(eq(workspaceSecrets.key, "API_KEY"));
    expect(rows).toHaveLength(1);
  });
});
