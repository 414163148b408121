import type { NextConfig } from "next";

// https://nextjs.org/docs/app/api-reference/config/next-config-js
const config: NextConfig = {
  reactStrictMode: true,
  // Internal packages export TypeScript source (create-t3-turbo style); Next compiles them. The
  // API itself is not in this build: the server's own entry (apps/server) answers it before Next.
  transpilePackages: ["@molecule/contracts"],
  // Type checking is its own pipeline step (`pnpm typecheck`, run by turbo), so the build stays fast
  // and does not fail twice for the same error.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
};

export default config;
