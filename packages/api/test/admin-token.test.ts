import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "@molecule/db/testing";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { listen } from "../src/http/entry";
import { startServer } from "../src/server";
import { ADMIN_TOKEN_FILE, ensureAdminToken } from "../src/services/admin-token";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "molecule-admin-token-"));
  dirs.push(dir);
  return join(dir, "data"); // not there yet: the server makes it
}

const base = { ...loadConfig({}), port: 3000 };

describe("a generated admin token (no ADMIN_TOKEN set)", () => {
  it("is generated once into the data directory with mode 0600, reused later, and printed as a sign-in link", () => {
    const dir = tempDir();
    const lines: string[] = [];
    const first = ensureAdminToken(base, { dir, log: (l) => lines.push(l) });
    const token = first.adminToken!;
    expect(token.length).toBeGreaterThanOrEqual(32);
    const file = join(dir, ADMIN_TOKEN_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim()).toBe(token);
    expect(lines.join("\n")).toContain(`http://127.0.0.1:3000/sign-in#token=${token}`);

    const second = ensureAdminToken(base, { dir, log: () => {} });
    expect(second.adminToken).toBe(token);
  });

  it("narrows a kept file that others could read, and refuses a kept token that is too short", () => {
    const dir = tempDir();
    const token = ensureAdminToken(base, { dir, log: () => {} }).adminToken;
    const file = join(dir, ADMIN_TOKEN_FILE);
    chmodSync(file, 0o644);
    expect(ensureAdminToken(base, { dir, log: () => {} }).adminToken).toBe(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, "short\n");
    expect(() => ensureAdminToken(base, { dir, log: () => {} })).toThrow(/at least 32/);
  });

  it("an explicit ADMIN_TOKEN wins and nothing is written", () => {
    const dir = tempDir();
    const config = ensureAdminToken({ ...base, adminToken: "e".repeat(32) }, { dir, log: () => {} });
    expect(config.adminToken).toBe("e".repeat(32));
    expect(() => statSync(join(dir, ADMIN_TOKEN_FILE))).toThrow();
  });

  it("a non-loopback HOST still needs ADMIN_TOKEN set explicitly", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.10", "molecule.example.com"]) {
      expect(() => ensureAdminToken({ ...base, host }, { dir: tempDir(), log: () => {} })).toThrow(
        /without ADMIN_TOKEN/,
      );
      expect(ensureAdminToken({ ...base, host, adminToken: "h".repeat(40) }).adminToken).toBe("h".repeat(40));
    }
  });

  it("a server started without ADMIN_TOKEN answers operator calls with the token from MOLECULE_DATA_DIR only", async () => {
    const dir = tempDir();
    const previous = process.env.MOLECULE_DATA_DIR;
    process.env.MOLECULE_DATA_DIR = dir;
    const db = await createTestDatabase({ migrate: false });
    try {
      const config = {
        ...base,
        provisioner: "none" as const,
        demo: false,
        secretsKey: Buffer.alloc(32, 1).toString("base64"),
      };
      const server = await startServer(config, { handle: db.handle, background: false });
      const http = await listen(server.listener, "127.0.0.1", 0);
      try {
        const token = readFileSync(join(dir, ADMIN_TOKEN_FILE), "utf8").trim();
        expect(server.services.config.adminToken).toBe(token);
        const list = (auth?: string) =>
          fetch(`${http.url}/api/trpc/workspace.list`, {
            headers: auth ? { authorization: `Bearer ${auth}` } : {},
          });
        expect((await list()).status).toBe(401);
        expect((await list(token)).status).toBe(200);
      } finally {
        await http.close();
        await server.stop();
      }
    } finally {
      if (previous === undefined) delete process.env.MOLECULE_DATA_DIR;
      else process.env.MOLECULE_DATA_DIR = previous;
      await db.drop();
    }
  });
});
