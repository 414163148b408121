import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root, found by walking up to pnpm-workspace.yaml. Next.js runs with cwd
 * apps/canvas and bundles this file elsewhere, so we search from both the cwd and this file.
 */
export function repoRoot(): string {
  const starts = [process.cwd()];
  try {
    starts.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    // import.meta.url is not a file URL inside some bundles; the cwd search is enough then.
  }
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return process.cwd();
}

/** drizzle/ with the committed migrations (and down/ scripts). */
export function migrationsDir(): string {
  return process.env.MOLECULE_MIGRATIONS_DIR ?? join(repoRoot(), "drizzle");
}

/** Where the embedded database and its key file live when DATABASE_URL is unset. */
export function dataDir(): string {
  return process.env.MOLECULE_DATA_DIR ?? join(repoRoot(), ".data");
}
