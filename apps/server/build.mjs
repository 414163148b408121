// Bundles the server entry and the workspace packages it imports (TypeScript source) into one ESM
// file, so production runs plain `node dist/main.mjs`: no tsx, no type stripping at start-up.
// Next, React and PGlite stay external: Next loads the canvas build itself, and PGlite finds its
// WASM and data files next to its own module. https://esbuild.github.io/api/#bundle
import { build } from "esbuild";

await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/main.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: ["next", "next/*", "react", "react-dom", "@electric-sql/pglite", "@electric-sql/pglite/*"],
  // Bundled CommonJS dependencies may call require(): give the ESM bundle one.
  banner: {
    js: "import { createRequire as __molecule_createRequire } from 'node:module'; const require = __molecule_createRequire(import.meta.url);",
  },
  logLevel: "warning",
});
