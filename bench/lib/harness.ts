/**
 * What the fleet benchmarks share: a fresh database seeded with a fleet of external workspaces
 * (tokens known), the production server in its own process, wrk in its own process, pgbench.
 * Every process started here is stopped by PID in `cleanup()`.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createDb, migrate } from "@molecule/db";
import postgres from "postgres";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** BENCH_SERVER_ENTRY: another build to measure (an A/B; keep it in apps/server/dist). */
export const serverEntry =
  process.env.BENCH_SERVER_ENTRY ?? join(repoRoot, "apps", "server", "dist", "main.mjs");
/** Admin token the benchmark servers run with (operator calls, SSE subscribers). */
export const ADMIN_TOKEN = `bench-admin-${randomBytes(16).toString("hex")}`;

export interface Agent {
  id: string;
  token: string;
}

const cleanups: (() => Promise<void> | void)[] = [];
export function onCleanup(fn: () => Promise<void> | void) {
  cleanups.push(fn);
}
export async function cleanup() {
  for (const fn of cleanups.splice(0).reverse()) await Promise.resolve(fn()).catch(() => {});
}

export interface BenchDatabase {
  kind: "postgres" | "pglite";
  /** What the server gets as DATABASE_URL (unset for PGlite, which uses MOLECULE_DATA_DIR). */
  env: Record<string, string>;
  /** libpq URL for pgbench and the probes (Postgres only). */
  url: string | null;
  fleet: Agent[];
}

/** A fresh database with `size` online external workspaces and their tokens, seeded in bulk. */
export async function freshDatabase(size: number): Promise<BenchDatabase> {
  const base = process.env.DATABASE_URL;
  // Ids the server accepts (letters, digits, -) that pgbench can compute from a row number.
  const fleet: Agent[] = Array.from({ length: size }, (_, i) => ({
    id: `bench-${i + 1}`,
    token: randomBytes(32).toString("base64url"),
  }));
  let url: string | null = null;
  const env: Record<string, string> = {};
  let handleUrl: string;
  if (base && /^postgres(ql)?:\/\//.test(base)) {
    const name = `molecule_bench_${randomBytes(5).toString("hex")}`;
    const admin = postgres(base, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    await admin.end();
    const u = new URL(base);
    u.pathname = `/${name}`;
    url = u.toString();
    env.DATABASE_URL = url;
    handleUrl = url;
    onCleanup(async () => {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists "${name}" with (force)`);
      await a.end();
    });
  } else {
    const dir = mkdtempSync(join(tmpdir(), "molecule-bench-"));
    env.MOLECULE_DATA_DIR = dir;
    handleUrl = `pglite://${join(dir, "pglite")}`;
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  }
  const handle = await createDb(handleUrl);
  try {
    await migrate(handle);
    for (let i = 0; i < fleet.length; i += 2_000) {
      const rows = fleet.slice(i, i + 2_000).map((a, j) => ({
        id: a.id,
        name: `bench-${i + j}`,
        hash: createHash("sha256").update(a.token).digest("hex"),
        prefix: a.token.slice(0, 8),
        x: ((i + j) % 100) * 300,
        y: Math.floor((i + j) / 100) * 200,
      }));
      await handle.query(
        `with r as (select * from json_to_recordset($1::json) as r(id text, name text, hash text, prefix text, x float8, y float8)),
         w as (insert into workspaces (id, name, status, awareness_namespace, external, last_heartbeat_at, canvas_x, canvas_y)
               select id, name, 'online', 'workspace:' || id, true, now(), x, y from r returning id)
         insert into workspace_tokens (workspace_id, token_hash, prefix) select id, hash, prefix from r`,
        [JSON.stringify(rows)],
      );
    }
  } finally {
    await handle.close();
  }
  return { kind: url ? "postgres" : "pglite", env, url, fleet };
}

export interface RunningProcess {
  child: ChildProcess;
  url: string;
  log: string[];
  /** Date.now() when the process was spawned (a CPU profile's time 0, near enough). */
  startedAt: number;
  stop(): Promise<void>;
  rssKiB(): number;
}

function track(child: ChildProcess, log: string[]) {
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (line) log.push(line);
    if (log.length > 300) log.splice(0, log.length - 300);
    if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const clean = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!clean) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }
}

export function rssOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The demo agent's bundle: without it local agents run through tsx (not what production runs). */
const agentBundle = join(repoRoot, "apps", "agent", "dist", "main.js");

/** Builds the production server and the demo agent's bundle when either is missing (a fresh clone). */
export function ensureBuilt() {
  if (existsSync(serverEntry) && existsSync(agentBundle)) return;
  console.log("[bench] no production build; running pnpm build");
  const build = spawnSync("pnpm", ["build"], { cwd: repoRoot, stdio: "inherit" });
  if (build.status !== 0) throw new Error("pnpm build failed");
}

/**
 * The production server (apps/server/dist/main.mjs), ready when /api/health is 200. On BENCH_PORT
 * when set (one server at a time: each is stopped before the next starts), else a random port.
 * BENCH_CPU_PROF_DIR=<dir>: the server runs under `node --cpu-prof` and writes a .cpuprofile there
 * when it stops (lib/cpuprofile.ts summarises it; or open it in Chrome DevTools).
 * BENCH_NODE_ARGS: more node flags for the server, space-separated (e.g. `--trace-gc`).
 */
export async function startMolecule(
  db: BenchDatabase,
  env: Record<string, string> = {},
): Promise<RunningProcess> {
  ensureBuilt();
  const port = Number(process.env.BENCH_PORT ?? 3400 + Math.floor(Math.random() * 500));
  const log: string[] = [];
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const nodeArgs = [
    ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
    ...(process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean),
  ];
  const child = spawn(process.execPath, [...nodeArgs, serverEntry], {
    cwd: repoRoot,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      HOST: "127.0.0.1",
      PORT: String(port),
      ADMIN_TOKEN,
      MOLECULE_DEMO: "0",
      MOLECULE_PROVISIONER: "none",
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "warn",
      SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 9).toString("base64"),
      ...db.env,
      ...env,
    },
  });
  track(child, log);
  const running = supervised(child, `http://127.0.0.1:${port}`, log);
  const started = performance.now();
  while (performance.now() - started < 120_000) {
    if (child.exitCode !== null) throw new Error(`the server exited early:\n${log.join("\n")}`);
    try {
      const res = await fetch(`${running.url}/api/health`);
      if (res.ok) return running;
    } catch {}
    await sleep(250);
  }
  throw new Error(`the server did not become healthy:\n${log.join("\n")}`);
}

/** The bare node:http + postgres baseline (lib/baseline-server.mjs) in its own process. */
export async function startBaseline(db: BenchDatabase, mode: "single" | "group"): Promise<RunningProcess> {
  const log: string[] = [];
  const child = spawn(process.execPath, [join(repoRoot, "bench", "lib", "baseline-server.mjs")], {
    cwd: join(repoRoot, "bench"),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DATABASE_URL: db.url ?? "", BASELINE_MODE: mode, PORT: "0" },
  });
  track(child, log);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baseline did not start: ${log.join("\n")}`)), 20_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      const m = /listening (\d+)/.exec(chunk.toString());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return supervised(child, `http://127.0.0.1:${port}`, log);
}

/** A started process, stopped by PID at cleanup() if nobody stops it earlier. */
function supervised(child: ChildProcess, url: string, log: string[]): RunningProcess {
  const startedAt = Date.now();
  const running: RunningProcess = {
    child,
    url,
    log,
    startedAt,
    stop: () => stopChild(child),
    rssKiB: () => rssOf(child.pid),
  };
  onCleanup(running.stop);
  return running;
}

export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
}

/**
 * wrk (C, its own process) posting heartbeats round-robin over the fleet. `wire`: the snake_case
 * endpoint; `trpc`: registry.heartbeat. As fast as it can: a paced load is lib/agents.ts.
 */
export async function wrk(
  url: string,
  fleet: Agent[],
  options: {
    style: "wire" | "trpc";
    connections: number;
    seconds: number;
    threads?: number;
  },
): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), "molecule-wrk-"));
  try {
    const script = join(dir, "hb.lua");
    const ids = fleet.map((a) => `"${a.id}"`).join(",");
    const tokens = fleet.map((a) => `"${a.token}"`).join(",");
    const path = options.style === "wire" ? "/registry/heartbeat" : "/api/trpc/registry.heartbeat";
    const body =
      options.style === "wire"
        ? `'{"workspace_id":"' .. ids[i] .. '","error_rate":0,"active_tasks":1,"uptime_seconds":' .. n .. ',"current_task":"bench","runtime_state":""}'`
        : `'{"workspaceId":"' .. ids[i] .. '","errorRate":0,"activeTasks":1,"uptimeSeconds":' .. n .. ',"currentTask":"bench","runtimeState":""}'`;
    writeFileSync(
      script,
      `local ids = {${ids}}
local tokens = {${tokens}}
local n = 0
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end
function init(args)
  n = tonumber(offset) * 7919
end
function request()
  n = n + 1
  local i = (n % #ids) + 1
  return wrk.format("POST", "${path}", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[i] }, ${body})
end
local bad = 0
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
`,
    );
    const args = [
      `-t${options.threads ?? 2}`,
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      "--latency",
      "-s",
      script,
      url,
    ];
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      child.on("error", reject);
      child.on("exit", (code) =>
        code === 0 ? resolve(stdout) : reject(new Error(`wrk failed: ${stderr || stdout}`)),
      );
    });
    return parseWrk(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseWrk(out: string): WrkResult {
  const ms = (v: string, unit: string) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? 1);
  const pct = (p: string) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return m ? +ms(m[1]!, m[2]!).toFixed(2) : Number.NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return {
    rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0)),
    p50: pct("50"),
    p99: pct("99"),
    requests,
    errors,
  };
}

/** pgbench running the same single-row heartbeat UPDATE on the same table (prepared mode). */
export function pgbench(db: BenchDatabase, clients: number, seconds: number): number {
  if (!db.url) return Number.NaN;
  const dir = mkdtempSync(join(tmpdir(), "molecule-pgbench-"));
  try {
    const script = join(dir, "heartbeat.sql");
    writeFileSync(
      script,
      `\\set n random(1, ${db.fleet.length})
update workspaces set last_heartbeat_at = now(), updated_at = now(), last_error_rate = 0, active_tasks = 1, uptime_seconds = :n
  where id = 'bench-' || :n;
`,
    );
    const run = spawnSync(
      "pgbench",
      ["-n", "-M", "prepared", "-c", String(clients), "-j", "2", "-T", String(seconds), "-f", script, db.url],
      { encoding: "utf8", timeout: (seconds + 60) * 1000 },
    );
    if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr || run.stdout}`);
    return Math.round(Number(/tps = ([\d.]+)/.exec(run.stdout)?.[1] ?? 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One status event as a subscriber process printed it (lib/subscribers.mjs). */
export interface ReceivedEvent {
  s: number;
  id: string;
  type: string;
  workspaceId: string;
  /** Date.now() in the subscriber process when it arrived. */
  at: number;
  /** With PAYLOADS=1: the event's own timestamp and payload. */
  eventAt?: string;
  payload?: Record<string, unknown>;
}

export interface Subscribers {
  received: ReceivedEvent[];
  /** RESYNC messages received (a resume from before the oldest kept event). */
  resyncs: () => number;
  telemetry: () => number;
  /** Stream connections made (resumes included); known after stop(). */
  connections: () => number;
  /** How late the subscriber process's event loop ran (ms); known after stop(). */
  loopDelayMs: () => { p50: number; p99: number; max: number } | null;
  stop(): Promise<void>;
}

/**
 * `count` canvases' live streams in their own process (lib/subscribers.mjs); resolves once all
 * are connected. `env` passes its options (LAST_EVENT_ID, RESUME_EVERY_MS, PAYLOADS).
 */
export async function startSubscribers(
  server: RunningProcess,
  count: number,
  env: Record<string, string> = {},
): Promise<Subscribers> {
  const child = spawn(process.execPath, [join(repoRoot, "bench", "lib", "subscribers.mjs")], {
    env: { ...process.env, URL: server.url, ADMIN_TOKEN, SUBSCRIBERS: String(count), ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  onCleanup(async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  });
  const received: ReceivedEvent[] = [];
  let telemetryMessages = 0;
  let connections = 0;
  let resyncs = 0;
  let loopDelayMs: { p50: number; p99: number; max: number } | null = null;
  const ready = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("ready")) return resolve();
      try {
        const parsed = JSON.parse(line);
        if ("telemetryMessages" in parsed) {
          telemetryMessages = parsed.telemetryMessages;
          connections = parsed.connections;
          loopDelayMs = parsed.loopDelayMs ?? null;
        } else if (parsed.resync) resyncs++;
        else received.push(parsed);
      } catch {}
    });
  });
  await Promise.race([
    ready,
    sleep(60_000).then(() => Promise.reject(new Error("subscribers did not connect"))),
  ]);
  return {
    received,
    resyncs: () => resyncs,
    telemetry: () => telemetryMessages,
    connections: () => connections,
    loopDelayMs: () => loopDelayMs,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
