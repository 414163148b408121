/**
 * The local provisioner with real processes over real HTTP (SPEC §7): the demo runtime, crashes,
 * crash loops, wedges, restarts, the liveness sweep, and no orphans. Database: Postgres when
 * DATABASE_URL is set, else in-memory PGlite.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WorkspaceView } from "@molecule/contracts";
import { createDb } from "@molecule/db";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { transition } from "../src/domain/status-machine";
import { createCaller } from "../src/root";
import { startServer } from "../src/server";
import { casUpdate } from "../src/services/cas";
import { createLocalProvisioner, type LocalProvisioner } from "../src/services/provisioner";
import { demoRuntime } from "../src/services/runtimes";
import { type Sweeper, startSweeper } from "../src/services/sweeper";
import { createContext } from "../src/trpc";
import {
  alive,
  eventsOf,
  ON_POSTGRES,
  operator,
  startTestServer,
  type TestServer,
  trpc,
  waitFor,
} from "./helpers";

let ts: TestServer;
let provisioner: LocalProvisioner;
let sweeper: Sweeper | null = null;
let dir: string;
const spawned = new Set<number>();
const created: string[] = [];
const externals: ChildProcess[] = [];

const demo = demoRuntime();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "molecule-provisioner-"));
  chmodSync(dir, 0o711); // as root, agents run as nobody and pass through to their workspace dirs
  const runtimesFile = join(dir, "runtimes.json");
  writeFileSync(
    runtimesFile,
    JSON.stringify({
      "exit-at-once": {
        command: process.execPath,
        args: ["-e", "console.error('boom: no model weights'); process.exit(3)"],
      },
      "wedged-demo": { command: demo.command, args: demo.args, env: { DEMO_WEDGE_AFTER_SECONDS: "0" } },
      "crashy-demo": { command: demo.command, args: demo.args, env: { DEMO_CRASH_AFTER_SECONDS: "0.5" } },
      "env-dump": {
        command: process.execPath,
        args: ["-e", "console.log(JSON.stringify(process.env)); setInterval(() => {}, 1000)"],
      },
      "no-such-binary": { command: "/nonexistent/molecule-runtime", args: [] },
    }),
  );
  ts = await startTestServer({
    heartbeatIntervalMs: 200,
    offlineAfterMs: 1_500,
    sweepIntervalMs: 200,
    runtimesFile,
  });
  provisioner = createLocalProvisioner(ts.server.services, {
    platformUrl: ts.url,
    graceMs: 2_000,
    restartBackoffMs: 100,
    workspacesRoot: join(dir, "workspaces"),
    dataDir: join(dir, "data"),
    baseEnv: {
      ...process.env,
      DATABASE_URL: "postgres://secret@db/x",
      SECRETS_ENCRYPTION_KEY: "server-secret",
    },
    onSpawn: (_id, pid) => spawned.add(pid),
  });
  ts.server.services.processes = provisioner;
});

afterEach(async () => {
  await sweeper?.stop();
  sweeper = null;
  for (const child of externals.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
  }
  for (const id of created.splice(0)) await provisioner.stopAndWait(id);
  // No agent process is left running after a test.
  const leftover = () => [...spawned].filter(alive);
  await waitFor(async () => leftover().length === 0, {
    what: "every agent process gone",
    timeoutMs: 5_000,
  }).catch((error) => {
    throw new Error(`${error.message}: still running ${leftover().join(", ")}`);
  });
  expect(provisioner.pids()).toEqual([]);
});

afterAll(async () => {
  await provisioner?.stopAll();
  expect([...spawned].filter(alive)).toEqual([]);
  await ts?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function create(input: Record<string, unknown> = {}) {
  const { workspace, token } = await operator(ts).workspace.create({ name: "agent", ...input });
  created.push(workspace.id);
  return { id: workspace.id, token };
}

async function view(id: string): Promise<WorkspaceView> {
  const all = await operator(ts).workspace.list();
  const found = all.find((w) => w.id === id);
  if (!found) throw new Error(`workspace ${id} not listed`);
  return found;
}

function waitStatus(id: string, status: string, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const v = await view(id);
      return v.status === status ? v : null;
    },
    { what: `${id} ${status}`, timeoutMs, intervalMs: 50 },
  );
}

/**
 * Waits until `count` heartbeats have landed after this call: each one moves lastHeartbeatAt past
 * the previous value (only register and heartbeats write it, and register happened before). The
 * time between is the agent's own cadence, so "still X a few heartbeats later" waits on the agent,
 * not on a guessed sleep. Returns the view after the last of them.
 */
async function afterHeartbeats(id: string, count: number): Promise<WorkspaceView> {
  let last = Date.parse((await view(id)).lastHeartbeatAt ?? "1970-01-01T00:00:00Z");
  let latest: WorkspaceView | null = null;
  for (let i = 0; i < count; i++) {
    latest = await waitFor(
      async () => {
        const v = await view(id);
        return v.lastHeartbeatAt && Date.parse(v.lastHeartbeatAt) > last ? v : null;
      },
      { what: `heartbeat ${i + 1} of ${count} from ${id}`, intervalMs: 25 },
    );
    last = Date.parse(latest.lastHeartbeatAt!);
  }
  return latest!;
}

async function control(id: string, action: string, value?: unknown) {
  const { url } = await view(id);
  const res = await fetch(`${url}/control`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ action, value }),
  });
  expect(res.status).toBe(200);
}

describe("local provisioner", () => {
  it("runs the demo runtime: it registers, goes online, serves its card and message/send", async () => {
    const ws = await create();
    const online = await waitStatus(ws.id, "online");
    expect(provisioner.pid(ws.id)).toBeTypeOf("number");
    expect(online.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const card = await (await fetch(`${online.url}/.well-known/agent-card.json`)).json();
    expect(card).toMatchObject({
      name: "agent",
      url: online.url,
      skills: [expect.objectContaining({ id: "word-count" })],
    });
    const rpc = await fetch(online.url!, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "message/send",
        params: {
          message: { role: "user", messageId: "m1", parts: [{ kind: "text", text: "three little words" }] },
        },
      }),
    });
    const reply = (await rpc.json()) as { result: { parts: { text: string }[] } };
    expect(reply.result.parts[0]?.text).toBe("3 words: three little words");

    // It keeps reporting: a heartbeat after register moves lastHeartbeatAt past the register time
    // and carries the process's uptime (register alone leaves it 0). Logs are captured.
    const registeredAt = Date.parse(online.lastHeartbeatAt!);
    const beat = await waitFor(
      async () => {
        const v = await view(ws.id);
        return Date.parse(v.lastHeartbeatAt!) > registeredAt && v.uptimeSeconds > 0 ? v : null;
      },
      { what: "a heartbeat with the process's uptime", intervalMs: 50 },
    );
    expect(beat.status).toBe("online");
    const logs = provisioner.logs(ws.id);
    expect(logs.some((l) => l.stream === "stdout" && l.line.includes("registered"))).toBe(true);
    expect(logs.some((l) => l.stream === "system" && l.line.startsWith("started pid"))).toBe(true);
    expect(await operator(ts).workspace.logs({ id: ws.id })).toEqual(
      expect.arrayContaining([expect.objectContaining({ line: "registered" })]),
    );
  });

  it("a wedge → degraded with the sample error; restart → new PID, old token 401, online, wedge gone", async () => {
    const ws = await create();
    await waitStatus(ws.id, "online");
    const oldPid = provisioner.pid(ws.id)!;

    await control(ws.id, "wedge");
    const degraded = await waitStatus(ws.id, "degraded");
    expect(degraded.runtimeState).toBe("wedged");
    expect(degraded.lastSampleError).toBe("Control request timeout: initialize");

    const { restarted } = await operator(ts).workspace.restart({ id: ws.id });
    expect(restarted).toBe(true);
    const online = await waitStatus(ws.id, "online");
    const newPid = provisioner.pid(ws.id);
    expect(newPid).not.toBe(oldPid);
    expect(alive(oldPid)).toBe(false);
    expect(online.runtimeState).toBe("");
    expect(online.lastSampleError).toBe("");
    const stale = await trpc(ts, "registry.heartbeat", { workspaceId: ws.id }, ws.token);
    expect(stale.status).toBe(401);
    // Still healthy three heartbeats later: the fresh process reports no wedge.
    const later = await afterHeartbeats(ws.id, 3);
    expect(later).toMatchObject({ status: "online", runtimeState: "" });
  });

  it("DEMO_WEDGE_AFTER_SECONDS=0 → degraded with the wedge; a raised error rate → degraded too", async () => {
    const wedged = await create({ runtime: "wedged-demo" });
    const w = await waitStatus(wedged.id, "degraded");
    expect(w).toMatchObject({
      runtimeState: "wedged",
      lastSampleError: "Control request timeout: initialize",
    });

    const failing = await create();
    await waitStatus(failing.id, "online");
    await control(failing.id, "error_rate", 1);
    const degraded = await waitStatus(failing.id, "degraded");
    expect(degraded.lastSampleError).toMatch(/Simulated tool failure/);
    expect(degraded.runtimeState).toBe("");
  });

  it("kill -9 of an agent → restarted automatically with a new token", async () => {
    const ws = await create();
    await waitStatus(ws.id, "online");
    const crashes = async () =>
      (await ts.server.services.metrics.restarts.get()).values.find((v) => v.labels.cause === "crash")
        ?.value ?? 0;
    const crashesBefore = await crashes();
    const oldPid = provisioner.pid(ws.id)!;
    process.kill(oldPid, "SIGKILL");
    await waitFor(async () => (provisioner.pid(ws.id) ?? oldPid) !== oldPid, {
      what: "a new process",
      timeoutMs: 10_000,
    });
    await waitStatus(ws.id, "online");
    const types = (await eventsOf(ts.db.handle.db, ws.id)).map(
      (e) => `${e.type}:${String(e.payload.reason ?? "")}`,
    );
    expect(types).toContain("WORKSPACE_PROVISIONING:restart");
    const restart = (await eventsOf(ts.db.handle.db, ws.id)).find(
      (e) => e.type === "WORKSPACE_PROVISIONING" && e.payload.reason === "restart",
    );
    expect(restart?.payload).toMatchObject({ cause: "crash", previousStatus: "online" });
    expect((await crashes()) - crashesBefore).toBe(1); // molecule_process_restarts_total{cause="crash"}
    expect((await trpc(ts, "registry.heartbeat", { workspaceId: ws.id }, ws.token)).status).toBe(401);
    expect(provisioner.logs(ws.id).some((l) => l.line.includes("was killed by SIGKILL"))).toBe(true);
  });

  it("a runtime that exits at once → failed with the reason", async () => {
    const ws = await create({ runtime: "exit-at-once" });
    const failed = await waitStatus(ws.id, "failed");
    expect(failed.statusReason).toMatch(/exited with code 3/);
    expect(failed.statusReason).toMatch(/boom: no model weights/);
    expect(provisioner.pid(ws.id)).toBeNull();
  });

  it("a crash loop (registers, then keeps crashing) ends in failed", async () => {
    const ws = await create({ runtime: "crashy-demo" });
    const failed = await waitStatus(ws.id, "failed", 30_000);
    expect(failed.statusReason).toMatch(/Crash loop: 3 exits|before registering/);
    expect(failed.statusReason).toMatch(/code 70/);
    const types = (await eventsOf(ts.db.handle.db, ws.id)).map((e) => e.type);
    expect(types.filter((t) => t === "WORKSPACE_ONLINE").length).toBeGreaterThanOrEqual(1);
    expect(types.at(-1)).toBe("WORKSPACE_PROVISION_FAILED");
  });

  it("a runtime that cannot be spawned → failed", async () => {
    const ws = await create({ runtime: "no-such-binary" });
    const failed = await waitStatus(ws.id, "failed");
    expect(failed.statusReason).toMatch(/Could not start runtime "no-such-binary"/);
  });

  it("gives the process its MOLECULE_* env and decrypted secrets, never the server's", async () => {
    const ws = await create({
      runtime: "env-dump",
      model: "claude-test",
      secrets: { GREETING: "hello there" },
    });
    const line = await waitFor(async () => provisioner.logs(ws.id).find((l) => l.stream === "stdout")?.line, {
      what: "the env dump",
    });
    const env = JSON.parse(line) as Record<string, string>;
    expect(env).toMatchObject({
      MOLECULE_PLATFORM_URL: ts.url,
      MOLECULE_WORKSPACE_ID: ws.id,
      MOLECULE_WORKSPACE_TOKEN: ws.token,
      MOLECULE_MODEL: "claude-test",
      GREETING: "hello there",
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SECRETS_ENCRYPTION_KEY).toBeUndefined();
    expect(env.PATH).toBeTruthy();
  });

  it("a workspace failed elsewhere (the sweep's provision timeout) gets its process stopped", async () => {
    const ws = await create({ runtime: "env-dump" }); // alive, never registers
    const pid = await waitFor(async () => provisioner.pid(ws.id), { what: "a process" });
    await casUpdate(ts.db.handle.db, ws.id, (row) => ({
      transition: transition(row.status, { kind: "provision_failed", reason: "No register within 120 s" }),
    }));
    await waitFor(async () => !alive(pid), { what: "the failed workspace's process gone" });
    expect((await view(ws.id)).status).toBe("failed");
  });

  it("pause stops the process, resume starts a fresh one, remove stops it", async () => {
    const ws = await create();
    await waitStatus(ws.id, "online");
    const first = provisioner.pid(ws.id)!;
    await operator(ts).workspace.pause({ id: ws.id });
    await waitFor(async () => !alive(first), { what: "paused process gone" });
    expect(provisioner.pid(ws.id)).toBeNull();
    expect((await view(ws.id)).status).toBe("paused");

    await operator(ts).workspace.resume({ id: ws.id });
    await waitStatus(ws.id, "online");
    const second = provisioner.pid(ws.id)!;
    expect(second).not.toBe(first);

    await operator(ts).workspace.remove({ id: ws.id });
    await waitFor(async () => !alive(second), { what: "removed process gone" });
    expect(provisioner.pid(ws.id)).toBeNull();
  });

  // README "Several server instances": one instance runs the provisioner, the others run `none`.
  // What an operator does on any of them must reach the processes: the provisioner acts on the
  // events, and on a token it did not issue, it starts the process with one of its own.
  it.runIf(ON_POSTGRES)(
    "create, restart and resume on another instance (provisioner none) start processes here",
    async () => {
      const handle = await createDb(ts.db.url!);
      const other = await startServer({ ...ts.config, provisioner: "none" }, { handle, sweeper: false });
      const elsewhere = () => createCaller(createContext(other.services, null, true));
      try {
        const { workspace } = await elsewhere().workspace.create({ name: "made elsewhere" });
        created.push(workspace.id);
        await waitStatus(workspace.id, "online");
        const first = provisioner.pid(workspace.id)!;
        expect(first).toBeTruthy();

        expect((await elsewhere().workspace.restart({ id: workspace.id })).restarted).toBe(true);
        await waitFor(async () => (provisioner.pid(workspace.id) ?? first) !== first, {
          what: "a new process after a restart elsewhere",
        });
        await waitStatus(workspace.id, "online");
        const second = provisioner.pid(workspace.id)!;
        expect(alive(first)).toBe(false);

        await elsewhere().workspace.pause({ id: workspace.id });
        await waitFor(async () => !alive(second), { what: "paused process gone" });
        await elsewhere().workspace.resume({ id: workspace.id });
        await waitStatus(workspace.id, "online");
        expect(provisioner.pid(workspace.id)).not.toBe(second);

        // One restart, one process: a restart here is not also picked up as "from elsewhere".
        const before = spawned.size;
        const fromElsewhere = () =>
          provisioner.logs(workspace.id).filter((l) => l.line.includes("another server instance")).length;
        const startsFromElsewhere = fromElsewhere();
        await operator(ts).workspace.restart({ id: workspace.id });
        await waitStatus(workspace.id, "online");
        // A second start would come from this instance's own PROVISIONING event on the bus, long
        // delivered by the time the process registered and then beat twice.
        await afterHeartbeats(workspace.id, 2);
        expect(spawned.size).toBe(before + 1);
        expect(fromElsewhere()).toBe(startsFromElsewhere);
      } finally {
        await other.stop();
        await handle.close();
      }
    },
    60_000,
  );

  it("a hung agent (alive, no heartbeats) goes offline after OFFLINE_AFTER_MS", async () => {
    sweeper = startSweeper(ts.server.services, { log: () => {} });
    const ws = await create();
    await waitStatus(ws.id, "online");
    const pid = provisioner.pid(ws.id)!;
    await control(ws.id, "hang");
    await waitStatus(ws.id, "offline", 15_000);
    expect(alive(pid)).toBe(true); // hung, not dead: the provisioner does not restart it by itself
    expect(provisioner.pid(ws.id)).toBe(pid);
  });

  it("an external agent on the SDK gets the restart directive and comes back online", async () => {
    const { workspace, token } = await operator(ts).workspace.create({ name: "outside", external: true });
    const child = spawn(demo.command, demo.args, {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        MOLECULE_PLATFORM_URL: ts.url,
        MOLECULE_WORKSPACE_ID: workspace.id,
        MOLECULE_WORKSPACE_TOKEN: token,
        MOLECULE_WORKSPACE_NAME: "outside",
        DEMO_WEDGE_AFTER_SECONDS: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    externals.push(child);
    if (child.pid) spawned.add(child.pid);
    const degraded = await waitStatus(workspace.id, "degraded");
    expect(degraded.lastSampleError).toBe("Control request timeout: initialize");

    await operator(ts).workspace.restart({ id: workspace.id });
    expect((await view(workspace.id)).pendingDirectives).toContain("restart");
    const online = await waitStatus(workspace.id, "online");
    expect(online.runtimeState).toBe("");
    expect(online.pendingDirectives).toEqual([]);
    // Its runtime was restarted (healed), so it stays online: three heartbeats later, no wedge.
    const later = await afterHeartbeats(workspace.id, 3);
    expect(later).toMatchObject({ status: "online", runtimeState: "" });
    expect(child.exitCode).toBeNull();
  });

  it("resumeAll brings back workspaces that should be running, with new tokens", async () => {
    ts.server.services.processes = null; // create without starting, as if the server had just restarted
    const ws = await create();
    const paused = await create();
    ts.server.services.processes = provisioner;
    await operator(ts).workspace.pause({ id: paused.id });

    const resumed = await provisioner.resumeAll();
    // Earlier tests' stopped workspaces that still read online/degraded/offline come back too.
    created.push(...resumed.filter((id) => !created.includes(id)));
    expect(resumed).toContain(ws.id);
    expect(resumed).not.toContain(paused.id);
    await waitStatus(ws.id, "online");
    expect((await view(paused.id)).status).toBe("paused");
    expect((await trpc(ts, "registry.heartbeat", { workspaceId: ws.id }, ws.token)).status).toBe(401);
  });
});
