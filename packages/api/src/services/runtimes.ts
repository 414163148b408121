import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "@molecule/db";
import { z } from "zod";

/** How to start one runtime's process (SPEC §7 runtime registry). */
export interface RuntimeSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /**
   * A self-contained script (the demo agent's esbuild bundle): when agents run as another user who
   * may not be able to read the checkout (a clone under /root), the provisioner runs a readable
   * copy of it instead.
   */
  bundle?: string;
}

const RuntimesFileSchema = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  z.object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).optional(),
    bundle: z.string().optional(),
  }),
);

/**
 * The bundled demo agent (apps/agent), run as plain JS: `node apps/agent/dist/main.js`, one file
 * that esbuild bundles with the SDK, the contracts and zod (`pnpm build`), so nothing is resolved or
 * compiled at run time and the child's working directory (its workspace) does not matter.
 *
 * Only when that file does not exist yet (a checkout where nothing was built, e.g. `pnpm dev` before
 * the agent's dev watcher wrote it) does it fall back to the TypeScript source with tsx's loader.
 * `node --import tsx` would resolve "tsx" from the child's cwd, which has no node_modules, so the
 * loader is resolved here, from apps/agent, to an absolute file URL.
 */
export function demoRuntime(root = repoRoot()): RuntimeSpec {
  const agentDir = join(root, "apps", "agent");
  const built = join(agentDir, "dist", "main.js");
  if (existsSync(built)) return { command: process.execPath, args: [built], bundle: built };
  return {
    command: process.execPath,
    args: ["--import", tsxLoaderUrl(agentDir), join(agentDir, "src", "main.ts")],
  };
}

/** file:///…/tsx/dist/loader.mjs as installed for `fromDir`'s package (falls back to the bare name). */
export function tsxLoaderUrl(fromDir: string): string {
  try {
    const require = createRequire(join(fromDir, "package.json"));
    const loader = join(dirname(require.resolve("tsx/package.json")), "dist", "loader.mjs");
    if (existsSync(loader)) return pathToFileURL(loader).href;
  } catch {
    // Not installed next to the agent: let Node try the bare specifier.
  }
  return "tsx";
}

/**
 * The runtime called `name`, if the registry declares one. Own keys only: the registry is a plain
 * object, and `"constructor" in runtimes` is true (an Object.prototype name is not a runtime).
 */
export function findRuntime(runtimes: Record<string, RuntimeSpec>, name: string): RuntimeSpec | undefined {
  return Object.hasOwn(runtimes, name) ? runtimes[name] : undefined;
}

/** `demo` plus whatever MOLECULE_RUNTIMES_FILE (JSON: name → {command, args, env}) declares. */
export function loadRuntimes(file: string | undefined): Record<string, RuntimeSpec> {
  const runtimes: Record<string, RuntimeSpec> = { demo: demoRuntime() };
  if (file && existsSync(file))
    Object.assign(runtimes, RuntimesFileSchema.parse(JSON.parse(readFileSync(file, "utf8"))));
  return runtimes;
}
