/** The runtime registry starts the demo agent from built JS (SPEC §9: no tsx at run time). */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "@molecule/db";
import { afterAll, describe, expect, it } from "vitest";
import { demoRuntime } from "../src/services/runtimes";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "molecule-runtimes-"));
  dirs.push(dir);
  return dir;
};

describe("the demo runtime", () => {
  it("is `node apps/agent/dist/main.js` once built: no loader, no TypeScript", () => {
    const root = tempDir();
    mkdirSync(join(root, "apps", "agent", "dist"), { recursive: true });
    writeFileSync(join(root, "apps", "agent", "dist", "main.js"), "");
    const built = join(root, "apps", "agent", "dist", "main.js");
    // A self-contained bundle: as root the provisioner may run a readable copy of it.
    expect(demoRuntime(root)).toEqual({ command: process.execPath, args: [built], bundle: built });
  });

  it("falls back to the TypeScript source with tsx only when nothing was built", () => {
    const spec = demoRuntime(tempDir());
    expect(spec.args[0]).toBe("--import");
    expect(spec.args.at(-1)).toMatch(/apps[/\\]agent[/\\]src[/\\]main\.ts$/);
  });

  it("the built agent runs with plain node from any directory, with nothing but PATH", () => {
    const built = join(repoRoot(), "apps", "agent", "dist", "main.js");
    expect(existsSync(built), "build it first: pnpm --filter @molecule/agent build").toBe(true);
    const spec = demoRuntime();
    expect(spec.args).toEqual([built]);
    const result = spawnSync(spec.command, spec.args, {
      cwd: tempDir(),
      env: { PATH: process.env.PATH },
      encoding: "utf8",
      timeout: 30_000,
    });
    // It got as far as reading its environment: the bundle loaded without tsx or node_modules.
    expect(result.stderr).toContain("Missing environment for the agent: MOLECULE_PLATFORM_URL");
    expect(result.status).toBe(1);
  });
});
