import { HeartbeatInputSchema, WORKSPACE_STATUSES } from "@molecule/contracts";
import { describe, expect, it } from "vitest";
import { recordHeartbeat, registerAgent } from "../src/services/registry";
import { startSweeper } from "../src/services/sweeper";
import { hashToken } from "../src/services/tokens";
import {
  createWorkspace,
  eventsOf,
  heartbeat,
  operator,
  post,
  register,
  rowOf,
  sleep,
  statusChain,
  type TestWorkspace,
  testServerPerFile,
  waitFor,
} from "./helpers";

// A very short OFFLINE_AFTER_MS so the sweep really competes with the heartbeats.
const ts = testServerPerFile({ offlineAfterMs: 120, sweepIntervalMs: 15 });
const db = () => ts.db.handle.db;

// Deterministic pseudo-randomness, so a failure can be replayed.
function rng(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

async function chaos(ws: TestWorkspace, random: () => number, { pauseAt }: { pauseAt?: number }) {
  const ops: Promise<{ status: number }>[] = [];
  const later = (ms: number, op: () => Promise<{ status: number }>) => ops.push(sleep(ms).then(op));
  for (let i = 0; i < 60; i++) {
    const r = random();
    const at = Math.floor(random() * 900);
    if (r < 0.35) later(at, () => heartbeat(ts, ws, { errorRate: 0, runtimeState: "" }));
    else if (r < 0.55) later(at, () => heartbeat(ts, ws, { runtimeState: "wedged", sampleError: "stuck" }));
    else if (r < 0.65) later(at, () => heartbeat(ts, ws, { errorRate: 0.3 }));
    else if (r < 0.75) later(at, () => heartbeat(ts, ws, { errorRate: 0.7, sampleError: "500s" }));
    else if (r < 0.87) later(at, () => register(ts, ws));
    else later(at, () => post(ts, "/api/trpc/workspace.restart", { id: ws.id }));
  }
  if (pauseAt !== undefined) later(pauseAt, () => post(ts, "/api/trpc/workspace.pause", { id: ws.id }));
  return Promise.all(ops);
}

describe("concurrent heartbeats, registers, sweeps, restarts and a pause", () => {
  it("write exactly one event per transition, chained, ending in a status some rule produces", async () => {
    const workspaces = await Promise.all(
      Array.from({ length: 4 }, () => createWorkspace(ts, { external: true })),
    );
    // Two sweepers, as if two server instances swept the same database.
    const sweepers = [startSweeper(ts.server.services), startSweeper(ts.server.services)];
    try {
      const results = await Promise.all(
        workspaces.map((ws, i) => chaos(ws, rng(17 + i), { pauseAt: i === 0 ? 450 : undefined })),
      );
      for (const list of results) {
        for (const r of list) {
          // 409: restart of a paused workspace, or a compare-and-set that kept losing; never a 500.
          expect([200, 409]).toContain(r.status);
        }
      }
      // The chaos is over and nothing beats any more: the sweep takes every live row offline after
      // OFFLINE_AFTER_MS of silence. Wait for that, not for a guessed time.
      await waitFor(
        async () => {
          const rows = await Promise.all(workspaces.map((ws) => rowOf(db(), ws.id)));
          return rows.every((r) => r.status !== "online" && r.status !== "degraded");
        },
        { what: "the sweep to take every silent workspace offline" },
      );
    } finally {
      await Promise.all(sweepers.map((s) => s.stop()));
    }

    for (const [i, ws] of workspaces.entries()) {
      const events = await eventsOf(db(), ws.id);
      const chain = statusChain(events, true);
      expect(chain.problems, chain.steps.join(" ")).toEqual([]);
      const row = await rowOf(db(), ws.id);
      expect(row.status, chain.steps.join(" ")).toBe(chain.final);
      expect(WORKSPACE_STATUSES).toContain(row.status);
      // Event ids strictly increase in the order the transitions happened.
      const ids = events.map((e) => e.id);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      if (i === 0) {
        expect(row.status).toBe("paused");
        expect(events.filter((e) => e.type === "WORKSPACE_PAUSED")).toHaveLength(1);
      } else {
        // Nothing paused these; silent since the chaos, so offline unless they never came up again.
        expect(["offline", "awaiting_agent", "provisioning"]).toContain(row.status);
      }
      // A degraded row always says why.
      if (row.status === "degraded") expect(row.statusReason).toBeTruthy();
    }
  });

  // The token is checked when the request arrives, the row written a moment later. A restart that
  // revokes the token in between must win: the old process may not turn the restarting workspace
  // online (or degraded) before the new process registers.
  it("a heartbeat or register authorised just before a restart revoked its token writes nothing", async () => {
    const ws = await createWorkspace(ts); // local: a restart rotates its token
    await register(ts, ws);
    const authorised = hashToken(ws.token);
    await operator(ts).workspace.restart({ id: ws.id });
    const events = (await eventsOf(db(), ws.id)).length;

    const hb = HeartbeatInputSchema.parse({ workspaceId: ws.id, runtimeState: "wedged", sampleError: "old" });
    await expect(recordHeartbeat(ts.server.services, ws.id, hb, authorised)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await expect(
      registerAgent(ts.server.services, ws.id, { url: null, agentCard: {} }, authorised),
    ).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const row = await rowOf(db(), ws.id);
    expect(row.status).toBe("provisioning");
    expect(row.lastSampleError).not.toBe("old");
    expect(await eventsOf(db(), ws.id)).toHaveLength(events);

    // The same for a removal: a removed workspace's token is a 401 (SPEC §3), whichever check sees it.
    await operator(ts).workspace.remove({ id: ws.id });
    await expect(recordHeartbeat(ts.server.services, ws.id, hb, authorised)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  it("a double-clicked restart is one restart", async () => {
    const ws = await createWorkspace(ts, { external: true });
    await register(ts, ws);
    const clicks = await Promise.all(
      Array.from({ length: 8 }, () => post(ts, "/api/trpc/workspace.restart", { id: ws.id })),
    );
    for (const c of clicks) expect(c.status).toBe(200);
    const restarts = (await eventsOf(db(), ws.id)).filter((e) => e.type === "WORKSPACE_PROVISIONING");
    expect(restarts).toHaveLength(1);
    expect((await rowOf(db(), ws.id)).status).toBe("provisioning");
  });

  it("many concurrent wedged heartbeats on an online workspace degrade it once", async () => {
    const ws = await createWorkspace(ts, { external: true });
    await register(ts, ws);
    const sweeper = startSweeper(ts.server.services, { timer: false });
    try {
      await Promise.all([
        ...Array.from({ length: 20 }, () => heartbeat(ts, ws, { runtimeState: "wedged", sampleError: "x" })),
      ]);
    } finally {
      await sweeper.stop();
    }
    const degraded = (await eventsOf(db(), ws.id)).filter((e) => e.type === "WORKSPACE_DEGRADED");
    expect(degraded).toHaveLength(1);
  });
});
