import { defineConfig } from "vitest/config";
import { testReporters } from "../../tooling/vitest-reporters";

export default defineConfig({
  test: {
    reporters: testReporters(),
    include: ["test/**/*.test.ts"],
    testTimeout: 15_000,
  },
});
