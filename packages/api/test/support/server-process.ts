import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tsxLoaderUrl } from "../../src/services/runtimes";

const here = dirname(fileURLToPath(import.meta.url));
const apiDir = join(here, "..", "..");

/** A server running as its own OS process (./server-entry.ts), which a test may kill -9. */
export interface ServerProcess {
  pid: number;
  url: string;
  /** Its stdout and stderr lines so far (JSON log lines, mostly). */
  output: string[];
  /** Resolves with the exit code or signal once it has exited. */
  exited: Promise<string>;
  /** SIGKILL, no handlers run; resolves once it has exited. */
  kill9(): Promise<string>;
  /** SIGTERM (a clean stop), SIGKILL if it is still running after `graceMs`. */
  stop(graceMs?: number): Promise<string>;
}

/**
 * Starts the server entry with tsx in a process of its own, configured by `env` alone (the test
 * runner's environment does not leak in, except PATH and the locale), and resolves once it
 * listens. Every process started is added to `started`, so a test file's afterAll can make sure
 * none is left running.
 */
export async function startServerProcess(
  env: Record<string, string>,
  started: Set<number>,
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", tsxLoaderUrl(apiDir), join(here, "server-entry.ts")],
    {
      cwd: apiDir,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: process.env.LANG ?? "C.UTF-8", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  if (child.pid === undefined) throw new Error("the server process did not start");
  started.add(child.pid);
  const output: string[] = [];
  const exited = new Promise<string>((resolve) =>
    child.once("exit", (code, signal) => resolve(signal ?? `code ${code}`)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not listen in ${timeoutMs} ms:\n${tail()}`)),
      timeoutMs,
    );
    const tail = () => output.slice(-20).join("\n");
    let partial = "";
    const onData = (chunk: Buffer) => {
      partial += chunk.toString("utf8");
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        if (line.startsWith('{"listening"')) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { listening: string }).listening);
        }
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${how}) before it listened:\n${tail()}`));
    });
  });
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    return exited;
  };
  return {
    pid: child.pid,
    url,
    output,
    exited,
    kill9: () => signal("SIGKILL"),
    async stop(graceMs = 10_000) {
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const how = await signal("SIGTERM");
      clearTimeout(timer);
      return how;
    },
  };
}

/**
 * Every running process whose environment names one of `workspaceIds` in MOLECULE_WORKSPACE_ID
 * (what the provisioner gives each agent), by workspace: the agents of those workspaces, wherever
 * they came from. Reading another user's /proc/<pid>/environ needs root or the same user; as root
 * the agents run as nobody and root reads them.
 */
export function agentProcesses(workspaceIds: readonly string[]): Map<string, number[]> {
  const wanted = new Set(workspaceIds);
  const found = new Map<string, number[]>(workspaceIds.map((id) => [id, []]));
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let environ: string;
    try {
      // A zombie has an empty environ: it no longer runs, and is not counted.
      environ = readFileSync(`/proc/${name}/environ`, "utf8");
    } catch {
      continue;
    }
    const entry = environ.split("\0").find((kv) => kv.startsWith("MOLECULE_WORKSPACE_ID="));
    const id = entry?.slice("MOLECULE_WORKSPACE_ID=".length);
    if (id && wanted.has(id)) found.get(id)?.push(Number(name));
  }
  return found;
}
