import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes one benchmark's result as bench/results/<name>-<database>-<time>.json (the format every
 * script here uses: `at`, `database`, `node`, then its own fields) and says where.
 */
export function writeResult(
  name: string,
  result: { at: string; database: string; [field: string]: unknown },
): string {
  const dir = join(import.meta.dirname, "..", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${result.database}-${result.at.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${file}`);
  return file;
}
