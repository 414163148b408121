import { defineConfig } from "vitest/config";
import { integrationTests, testReporters } from "../../tooling/vitest-reporters";

export default defineConfig({ test: { ...integrationTests, reporters: testReporters() } });
