import type { AppRouter } from "@molecule/api";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";

export type PlatformClient = ReturnType<typeof createPlatformClient>;

/**
 * A typed tRPC client for the agent-facing registry (SPEC §3), authenticating every call with the
 * workspace token `getToken()` returns at that moment (so a re-read token is used at once).
 * https://trpc.io/docs/client/vanilla/setup
 */
export function createPlatformClient(platformUrl: string, getToken: () => string, fetchImpl?: typeof fetch) {
  const base = platformUrl.replace(/\/+$/, "");
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${base}/api/trpc`,
        headers: () => ({ authorization: `Bearer ${getToken()}` }),
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      }),
    ],
  });
}

/** The HTTP status of a failed call, or null for network errors (server down, refused, reset). */
export function httpStatusOf(error: unknown): number | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = error.data as { httpStatus?: unknown } | undefined;
  if (typeof data?.httpStatus === "number") return data.httpStatus;
  const status = (error.meta as { response?: { status?: unknown } } | undefined)?.response?.status;
  return typeof status === "number" ? status : null;
}
