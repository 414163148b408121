#!/usr/bin/env node
// CI guard: no test file may silently stop running. For every workspace package:
//   - a package with unit test files (*.test.ts / *.test.tsx) has a `test` script (turbo skips a
//     package without one, quietly), and the files vitest would run — asked of vitest itself, with
//     the package's own config — are exactly the test files on disk (an include glob that misses
//     a file, or a file in a folder the glob does not cover, fails here);
//   - a package with Playwright specs (*.spec.ts) has a `test:e2e` script and Playwright lists
//     every spec file.
// Usage: node scripts/check-tests.mjs   (exit 1 with the reasons when something is unmatched)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const SKIP_DIRS = new Set([
  "node_modules",
  ".next",
  "dist",
  ".turbo",
  ".data",
  "test-results",
  "playwright-report",
]);

/** The workspace packages, from pnpm-workspace.yaml's `packages:` globs (dir/* or a plain dir). */
function workspacePackages() {
  const yaml = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const block = yaml.split(/^packages:\s*$/m)[1]?.split(/^\S/m)[0] ?? "";
  const globs = [...block.matchAll(/^\s+-\s+["']?([^"'\s]+)["']?\s*$/gm)].map((m) => m[1]);
  const dirs = globs.flatMap((glob) => {
    if (!glob.endsWith("/*")) return [glob];
    const parent = glob.slice(0, -2);
    if (!existsSync(join(root, parent))) return [];
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `${parent}/${d.name}`);
  });
  return dirs.filter((dir) => existsSync(join(root, dir, "package.json")));
}

function filesUnder(dir, match) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path, match));
    else if (match.test(entry.name)) out.push(path);
  }
  return out;
}

function run(cwd, args) {
  const result = spawnSync("pnpm", ["exec", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CI: "", TEST_REPORT_DIR: "" },
  });
  if (result.status !== 0)
    throw new Error(`${args.join(" ")} failed in ${cwd}:\n${result.stderr || result.stdout}`);
  return result.stdout;
}

/** The files vitest would run in `dir`, resolved by vitest from the package's own config. */
function vitestFiles(dir) {
  const out = run(dir, ["vitest", "list", "--filesOnly", "--json"]);
  return JSON.parse(out.slice(out.indexOf("["))).map((t) => t.file);
}

/** The spec files Playwright would run in `dir`. */
function playwrightFiles(dir) {
  const report = JSON.parse(run(dir, ["playwright", "test", "--list", "--reporter=json"]));
  const files = new Set();
  const walk = (suite) => {
    if (suite.file && (suite.specs?.length || suite.suites?.length))
      files.add(join(report.config.rootDir, suite.file));
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites ?? []) walk(suite);
  return [...files];
}

const problems = [];
const summary = [];
for (const dir of workspacePackages()) {
  const abs = join(root, dir);
  const pkg = JSON.parse(readFileSync(join(abs, "package.json"), "utf8"));
  const scripts = pkg.scripts ?? {};
  const unit = filesUnder(abs, /\.test\.[cm]?tsx?$/);
  const specs = filesUnder(abs, /\.spec\.[cm]?tsx?$/);

  if (unit.length) {
    if (!scripts.test)
      problems.push(`${dir}: ${unit.length} test files but no "test" script (turbo skips it)`);
    else if (!/\bvitest\b/.test(scripts.test))
      problems.push(`${dir}: the "test" script does not run vitest: ${scripts.test}`);
    else {
      const listed = new Set(vitestFiles(abs));
      for (const file of unit) {
        if (!listed.has(file))
          problems.push(`${dir}: ${relative(abs, file)} is not matched by the vitest config`);
      }
    }
  }
  if (specs.length) {
    if (!scripts["test:e2e"]) problems.push(`${dir}: ${specs.length} spec files but no "test:e2e" script`);
    else {
      const listed = new Set(playwrightFiles(abs));
      for (const file of specs) {
        if (!listed.has(file)) problems.push(`${dir}: ${relative(abs, file)} is not run by Playwright`);
      }
    }
  }
  if (unit.length || specs.length) summary.push(`${dir} (${unit.length} test, ${specs.length} spec files)`);
}

if (problems.length) {
  console.error(`check-tests: test files that would not run:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`check-tests: every test file runs — ${summary.join(", ")}`);
