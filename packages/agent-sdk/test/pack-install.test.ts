/**
 * The SDK as a user gets it: `pnpm pack` of @molecule/contracts and @molecule/agent-sdk (pnpm, not
 * npm, because only pnpm turns "workspace:*"/"catalog:" into versions and applies publishConfig),
 * installed with `npm install` into an empty project that has nothing else (zod comes from the npm
 * registry as the contracts' dependency). There a plain Node script (no tsx, no TypeScript) runs an
 * agent against a real server: it registers and heartbeats → online. A TypeScript consumer in the
 * same project type-checks against the packed .d.ts files with nodenext resolution.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/src/root";
import { startTestServer, type TestServer, waitFor } from "../../api/src/testing";
import { createContext } from "../../api/src/trpc";

const sdkDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const contractsDir = resolve(sdkDir, "..", "contracts");
// pnpm as it ran this test (npm_execpath), else the one on PATH.
const pnpm = process.env.npm_execpath?.includes("pnpm")
  ? [process.execPath, process.env.npm_execpath]
  : ["pnpm"];

let project: string;
let ts: TestServer;

function run(cmd: string[], cwd: string, timeout = 180_000) {
  const [bin, ...args] = cmd;
  return execFileSync(bin!, args, { cwd, encoding: "utf8", timeout, stdio: ["ignore", "pipe", "pipe"] });
}

function packed(name: string) {
  const file = readdirSync(project).find((f) => f.startsWith(name) && f.endsWith(".tgz"));
  if (!file) throw new Error(`no ${name} tarball in ${project}`);
  return `./${file}`;
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "molecule-sdk-install-"));
  for (const dir of [contractsDir, sdkDir]) {
    run([...pnpm, "run", "build"], dir);
    run([...pnpm, "pack", "--pack-destination", project], dir);
  }
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "my-agent", private: true, type: "module" }),
  );
  run(
    [
      "npm",
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      packed("molecule-contracts-"),
      packed("molecule-agent-sdk-"),
    ],
    project,
  );
  ts = await startTestServer({ heartbeatIntervalMs: 200 });
}, 300_000);

afterAll(async () => {
  await ts?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the packed SDK in an empty project", () => {
  it("installs with only the two tarballs and zod: no server packages, built JS only", () => {
    const modules = join(project, "node_modules");
    expect(existsSync(join(modules, "@molecule", "agent-sdk", "dist", "index.js"))).toBe(true);
    expect(existsSync(join(modules, "@molecule", "agent-sdk", "dist", "index.d.ts"))).toBe(true);
    expect(existsSync(join(modules, "@molecule", "agent-sdk", "src"))).toBe(false);
    expect(existsSync(join(modules, "@molecule", "contracts", "dist", "index.js"))).toBe(true);
    expect(existsSync(join(modules, "zod"))).toBe(true);
    for (const absent of ["@molecule/api", "@molecule/db", "@trpc", "drizzle-orm", "tsx"])
      expect(existsSync(join(modules, absent)), absent).toBe(false);
  });

  it("a plain Node agent registers and heartbeats: the workspace is online", async () => {
    const operator = createCaller(createContext(ts.server.services, null, true));
    const { workspace, token } = await operator.workspace.create({ name: "packed sdk", external: true });
    writeFileSync(
      join(project, "agent.mjs"),
      `import { createAgentFromEnv } from "@molecule/agent-sdk";
import { HEARTBEAT_INTERVAL_MS } from "@molecule/contracts";
const agent = createAgentFromEnv({ agentCard: { name: "packed" }, heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS });
await agent.start();
console.log("registered", agent.status());
let beats = 0;
while (beats < 3) {
  await agent.runTask("packed task", () => new Promise((r) => setTimeout(r, 50)));
  const out = await agent.heartbeat();
  beats++;
  console.log("heartbeat", out.status, out.heartbeatIntervalMs);
}
agent.stop();
`,
    );
    const child = spawn(process.execPath, ["agent.mjs"], {
      cwd: project,
      env: {
        PATH: process.env.PATH,
        MOLECULE_PLATFORM_URL: ts.url,
        MOLECULE_WORKSPACE_ID: workspace.id,
        MOLECULE_WORKSPACE_TOKEN: token,
      },
    });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect(code, output).toBe(0);
    expect(output).toContain("registered online");
    expect(output.match(/heartbeat online 200/g)).toHaveLength(3);
    const view = await waitFor(async () =>
      (await operator.workspace.list()).find((w) => w.id === workspace.id),
    );
    expect(view.status).toBe("online");
    expect(view.lastHeartbeatAt).not.toBeNull();
  });

  it("a TypeScript consumer type-checks against the packed .d.ts (nodenext resolution)", () => {
    writeFileSync(
      join(project, "consumer.ts"),
      `import { type Agent, createAgentFromEnv } from "@molecule/agent-sdk";
import { HeartbeatOutputSchema, type WorkspaceStatus } from "@molecule/contracts";
const agent: Agent = createAgentFromEnv({}, { MOLECULE_PLATFORM_URL: "http://x", MOLECULE_WORKSPACE_ID: "w", MOLECULE_WORKSPACE_TOKEN: "t" });
export const rate: number = agent.heartbeatPayload().errorRate;
// @ts-expect-error a number is not a string: fails if the SDK's types resolved to any
export const wrong: string = agent.heartbeatPayload().errorRate;
export const status: WorkspaceStatus = HeartbeatOutputSchema.parse({ status: "online", heartbeatIntervalMs: 1, directives: [] }).status;
`,
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          lib: ["es2023", "dom"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["consumer.ts"],
      }),
    );
    const tsc = createRequire(join(sdkDir, "package.json")).resolve("typescript/bin/tsc");
    expect(() => run([process.execPath, tsc, "-p", "tsconfig.json"], project)).not.toThrow();
  });
});
