import { readFileSync } from "node:fs";
import { join } from "node:path";

type Reporter = "default" | ["json", { outputFile: string }];

/**
 * Vitest reporters for every package: the default one, plus, when TEST_REPORT_DIR is set (CI), a
 * JSON report named for the package and the leg (TEST_LEG: postgres, pglite), which
 * scripts/test-counts.mjs prints as one table so a drop in a package's test count is visible.
 */
export function testReporters(): Reporter[] {
  const dir = process.env.TEST_REPORT_DIR;
  if (!dir) return ["default"];
  const { name } = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8")) as { name: string };
  const file = `${name.replace(/^@/, "").replace(/\//g, "__")}.${process.env.TEST_LEG || "local"}.vitest.json`;
  return ["default", ["json", { outputFile: join(dir, file) }]];
}

/** The test settings of a package whose tests are real servers and databases (slow, one file at a time). */
export const integrationTests = {
  include: ["test/**/*.test.ts"],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  fileParallelism: false,
};
