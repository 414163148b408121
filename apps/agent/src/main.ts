/**
 * The bundled demo runtime (SPEC §7): a real agent process built on the agent SDK. It serves its
 * A2A card and `message/send`, registers, heartbeats, runs a trickle of background tasks, and
 * misbehaves on request (see misbehaviour.ts and README.md).
 */
import { AgentStoppedError, createAgentFromEnv } from "@molecule/agent-sdk";
import { startDemoHttp } from "./http-server";
import { Misbehaviour } from "./misbehaviour";
import { agentCard, wordCount } from "./skills";
import { TaskLoop } from "./task-loop";

const env = process.env;
const num = (name: string, fallback: number) => {
  const n = Number(env[name]);
  return env[name] !== undefined && env[name] !== "" && Number.isFinite(n) ? n : fallback;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  let shuttingDown = false;
  const misbehaviour = new Misbehaviour({
    crash(reason) {
      console.error(`${reason}: exiting with code 70`);
      process.exit(70);
    },
    hang() {
      console.error("Simulated hang: the process stays alive but sends no more heartbeats");
      agent.suspendHeartbeats();
      loop.stop();
    },
  });

  const name = env.MOLECULE_WORKSPACE_NAME || "Demo agent";
  const model = env.MOLECULE_MODEL ?? "";
  let url = "";
  const http = await startDemoHttp(
    {
      card: () => agentCard(url, name, model),
      handleMessage: (text) =>
        agent.runTask(`message/send: ${text.slice(0, 80)}`, () => {
          misbehaviour.check();
          agent.addSpend(1);
          return wordCount(text);
        }),
      misbehaviour,
      state: () => ({
        wedged: agent.isWedged(),
        wedgeReason: agent.wedgeReason(),
        errorRate: agent.errors.rate(),
        activeTasks: agent.activeTasks(),
        pid: process.pid,
      }),
    },
    num("PORT", 0),
  );
  url = http.url;

  const agent = createAgentFromEnv({
    url,
    agentCard: () => agentCard(url, name, model),
    // A restart directive (external mode) restarts the "runtime": a fresh one is healthy again.
    restartRuntime: () => misbehaviour.control("heal"),
    onStopped: (error) => {
      if (error && !shuttingDown) {
        console.error(error.message);
        process.exit(78);
      }
    },
  });

  const loop = new TaskLoop({
    intervalMs: num("DEMO_TASK_INTERVAL_MS", 1_000),
    // At most what the workspace allows (MOLECULE_MAX_CONCURRENT_TASKS, set by the provisioner).
    maxConcurrent: num("DEMO_MAX_TASKS", num("MOLECULE_MAX_CONCURRENT_TASKS", 2)),
    minMs: num("DEMO_TASK_MIN_MS", 500),
    maxMs: num("DEMO_TASK_MAX_MS", 2_500),
    active: () => agent.activeTasks(),
    run: (task, ms) =>
      agent.runTask(task, async () => {
        misbehaviour.check();
        await sleep(ms);
        agent.addSpend(1);
      }),
  });

  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    console.log(`${signal}: shutting down`);
    loop.stop();
    misbehaviour.dispose();
    agent.stop();
    http.server.close();
    http.server.closeAllConnections();
    setTimeout(() => process.exit(0), 50).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  console.log(`demo agent ${agent.workspaceId} serving ${url} (pid ${process.pid})`);
  try {
    await agent.start();
  } catch (error) {
    if (error instanceof AgentStoppedError) return; // onStopped already exited
    throw error;
  }
  console.log("registered");
  misbehaviour.applyEnv(env);
  loop.start();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
