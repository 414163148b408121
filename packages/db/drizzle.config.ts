import { defineConfig } from "drizzle-kit";

// Migrations live at the repo root (drizzle/), committed; hand-written down scripts sit in drizzle/down/.
// https://orm.drizzle.team/docs/drizzle-config-file
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema/index.ts",
  out: "../../drizzle",
});
