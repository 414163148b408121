import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { createCaller } from "../root";
import { retryAfterOf } from "../services/rate-limit";
import type { Services } from "../services/services";
import { createContext, describeFieldErrors, fieldErrors } from "../trpc";
import { BodyTooLargeError, bodyLimitFor, readBody } from "./body";

const snakeToCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const camelToSnake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Top-level keys only: the agent card inside is the agent's own JSON and is kept as sent. */
function mapKeys(value: unknown, map: (k: string) => string): unknown {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [map(k), v]));
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

type Caller = ReturnType<typeof createCaller>;
const ROUTES: Record<string, (caller: Caller, input: never) => Promise<unknown>> = {
  register: (c, i) => c.registry.register(i),
  heartbeat: (c, i) => c.registry.heartbeat(i),
  "update-card": (c, i) => c.registry.updateCard(i),
  "check-access": (c, i) => c.registry.checkAccess(i),
};

/**
 * Wire compatibility for existing (Python) Molecule runtimes (SPEC §3): snake_case JSON over plain
 * HTTP, `{"error": …}` bodies. Each endpoint calls the very same tRPC procedure (auth, validation
 * and service code included) through a server-side caller, so there is no second implementation.
 */
export async function handleWire(req: Request, services: Services, name: string): Promise<Response> {
  const route = ROUTES[name];
  if (!route) return json(404, { error: `Unknown registry endpoint /registry/${name}.` });
  if (req.method !== "POST") return json(405, { error: "Use POST." });
  let body: unknown;
  try {
    const text = await readBody(req, bodyLimitFor(`/registry/${name}`));
    body = text ? JSON.parse(text) : {};
  } catch (error) {
    if (error instanceof BodyTooLargeError) return json(400, { error: error.message });
    return json(400, { error: "body: must be valid JSON" });
  }
  if (!body || typeof body !== "object" || Array.isArray(body))
    return json(400, { error: "body: must be a JSON object" });
  try {
    const caller = createCaller(createContext(services, req));
    const output = await route(caller, mapKeys(body, snakeToCamel) as never);
    return json(200, mapKeys(output, camelToSnake));
  } catch (error) {
    const trpc =
      error instanceof TRPCError ? error : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
    const status = getHTTPStatusCodeFromError(trpc);
    if (status >= 500) {
      console.error("[wire]", name, error);
      return json(status, { error: "Something went wrong on the server." });
    }
    const fields = fieldErrors(trpc.cause);
    const message = fields
      ? describeFieldErrors(
          fields.map((f) => ({ ...f, path: f.path.split(".").map(camelToSnake).join(".") })),
        )
      : trpc.message;
    const retryAfter = retryAfterOf(trpc);
    return json(status, { error: message }, retryAfter ? { "retry-after": retryAfter } : {});
  }
}
