import {
  type CheckAccessInput,
  type CheckAccessOutput,
  CheckAccessOutputSchema,
  type HeartbeatInput,
  type HeartbeatOutput,
  HeartbeatOutputSchema,
  type RegisterInput,
  type RegisterOutput,
  RegisterOutputSchema,
  type UpdateCardInput,
  type UpdateCardOutput,
  UpdateCardOutputSchema,
} from "@molecule/contracts";

/** What the client needs of a contracts schema (structural, so the SDK does not import zod itself). */
interface OutputSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

/**
 * How long one call may take, answer included, before it fails (PlatformError, status null), like
 * the Python SDK's `timeout=10.0`: a platform that accepts a connection and never answers must not
 * stall the heartbeat loop.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** A call the platform answered with an error (`status`), or could not be reached or timed out (`null`). */
export class PlatformError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    /** From the Retry-After header of a 429 or 503, when the platform sent one. */
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PlatformError";
  }
}

export interface PlatformClient {
  register(input: RegisterInput): Promise<RegisterOutput>;
  heartbeat(input: HeartbeatInput): Promise<HeartbeatOutput>;
  updateCard(input: UpdateCardInput): Promise<UpdateCardOutput>;
  checkAccess(input: CheckAccessInput): Promise<CheckAccessOutput>;
}

const camelToSnake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const snakeToCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Top-level keys only: the agent card inside is the agent's own JSON and travels as it is. */
function mapKeys(value: object, map: (key: string) => string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [map(k), v]));
}

/**
 * A typed client for the agent-facing registry over its wire endpoints (SPEC §3: POST
 * /registry/register, /registry/heartbeat, /registry/update-card, /registry/check-access;
 * snake_case JSON; `{"error": …}` bodies). Inputs and outputs are the contracts' types, and every
 * answer is checked with the contracts' zod schema, so a mismatched server fails loudly here rather
 * than as an undefined deep inside the agent. It authenticates each call with the token `getToken()`
 * returns at that moment (so a re-read token is used at once).
 *
 * Why the wire endpoints and not tRPC-over-HTTP: they are the one documented, versioned agent
 * protocol (the Python SDK and curl speak it too, and docs/openapi.json describes it), they do not
 * depend on tRPC's envelope format, and the SDK needs nothing of the server's router types.
 */
export function createPlatformClient(
  platformUrl: string,
  getToken: () => string,
  fetchImpl: typeof fetch = fetch,
  options: { timeoutMs?: number } = {},
): PlatformClient {
  const base = platformUrl.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;

  async function post<T>(path: string, input: object, schema: OutputSchema<T>): Promise<T> {
    let response: Response;
    let text: string;
    try {
      // One deadline for the whole exchange: a body that never ends is as stuck as no answer.
      response = await fetchImpl(`${base}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          authorization: `Bearer ${getToken()}`,
        },
        body: JSON.stringify(mapKeys(input, camelToSnake)),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      // Unreachable, refused, reset, or no answer in time: worth retrying with backoff.
      const timedOut = (error as Error | undefined)?.name === "TimeoutError";
      const why = timedOut ? `no answer within ${timeoutMs} ms (timed out)` : (error as Error).message;
      throw new PlatformError(`${path}: ${why}`, null, null, { cause: error });
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const message =
        body && typeof (body as { error?: unknown }).error === "string"
          ? (body as { error: string }).error
          : `HTTP ${response.status}`;
      const retryAfter = Number(response.headers.get("retry-after"));
      throw new PlatformError(
        `${path}: ${message} (${response.status})`,
        response.status,
        Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : null,
      );
    }
    if (!body || typeof body !== "object" || Array.isArray(body))
      throw new PlatformError(`${path}: the platform answered with something other than a JSON object`, null);
    const parsed = schema.safeParse(mapKeys(body, snakeToCamel));
    if (!parsed.success)
      throw new PlatformError(`${path}: unexpected answer from the platform (${parsed.error.message})`, null);
    return parsed.data;
  }

  return {
    register: (input) => post("/registry/register", input, RegisterOutputSchema),
    heartbeat: (input) => post("/registry/heartbeat", input, HeartbeatOutputSchema),
    updateCard: (input) => post("/registry/update-card", input, UpdateCardOutputSchema),
    checkAccess: (input) => post("/registry/check-access", input, CheckAccessOutputSchema),
  };
}

/** The HTTP status of a failed call, or null for network errors (server down, refused, reset). */
export function httpStatusOf(error: unknown): number | null {
  return error instanceof PlatformError ? error.status : null;
}
