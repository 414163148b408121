/**
 * Boots the server (database + migrations, event bus, background services) once per Node.js server
 * process, at start-up rather than on the first request. Never runs during `next build`, and never in
 * the edge runtime. https://nextjs.org/docs/app/guides/instrumentation
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getServer } = await import("@molecule/api/server");
  try {
    await getServer();
  } catch (error) {
    // Keep serving: /api/health reports the problem and getServer() retries on the next request.
    console.error("[molecule] server start failed:", error instanceof Error ? error.message : error);
  }
}
