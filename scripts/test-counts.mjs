#!/usr/bin/env node
// Prints one table of test counts per package and leg from the JSON reports CI writes
// (TEST_REPORT_DIR: vitest's json reporter via tooling/vitest-reporters.ts, Playwright's json
// reporter via e2e/playwright.config.ts), so a package whose count drops shows up at a glance.
// Usage: node scripts/test-counts.mjs <TEST_REPORT_DIR>
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? process.env.TEST_REPORT_DIR;
if (!dir) {
  console.error("usage: node scripts/test-counts.mjs <report dir>");
  process.exit(2);
}

function counts(file) {
  const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
  if (file.endsWith(".playwright.json")) {
    const s = report.stats ?? {};
    return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed: s.unexpected ?? 0, skipped: s.skipped ?? 0 };
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed: report.numFailedTests ?? 0,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

const rows = readdirSync(dir)
  .filter((f) => /\.(vitest|playwright)\.json$/.test(f))
  .sort()
  .map((file) => {
    const [pkg, leg] = file.replace(/\.(vitest|playwright)\.json$/, "").split(/\.(?=[^.]+$)/);
    return { package: pkg.includes("__") ? `@${pkg.replace("__", "/")}` : pkg, leg, ...counts(file) };
  });

const header = ["package", "leg", "passed", "failed", "skipped"];
const table = [header, ...rows.map((r) => [r.package, r.leg, r.passed, r.failed, r.skipped].map(String))];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
const line = (row) =>
  row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(" | ");
console.log(line(table[0]));
console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
for (const row of table.slice(1)) console.log(line(row));
const total = rows.reduce(
  (t, r) => ({ passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }),
  {
    passed: 0,
    failed: 0,
    skipped: 0,
  },
);
console.log(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
