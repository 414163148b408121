/**
 * Benchmarks (never timed tests): the operator API at fleet scale — create, the canvas list query,
 * one batched move. Heartbeat ingest, fan-out and the sweep are fleet.ts (wrk, pgbench, baselines).
 * Prints a table and writes bench/results/<date>.json. Postgres when DATABASE_URL is set, else
 * in-memory PGlite.
 *   pnpm --filter @molecule/bench exec tsx run.ts     (WORKSPACES=2000 to change the load)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCaller, createContext } from "@molecule/api";
import { startTestServer } from "@molecule/api/testing";

const WORKSPACES = Number(process.env.WORKSPACES ?? 2000);

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
  params: { WORKSPACES },
  rows,
};
console.table(rows);
const dir = join(import.meta.dirname, "results");
mkdirSync(dir, { recursive: true });
const file = join(dir, `bench-${result.database}-${result.at.replace(/[:.]/g, "-")}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${file}`);
