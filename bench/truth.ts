/**
 * The truth report (issue 10): runs the fault-injection suite (packages/api/test/faults-*.test.ts)
 * with its long cases on (FAULTS_LONG=1) and TRUTH_REPORT set, then prints, per fault, the time to
 * the true status on the live event stream against its target, and the wrong statuses seen on the
 * way. Postgres when DATABASE_URL is set (passed through), else embedded PGlite; the Postgres
 * restart case brings its own cluster either way (skipped, saying why, without Postgres binaries).
 *
 * Prints a table and writes bench/results/truth-<db>-<time>.json. Exits non-zero when a fault test
 * failed (a lie found, or the suite broken): the figures are still printed and written.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TruthFigure } from "../packages/api/test/support/truth";
import { ensureBuilt, repoRoot } from "./lib/harness";
import { writeResult } from "./lib/results";

/** One figure as the suite wrote it (support/truth.ts), with the database it ran on. */
type Figure = TruthFigure & { database: string; at: string };

const apiDir = join(repoRoot, "packages", "api");
// Whatever fault suites this checkout has (network/database, processes, …).
const files = readdirSync(join(apiDir, "test"))
  .filter((f) => /^faults-.*\.test\.ts$/.test(f))
  .sort()
  .map((f) => `test/${f}`);
if (files.length === 0) {
  console.error("[bench] no packages/api/test/faults-*.test.ts found");
  process.exit(1);
}

// The process faults run the demo agent as production does: from its bundle.
ensureBuilt();
const work = mkdtempSync(join(tmpdir(), "molecule-truth-"));
const report = join(work, "truth.jsonl");
const database = process.env.DATABASE_URL ? "postgres" : "pglite";
console.log(`[bench] truth report: ${files.join(", ")} on ${database} (FAULTS_LONG=1)`);

const exitCode = await new Promise<number>((resolve) => {
  const child = spawn("pnpm", ["exec", "vitest", "run", ...files], {
    cwd: apiDir,
    env: { ...process.env, TRUTH_REPORT: report, FAULTS_LONG: "1" },
    stdio: "inherit",
  });
  child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
});

let figures: Figure[] = [];
try {
  figures = readFileSync(report, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Figure);
} catch {
  // no figure written: the suite failed before measuring anything
} finally {
  rmSync(work, { recursive: true, force: true });
}

const met = (f: Figure) => f.ms !== null && f.ms <= f.targetMs && f.wrongSeen.length === 0;
const rows = figures.map((f) => ({
  fault: f.fault,
  // The run's database, except where a case brings its own (the embedded PGlite kill -9).
  database: f.database,
  "true status": f.trueStatus,
  "time to truth ms": f.ms ?? "never",
  target: f.target,
  "target ms": f.targetMs,
  met: met(f) ? "yes" : "NO",
  "wrong statuses seen": f.wrongSeen.length === 0 ? "none" : f.wrongSeen.join(", "),
}));
console.table(rows);
for (const f of figures) if (f.detail) console.log(`${f.fault}: ${f.detail}`);
const notMet = figures.filter((f) => !met(f)).length;
console.log(
  `${figures.length} figures, ${notMet} not met; fault suite ${exitCode === 0 ? "passed" : `FAILED (exit ${exitCode})`}`,
);

writeResult("truth", {
  at: new Date().toISOString(),
  database,
  node: process.version,
  files,
  suitePassed: exitCode === 0,
  figures: figures.map((f) => ({ ...f, met: met(f) })),
});
process.exit(exitCode === 0 ? 0 : 1);
