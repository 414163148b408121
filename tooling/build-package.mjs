#!/usr/bin/env node
// Builds a workspace package to dist/ (JS + .d.ts) with tsc -p tsconfig.build.json, for packing.
//
// The sources use extensionless relative imports (moduleResolution "Bundler"), which every
// in-repo consumer resolves (Vite, tsx, Next/Turbopack). Node's ESM loader and TypeScript's
// node16/nodenext resolution do not, so the emitted files get explicit ".js" specifiers here:
// "./agent" → "./agent.js", "./dir" → "./dir/index.js". Writing ".js" in the sources instead would
// break Turbopack, which only maps ".js" to ".ts" under nodenext resolution.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

const packageDir = process.cwd();
const dist = join(packageDir, "dist");
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(join(packageDir, "package.json")).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });

const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']*)\2/g;

function withExtension(fromFile, specifier) {
  if (/\.(m?js|json)$/.test(specifier)) return specifier;
  const target = resolve(dirname(fromFile), specifier);
  if (existsSync(`${target}.js`)) return `${specifier}.js`;
  if (existsSync(join(target, "index.js"))) return `${specifier}/index.js`;
  throw new Error(`${fromFile}: cannot resolve ${specifier} in the build output`);
}

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) walk(file);
    else if (file.endsWith(".js") || file.endsWith(".d.ts")) {
      const text = readFileSync(file, "utf8");
      const fixed = text.replace(
        SPECIFIER,
        (_, lead, quote, spec) => `${lead}${quote}${withExtension(file, spec)}${quote}`,
      );
      if (fixed !== text) writeFileSync(file, fixed);
    }
  }
}
walk(dist);
