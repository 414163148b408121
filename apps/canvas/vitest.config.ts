import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { testReporters } from "../../tooling/vitest-reporters";

// Unit tests of the canvas's plain logic (store, live sync, layout, search): Node, no DOM needed.
// https://vitest.dev/config/
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: { reporters: testReporters(), include: ["test/**/*.test.ts"], environment: "node" },
});
