import { gt, workspaceEvents } from "@molecule/db";
import { expect, vi } from "vitest";
import { type TestServer, waitFor } from "../../src/testing";
import { createWorkspace, eventsOf, operator } from "../helpers";
import { heartbeatLoop } from "./agents";
import type { StreamWatch } from "./stream-watch";
import { recordTruth } from "./truth";

export interface DatabaseFaultResult {
  /** From the database's return (the fault function resolved) until every agent's heartbeat was answered 200 again. */
  agentsBackMs: number;
  /** False statuses: offline events of agents that never stopped heartbeating. */
  wrongSeen: string[];
  detail: string;
  /** The assertions, after the figure is recorded (so a failing run still reports its figure). */
  assertTrue(): void;
}

/**
 * A database fault under heartbeat load, watched as an operator would: a fleet of wire agents
 * heartbeating, `/api/health` polled, a subscribed stream client. `inject` runs the fault, writes
 * events across the gap (a wedge and its recovery, an operator edit), waits for everything to come
 * back, and compares what the stream delivered with what `workspace_events` holds.
 */
export async function watchDatabaseFault(
  ts: TestServer,
  watch: StreamWatch,
  options: {
    heartbeatIntervalMs: number;
    offlineAfterMs: number;
    cleanups: (() => Promise<void>)[];
    agents?: number;
  },
) {
  const { heartbeatIntervalMs, offlineAfterMs } = options;
  // The heartbeats that fail during the fault log their errors: expected, so kept off the output.
  const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
  options.cleanups.push(async () => quiet.mockRestore());
  const fleet = await Promise.all(
    Array.from({ length: options.agents ?? 6 }, () => createWorkspace(ts, { external: true })),
  );
  const loops = fleet.map((ws) => heartbeatLoop(() => ts.url, ws, { everyMs: heartbeatIntervalMs }));
  options.cleanups.push(async () => {
    await Promise.all(loops.map((l) => l.stop()));
  });
  await Promise.all(fleet.map((ws) => watch.waitForStatus(ws.id, "online", { timeoutMs: 20_000 })));
  // From this event on, the stream must deliver every persisted event exactly once.
  const firstId = await edit(ts, watch, fleet[0]!.id, "before the fault");

  return {
    /** Runs `fault`, records its truth figure as `what`, and returns what was seen. */
    async inject(what: string, fault: () => Promise<unknown>): Promise<DatabaseFaultResult> {
      const health: { at: number; status: number }[] = [];
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const status = await fetch(`${ts.url}/api/health`, { signal: AbortSignal.timeout(2_000) }).then(
            (r) => r.arrayBuffer().then(() => r.status),
            () => 0,
          );
          health.push({ at: Date.now(), status });
          await new Promise((r) => setTimeout(r, 25));
        }
      })();

      const at = Date.now();
      const injected = await fault();
      const returnedAt = Date.now();
      // Operator edits at once, racing the server's reconnect (some fail: that is the fault).
      const burst = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          operator(ts).workspace.update({ id: fleet[2]!.id, name: `burst ${i}` }),
        ),
      );
      // Events written while the server's connections come back: a wedge, then its recovery.
      const wedged = loops[1]!;
      const wedgedWs = fleet[1]!;
      wedged.report({ runtime_state: "wedged", sample_error: `wedged across the ${what}` });
      await waitFor(
        async () => health.some((h) => h.at > at && h.status === 200) && health.at(-1)?.status === 200,
        { what: "/api/health 200 again", timeoutMs: 60_000 },
      );
      const lastBad = health.findLastIndex((h) => h.at > at && h.status !== 200);
      const healthBackAt = (lastBad >= 0 ? health[lastBad + 1] : health.find((h) => h.at > returnedAt))?.at;
      await Promise.all(loops.map((l) => l.answered(60_000)));
      // Each agent is back at its first answered heartbeat after its last failed one.
      const agentsBackAt = Math.max(
        ...loops.map((l) => {
          const after = l.statuses.filter((s) => s.at > at);
          const lastFailed = after.findLastIndex((s) => s.status !== 200);
          return after[lastFailed + 1]?.at ?? Date.now();
        }),
      );
      await watch.waitForStatus(wedgedWs.id, "degraded", { since: at, timeoutMs: 30_000 }).catch(() => null);
      wedged.report({});
      await watch.waitForStatus(wedgedWs.id, "online", { since: at, timeoutMs: 30_000 }).catch(() => null);
      const lastId = await edit(ts, watch, fleet[0]!.id, `after the ${what}`).catch(() => null);
      // Agents keep heartbeating for two more offline windows: nobody may be shown offline.
      await new Promise((r) => setTimeout(r, 2 * offlineAfterMs));
      polling = false;
      await poller;

      const db = ts.db.handle.db;
      const persisted = await db
        .select({ id: workspaceEvents.id })
        .from(workspaceEvents)
        .where(gt(workspaceEvents.id, Number(firstId) - 1));
      const streamed = new Set(watch.events.filter((e) => BigInt(e.id) >= BigInt(firstId)).map((e) => e.id));
      const missing = persisted.map((r) => String(r.id)).filter((id) => !streamed.has(id));
      const twice = watch.duplicateIds();
      const falseOffline: string[] = [];
      for (const ws of fleet)
        for (const e of await eventsOf(db, ws.id))
          if (e.type === "WORKSPACE_OFFLINE" && e.at.getTime() >= at - 1_000)
            falseOffline.push(`${ws.id}:offline`);
      const failedDuring = health.filter((h) => h.status !== 200);
      const statuses = await operator(ts).workspace.list();
      const notOnline = fleet
        .map((ws) => statuses.find((s) => s.id === ws.id))
        .filter((s) => s?.status !== "online")
        .map((s) => `${s?.id}:${s?.status}`);
      const result = {
        agentsBackMs: Math.max(0, agentsBackAt - returnedAt),
        wrongSeen: falseOffline,
        detail:
          `on ${ts.db.handle.kind}: ${JSON.stringify(injected)}; ${burst.filter((b) => b.status === "fulfilled").length}/10 edits at once went through; /api/health ${failedDuring.length} non-200 answers ` +
          `(${[...new Set(failedDuring.map((h) => h.status))].join(",") || "none"}), 200 again after ` +
          `${healthBackAt ? healthBackAt - returnedAt : "?"} ms after the fault ended (${returnedAt - at} ms); ${persisted.length} events persisted since the ` +
          `stream's first, ${missing.length} missing on the stream, ${twice.length} twice; ` +
          `${watch.connections} stream connections`,
        assertTrue() {
          expect(lastId, "the stream delivers events written after the fault").not.toBeNull();
          expect(missing, "persisted events the subscribed client never received").toEqual([]);
          expect(twice, "events the client received twice").toEqual([]);
          expect(falseOffline, "agents shown offline though they kept heartbeating").toEqual([]);
          expect(notOnline, "agents not back online without operator action").toEqual([]);
          expect(health.at(-1)?.status).toBe(200);
        },
      };
      recordTruth({
        fault: what,
        trueStatus: "online (unchanged)",
        ms: result.agentsBackMs,
        targetMs: 2_000,
        target: "agents back ≤ 2 s after the database, 0 false offline, 0 lost events",
        wrongSeen: result.wrongSeen,
        detail: result.detail,
      });
      return result;
    },
  };
}

/** An operator edit that persists an event; resolves with its id once the stream delivered it. */
async function edit(ts: TestServer, watch: StreamWatch, id: string, name: string): Promise<string> {
  await waitFor(
    () =>
      operator(ts)
        .workspace.update({ id, name })
        .then(
          () => true,
          () => false,
        ),
    { what: "an operator edit accepted", timeoutMs: 30_000 },
  );
  const [event] = (await eventsOf(ts.db.handle.db, id))
    .filter((e) => e.type === "WORKSPACE_UPDATED")
    .slice(-1);
  await waitFor(async () => watch.events.some((e) => e.id === String(event!.id)), {
    what: `event ${event!.id} (${name}) on the stream`,
    timeoutMs: 30_000,
  });
  return String(event!.id);
}
