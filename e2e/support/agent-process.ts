import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const agentDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "apps", "agent");

/** The demo agent as the platform runs it: built JS (turbo builds it before test:e2e). */
function builtAgent(): string {
  const main = join(agentDir, "dist", "main.js");
  if (!existsSync(main)) throw new Error(`${main} is missing: run pnpm --filter @molecule/agent build`);
  return main;
}

const pythonExample = resolve(
  agentDir,
  "..",
  "..",
  "packages",
  "agent-sdk-python",
  "examples",
  "echo_agent.py",
);

export interface AgentConnection {
  platformUrl: string;
  workspaceId: string;
  token: string;
  name: string;
}

/**
 * Starts the bundled demo runtime as an EXTERNAL agent: a process the platform did not start and
 * cannot restart, connected with the workspace's token the way an operator would run it.
 * One node process (no wrapper), so its PID is the agent's own and SIGKILL leaves nothing behind.
 */
export function startExternalAgent(opts: AgentConnection) {
  return spawnAgent(process.execPath, [builtAgent()], opts);
}

/** The Python SDK's example agent (packages/agent-sdk-python/examples/echo_agent.py), external. */
export function startPythonAgent(opts: AgentConnection, env: Record<string, string> = {}) {
  return spawnAgent(process.env.PYTHON ?? "python3", [pythonExample], opts, env);
}

function spawnAgent(
  command: string,
  args: string[],
  opts: AgentConnection,
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, {
    cwd: agentDir,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      MOLECULE_PLATFORM_URL: opts.platformUrl,
      MOLECULE_WORKSPACE_ID: opts.workspaceId,
      MOLECULE_WORKSPACE_TOKEN: opts.token,
      MOLECULE_WORKSPACE_NAME: opts.name,
      ...extraEnv,
    },
  });
  // Drained so a chatty agent never blocks on a full pipe; the last chunks explain a failure.
  const chunks: string[] = [];
  const keep = (chunk: Buffer) => {
    chunks.push(chunk.toString());
    if (chunks.length > 50) chunks.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, output: () => chunks.join("") };
}

/** Resolves once the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}
