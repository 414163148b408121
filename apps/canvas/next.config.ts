import type { NextConfig } from "next";

// https://nextjs.org/docs/app/api-reference/config/next-config-js
const config: NextConfig = {
  reactStrictMode: true,
  // Internal packages export TypeScript source (create-t3-turbo style); Next compiles them.
  transpilePackages: ["@molecule/api", "@molecule/db", "@molecule/contracts"],
  // PGlite ships WASM + data files and postgres.js opens sockets: load them from node_modules at
  // runtime instead of bundling. https://nextjs.org/docs/app/api-reference/config/next-config-js/serverExternalPackages
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  // Type checking is its own pipeline step (`pnpm typecheck`, run by turbo), so the build stays fast
  // and does not fail twice for the same error.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
};

export default config;
