/**
 * The SDK against a real server (real HTTP, real database: Postgres when DATABASE_URL is set,
 * else in-memory PGlite).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../../api/src/root";
import { startTestServer, type TestServer, waitFor } from "../../api/src/testing";
import { createContext } from "../../api/src/trpc";
import { Agent, AgentStoppedError, EXIT_FOR_RESTART, resetWedgeForTests, WedgeDetector } from "../src/index";

const quiet = { info() {}, warn() {}, error() {} };
let ts: TestServer;
const agents: Agent[] = [];

const operator = () => createCaller(createContext(ts.server.services, null, true));

const viewOf = async (id: string) => (await operator().workspace.list()).find((w) => w.id === id)!;

function agentFor(
  id: string,
  tokenSource: () => string,
  extra: Partial<ConstructorParameters<typeof Agent>[0]> = {},
) {
  const agent = new Agent({
    platformUrl: ts.url,
    workspaceId: id,
    tokenSource,
    url: "http://127.0.0.1:9/a2a",
    agentCard: { name: "sdk test agent" },
    logger: quiet,
    backoffBaseMs: 50,
    ...extra,
  });
  agents.push(agent);
  return agent;
}

beforeAll(async () => {
  ts = await startTestServer({ heartbeatIntervalMs: 150 });
});
afterAll(async () => {
  await ts?.close();
});
afterEach(() => {
  for (const a of agents.splice(0)) a.stop();
  resetWedgeForTests();
});

describe("agent SDK against the platform", () => {
  it("registers, heartbeats on the server's interval, and reports tasks", async () => {
    const { workspace, token } = await operator().workspace.create({ name: "sdk", external: true });
    const agent = agentFor(workspace.id, () => token);
    await agent.start();
    expect(agent.status()).toBe("online");
    let release!: () => void;
    const task = agent.runTask("long job", () => new Promise<void>((r) => (release = r)));
    const seen = await waitFor(
      async () => {
        const v = await viewOf(workspace.id);
        return v.currentTask === "long job" && v.activeTasks === 1 ? v : null;
      },
      { what: "telemetry" },
    );
    expect(seen.status).toBe("online");
    release();
    await task;
  });

  it("a wedged SDK's heartbeats carry runtimeState wedged and the reason: degraded with the sample error", async () => {
    const { workspace, token } = await operator().workspace.create({ name: "wedgy", external: true });
    const agent = agentFor(workspace.id, () => token);
    await agent.start();
    await agent
      .runTask("initialize", () => {
        throw new Error("Control request timeout: initialize");
      })
      .catch(() => {});
    const view = await waitFor(
      async () => {
        const v = await viewOf(workspace.id);
        return v.status === "degraded" ? v : null;
      },
      { what: "degraded" },
    );
    expect(view.runtimeState).toBe("wedged");
    expect(view.lastSampleError).toBe("Control request timeout: initialize");
    // Healthy tasks afterwards never clear it: every heartbeat still says wedged.
    for (let i = 0; i < 5; i++) await agent.runTask("fine", () => i);
    await agent.heartbeat();
    const after = await viewOf(workspace.id);
    expect(after).toMatchObject({
      status: "degraded",
      runtimeState: "wedged",
      lastSampleError: "Control request timeout: initialize",
    });
  });

  it("a 401 re-reads the token once: a rotated token is picked up, a dead one stops the agent", async () => {
    const { workspace, token } = await operator().workspace.create({ name: "rotating", external: true });
    let current = token;
    const agent = agentFor(workspace.id, () => current);
    await agent.start();
    const { token: rotated } = await operator().workspace.rotateToken({ id: workspace.id });
    current = rotated;
    await expect(agent.heartbeat()).resolves.toMatchObject({ status: "online" });

    await operator().workspace.remove({ id: workspace.id });
    await expect(agent.heartbeat()).rejects.toBeInstanceOf(AgentStoppedError);
    const reason = await agent.closed;
    expect(reason?.httpStatus).toBe(401);
    expect(reason?.message).toMatch(/token was rejected/);
  });

  it("the restart directive restarts the runtime and registers again: provisioning → online, wedge gone", async () => {
    const { workspace, token } = await operator().workspace.create({ name: "external", external: true });
    let restarts = 0;
    const agent = agentFor(workspace.id, () => token, {
      restartRuntime: () => {
        restarts++;
      },
    });
    await agent.start();
    agent.markWedged("Control request timeout: initialize");
    await waitFor(async () => (await viewOf(workspace.id)).status === "degraded", { what: "degraded" });

    await operator().workspace.restart({ id: workspace.id });
    expect((await viewOf(workspace.id)).status).toBe("provisioning");
    const back = await waitFor(
      async () => {
        const v = await viewOf(workspace.id);
        return v.status === "online" ? v : null;
      },
      { what: "online after restart" },
    );
    expect(restarts).toBe(1);
    expect(agent.isWedged()).toBe(false);
    expect(back.runtimeState).toBe("");
    expect(back.pendingDirectives).toEqual([]);
    // The timeline (newest first) ends: degraded → provisioning (the restart) → online.
    const { events } = await operator().workspace.events({ id: workspace.id });
    expect(events.slice(0, 3).map((e) => e.type)).toEqual([
      "WORKSPACE_ONLINE",
      "WORKSPACE_PROVISIONING",
      "WORKSPACE_DEGRADED",
    ]);
    expect(events[1]?.payload).toMatchObject({ reason: "restart" });
  });

  it("without a restartRuntime hook, restart ends the process (code 75) and never clears the wedge", async () => {
    const { workspace, token } = await operator().workspace.create({ name: "no hook", external: true });
    const exits: number[] = [];
    const agent = agentFor(workspace.id, () => token, {
      wedge: new WedgeDetector(),
      exitProcess: (code) => void exits.push(code),
    });
    await agent.start();
    agent.markWedged("Control request timeout: initialize");
    await waitFor(async () => (await viewOf(workspace.id)).status === "degraded", { what: "degraded" });

    await operator().workspace.restart({ id: workspace.id });
    await waitFor(async () => exits.length > 0, { what: "the process to be ended" });
    expect(exits).toEqual([EXIT_FOR_RESTART]);
    expect(await agent.closed).toBeNull();
    expect(agent.isWedged()).toBe(true);
    // It did not register again as if healthy: the workspace waits for a fresh process.
    expect((await viewOf(workspace.id)).status).toBe("provisioning");
  });

  it("pause and over_budget directives reach their callbacks", async () => {
    const { workspace, token } = await operator().workspace.create({
      name: "budget",
      external: true,
      budgetLimit: 100,
    });
    const seen: string[] = [];
    const agent = agentFor(workspace.id, () => token, {
      onPause: () => void seen.push("pause"),
      onResume: () => void seen.push("resume"),
      onOverBudget: () => void seen.push("over_budget"),
    });
    await agent.start();
    agent.addSpend(150);
    await agent.heartbeat();
    expect(agent.isOverBudget()).toBe(true);
    await operator().workspace.pause({ id: workspace.id });
    await agent.heartbeat();
    expect(agent.isPaused()).toBe(true);
    await operator().workspace.resume({ id: workspace.id });
    await agent.heartbeat();
    expect(seen).toEqual(["over_budget", "pause", "resume"]);
  });
});
