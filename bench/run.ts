/**
 * Benchmarks (never timed tests): heartbeat latency/throughput through the real HTTP handler and
 * the canvas list query at fleet scale. Prints a table and writes bench/results/<date>.json.
 * Uses Postgres when DATABASE_URL is set, else in-memory PGlite.
 *   pnpm bench            (HEARTBEATS=2000 WORKSPACES=2000 CONCURRENCY=16 to change the load)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCaller, createContext } from "@molecule/api";
import { startTestServer } from "@molecule/api/testing";

const HEARTBEATS = Number(process.env.HEARTBEATS ?? 2000);
const WORKSPACES = Number(process.env.WORKSPACES ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function timeIt(fn: () => Promise<unknown>) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const t = await startTestServer();
const caller = createCaller(createContext(t.server.services, null, true));
const rows: Record<string, string | number>[] = [];
try {
  // A fleet of external workspaces (no processes), each with its token.
  const fleet: { id: string; token: string }[] = [];
  const createStart = performance.now();
  for (let i = 0; i < WORKSPACES; i++) {
    const { workspace, token } = await caller.workspace.create({
      name: `bench-${i}`,
      external: true,
      canvas: { x: i * 10, y: 0 },
    } as never);
    fleet.push({ id: workspace.id, token });
  }
  const createMs = performance.now() - createStart;
  rows.push({
    name: "workspace.create",
    ops: WORKSPACES,
    total_ms: Math.round(createMs),
    per_op_ms: +(createMs / WORKSPACES).toFixed(2),
  });

  // Heartbeats over real HTTP, CONCURRENCY in flight, a few of them wedged (status transitions).
  const latencies: number[] = [];
  let next = 0;
  const hbStart = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < HEARTBEATS) {
        const i = next++;
        const w = fleet[i % fleet.length]!;
        latencies.push(
          await timeIt(async () => {
            const res = await fetch(`${t.url}/registry/heartbeat`, {
              method: "POST",
              headers: { "content-type": "application/json", authorization: `Bearer ${w.token}` },
              body: JSON.stringify({
                workspace_id: w.id,
                active_tasks: 1,
                runtime_state: i % 50 === 0 ? "wedged" : "",
              }),
            });
            if (res.status !== 200) throw new Error(`heartbeat ${res.status}`);
            await res.arrayBuffer();
          }),
        );
      }
    }),
  );
  const hbMs = performance.now() - hbStart;
  latencies.sort((a, b) => a - b);
  rows.push({
    name: "heartbeat (HTTP)",
    ops: HEARTBEATS,
    total_ms: Math.round(hbMs),
    per_sec: Math.round((HEARTBEATS / hbMs) * 1000),
    p50_ms: +percentile(latencies, 50).toFixed(2),
    p99_ms: +percentile(latencies, 99).toFixed(2),
  });

  // The canvas's first read at fleet scale.
  const listTimes: number[] = [];
  for (let i = 0; i < 10; i++) listTimes.push(await timeIt(() => caller.workspace.list()));
  listTimes.sort((a, b) => a - b);
  rows.push({
    name: `workspace.list (${WORKSPACES})`,
    ops: 10,
    p50_ms: +percentile(listTimes, 50).toFixed(2),
    p99_ms: +percentile(listTimes, 99).toFixed(2),
  });

  // One batched move of every card (a select-all drag).
  const moveMs = await timeIt(() =>
    caller.workspace.move({ moves: fleet.slice(0, 1000).map((w, i) => ({ id: w.id, x: i, y: 5 })) }),
  );
  rows.push({ name: "workspace.move (1000 in one call)", ops: 1, total_ms: Math.round(moveMs) });
} finally {
  await t.close();
}

const result = {
  at: new Date().toISOString(),
  database: process.env.DATABASE_URL ? "postgres" : "pglite",
  node: process.version,
  params: { HEARTBEATS, WORKSPACES, CONCURRENCY },
  rows,
};
console.table(rows);
const dir = join(import.meta.dirname, "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `bench-${result.database}-${result.at.replace(/[:.]/g, "-")}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${file}`);
