/**
 * Agent process isolation with real processes (SPEC §7 [r2]): an allow-listed environment; as
 * root, agents run as MOLECULE_AGENT_USER (nobody) and can read neither the data directory nor the
 * server's environment; a crash is the process's exit even when a grandchild holds its stdout;
 * stop kills the whole process group; a start error fails the workspace at once.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLocalProvisioner, type LocalProvisioner } from "../src/services/provisioner";
import { resolveAgentUser, runningAsRoot } from "../src/services/provisioner/agent-user";
import { demoRuntime } from "../src/services/runtimes";
import { alive, operator, startTestServer, type TestServer, waitFor, waitForStatus } from "./helpers";

let ts: TestServer;
let provisioner: LocalProvisioner;
let dir: string;
let dataDir: string;
const spawned = new Set<number>();
const created: string[] = [];

// Runs as the agent: tries the server's environment and the data directory, and prints what it got.
const PROBE = `
const fs = require("node:fs");
const read = (f) => { try { return "READ " + fs.readFileSync(f, "utf8").slice(0, 400); } catch (e) { return e.code; } };
const list = (d) => { try { return "LISTED " + fs.readdirSync(d).join(","); } catch (e) { return e.code; } };
let homeWritable;
try { fs.writeFileSync(process.env.HOME + "/probe.txt", "x"); homeWritable = true; } catch (e) { homeWritable = e.code; }
console.log(JSON.stringify({
  uid: process.getuid(),
  parentEnviron: read("/proc/" + process.ppid + "/environ"),
  dataDir: list(process.env.PROBE_DATA_DIR),
  secretsKey: read(process.env.PROBE_DATA_DIR + "/secrets.key"),
  home: process.env.HOME,
  cwd: process.cwd(),
  homeWritable,
  env: Object.keys(process.env).sort(),
}));
setInterval(() => {}, 1000);
`;

// Starts a grandchild that inherits (and so holds) stdout, prints its pid, then exits with 5.
const ORPHANING = `
const { spawn } = require("node:child_process");
const g = spawn("sleep", ["30"], { stdio: ["ignore", "inherit", "inherit"] });
console.log("grandchild " + g.pid);
setTimeout(() => process.exit(5), 300);
`;

// Starts a grandchild in its process group and stays alive.
const FAMILY = `
const { spawn } = require("node:child_process");
const g = spawn("sleep", ["30"], { stdio: "ignore" });
console.log("grandchild " + g.pid);
setInterval(() => {}, 1000);
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "molecule-isolation-"));
  chmodSync(dir, 0o711); // the agent user passes through to its workspace directory
  dataDir = join(dir, "data");
  mkdirSync(dataDir, { mode: 0o755 }); // too open on purpose: the provisioner makes it 0700
  writeFileSync(join(dataDir, "secrets.key"), "server-secret-key", { mode: 0o644 });
  const notExecutable = join(dir, "not-executable.sh");
  writeFileSync(notExecutable, "#!/bin/sh\necho hi\n", { mode: 0o644 });
  // A self-contained ESM script where only root can enter (like a checkout under /root).
  const locked = join(dir, "root-only");
  mkdirSync(locked, { mode: 0o700 });
  const lockedScript = join(locked, "agent.js");
  writeFileSync(
    lockedScript,
    'import { userInfo } from "node:os";\nconsole.log("bundle-ran " + userInfo().uid);\nsetInterval(() => {}, 1000);\n',
  );
  const runtimesFile = join(dir, "runtimes.json");
  const node = (script: string, env?: Record<string, string>) => ({
    command: process.execPath,
    args: ["-e", script],
    env,
  });
  writeFileSync(
    runtimesFile,
    JSON.stringify({
      probe: node(PROBE, { PROBE_DATA_DIR: dataDir }),
      orphaning: node(ORPHANING),
      family: node(FAMILY),
      "not-executable": { command: notExecutable, args: [] },
      "no-such-binary": { command: join(dir, "missing-binary"), args: [] },
      "locked-bundle": { command: process.execPath, args: [lockedScript], bundle: lockedScript },
    }),
  );
  ts = await startTestServer({ heartbeatIntervalMs: 200, runtimesFile });
  provisioner = createLocalProvisioner(ts.server.services, {
    platformUrl: ts.url,
    graceMs: 2_000,
    restartBackoffMs: 100,
    workspacesRoot: join(dir, "workspaces"),
    dataDir,
    baseEnv: { ...process.env, DATABASE_URL: "postgres://secret@db/x", NODE_OPTIONS: "--no-warnings" },
    onSpawn: (_id, pid) => spawned.add(pid),
  });
  ts.server.services.processes = provisioner;
});

afterEach(async () => {
  for (const id of created.splice(0)) await provisioner.stopAndWait(id);
  await waitFor(async () => [...spawned].every((pid) => !alive(pid)), { what: "no agent left" });
});

afterAll(async () => {
  await provisioner?.stopAll();
  await ts?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function create(runtime: string) {
  const { workspace } = await operator(ts).workspace.create({ name: runtime, runtime });
  created.push(workspace.id);
  return workspace.id;
}

const stdout = (id: string, prefix: string) =>
  waitFor(
    async () => provisioner.logs(id).find((l) => l.stream === "stdout" && l.line.startsWith(prefix))?.line,
    {
      what: `a "${prefix}" line`,
    },
  );

describe("agent process isolation", () => {
  it("the environment is the allow-list; HOME is the workspace directory, which the agent can write", async () => {
    const id = await create("probe");
    const probe = JSON.parse(await stdout(id, "{"));
    const expectedHome = join(dir, "workspaces", id);
    expect(probe.home).toBe(expectedHome);
    expect(probe.cwd).toBe(expectedHome);
    expect(probe.homeWritable).toBe(true);
    const allowed = /^(PATH|LANG|LC_.*|TZ|TMPDIR|HOME|MOLECULE_.*|PROBE_DATA_DIR)$/;
    expect(probe.env.filter((k: string) => !allowed.test(k))).toEqual([]);
    expect(probe.env).not.toContain("DATABASE_URL");
    expect(probe.env).not.toContain("NODE_OPTIONS");
  });

  it.skipIf(!runningAsRoot())(
    "as root, the agent runs as nobody and reads neither the server's /proc environ nor the data directory",
    async () => {
      const id = await create("probe");
      const probe = JSON.parse(await stdout(id, "{"));
      expect(probe.uid).toBe(resolveAgentUser("nobody")?.uid);
      expect(probe.parentEnviron).toBe("EACCES");
      expect(probe.dataDir).toBe("EACCES");
      expect(probe.secretsKey).toBe("EACCES");
      expect(provisioner.logs(id).some((l) => l.line.includes("as nobody"))).toBe(true);
    },
  );

  it.skipIf(!runningAsRoot())(
    "a bundled runtime the agent user cannot read where it lies runs from a readable copy",
    async () => {
      const id = await create("locked-bundle");
      const line = await stdout(id, "bundle-ran ");
      expect(Number(line.split(" ")[1])).toBe(resolveAgentUser("nobody")?.uid);
    },
  );

  it.skipIf(!runningAsRoot())("the demo agent still starts and goes online as nobody", async () => {
    const { workspace } = await operator(ts).workspace.create({ name: "demo", runtime: "demo" });
    created.push(workspace.id);
    await waitForStatus(ts, workspace.id, "online", 60_000);
    expect(demoRuntime().command).toBe(process.execPath);
  });

  it("a crash is the exit, even while a grandchild holds stdout; the grandchild is killed too", async () => {
    const started = Date.now();
    const id = await create("orphaning");
    const grandchild = Number((await stdout(id, "grandchild ")).split(" ")[1]);
    const failed = await waitForStatus(ts, id, "failed", 10_000);
    expect(Date.now() - started).toBeLessThan(10_000); // the grandchild would hold stdout for 30 s
    expect(failed.statusReason).toMatch(/exited with code 5/);
    await waitFor(async () => !alive(grandchild), { what: "the grandchild gone" });
  });

  it("stop kills the whole process group", async () => {
    const id = await create("family");
    const grandchild = Number((await stdout(id, "grandchild ")).split(" ")[1]);
    expect(alive(grandchild)).toBe(true);
    await provisioner.stopAndWait(id);
    await waitFor(async () => !alive(grandchild), { what: "the grandchild gone", timeoutMs: 3_000 });
  });

  it.each([
    ["not-executable", /EACCES/],
    ["no-such-binary", /ENOENT/],
  ])("a start error (%s) fails the workspace at once with that error", async (runtime, error) => {
    const id = await create(runtime);
    const failed = await waitForStatus(ts, id, "failed", 5_000);
    expect(failed.statusReason).toMatch(new RegExp(`Could not start runtime "${runtime}"`));
    expect(failed.statusReason).toMatch(error);
  });
});
