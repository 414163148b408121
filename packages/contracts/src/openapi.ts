/**
 * The OpenAPI 3.1 description of Molecule's HTTP API, generated from the zod schemas in this
 * package with zod 4's JSON Schema output (OpenAPI 3.1 uses JSON Schema 2020-12 as is), so the
 * document cannot drift from what the server validates. `docs/openapi.json` is this document,
 * committed (regenerate with `pnpm --filter @molecule/contracts openapi`; a test fails when it is
 * stale); the server can serve `openApiDocument()` at /api/openapi.json.
 * https://zod.dev/json-schema · https://spec.openapis.org/oas/v3.1.0
 */
import { z } from "zod";
import { PROCEDURES, type Procedure, WIRE_ENDPOINTS } from "./openapi-operations";

type JsonSchema = Record<string, unknown>;
type Io = "input" | "output";

/** The version of the documented API (this package's version). */
export const API_VERSION = "0.1.0";

function jsonSchema(schema: z.ZodType, io: Io): JsonSchema {
  // Refinements (URL checks, size limits) have no JSON Schema form: the server still enforces them.
  const { $schema: _, ...out } = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
  });
  return out;
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The wire protocol renames top-level fields only (the agent card inside is the agent's own JSON). */
function snakeCased(schema: JsonSchema): JsonSchema {
  const properties = schema.properties as Record<string, unknown> | undefined;
  if (!properties) return schema;
  return {
    ...schema,
    properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [snake(k), v])),
    ...(Array.isArray(schema.required) ? { required: (schema.required as string[]).map(snake) } : {}),
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (schema: unknown) => ({ "application/json": { schema } });

const wireError = (description: string) => ({
  description,
  content: jsonContent(ref("WireError")),
});

const RETRY_AFTER = { "Retry-After": { schema: { type: "integer" }, description: "Seconds to wait." } };
const UNAVAILABLE =
  "The database is not reachable (an outage): nothing was written; retry after Retry-After.";

const WIRE_ERRORS = {
  "400": wireError("Invalid body; the message names the field (snake_case)."),
  "401": wireError("Missing, invalid, rotated or revoked workspace token."),
  "403": wireError("The body names another workspace than the token's."),
  "404": wireError("Unknown workspace."),
  "429": { ...wireError("Over the per-token rate limit; nothing was written."), headers: RETRY_AFTER },
  "503": { ...wireError(UNAVAILABLE), headers: RETRY_AFTER },
};

const schemaName = (procedure: string, part: "Input" | "Output") =>
  `${procedure
    .split(".")
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("")}${part}`;

const ANY_JSON = { description: "Any JSON (this output has no schema in @molecule/contracts yet)." };

function trpcOperation(p: Procedure, schemas: Record<string, unknown>) {
  if (p.input) schemas[schemaName(p.name, "Input")] = jsonSchema(p.input, "input");
  if (p.output) schemas[schemaName(p.name, "Output")] = jsonSchema(p.output, "output");
  const output = p.output ? ref(schemaName(p.name, "Output")) : ANY_JSON;
  const operation: Record<string, unknown> = {
    operationId: p.name,
    tags: [p.auth === "workspaceToken" ? "agent (tRPC)" : "operator (tRPC)"],
    summary: p.summary,
    security: [{ [p.auth]: [] }],
  };
  if (p.input && p.kind === "mutation") {
    operation.requestBody = { required: true, content: jsonContent(ref(schemaName(p.name, "Input"))) };
  } else if (p.input) {
    operation.parameters = [
      {
        name: "input",
        in: "query",
        required: false,
        description: "The input as URL-encoded JSON.",
        content: jsonContent(ref(schemaName(p.name, "Input"))),
      },
    ];
  }
  operation.responses =
    p.kind === "subscription"
      ? {
          "200": {
            description: "An SSE stream of event envelopes.",
            content: { "text/event-stream": { schema: output } },
          },
        }
      : {
          "200": {
            description: "tRPC's envelope around the output.",
            content: jsonContent({
              type: "object",
              properties: { result: { type: "object", properties: { data: output }, required: ["data"] } },
              required: ["result"],
            }),
          },
          "503": {
            description: `SERVICE_UNAVAILABLE. ${UNAVAILABLE}`,
            headers: RETRY_AFTER,
            content: jsonContent(ref("TrpcError")),
          },
          default: { description: "A tRPC error.", content: jsonContent(ref("TrpcError")) },
        };
  return { [p.kind === "mutation" ? "post" : "get"]: operation };
}

// ─── The document ────────────────────────────────────────────────────────────────────────────────

export function openApiDocument(): Record<string, unknown> {
  const schemas: Record<string, unknown> = {
    WireError: {
      type: "object",
      properties: { error: { type: "string", description: "What was wrong, naming the field." } },
      required: ["error"],
    },
    TrpcError: {
      type: "object",
      properties: {
        error: {
          type: "object",
          properties: {
            message: { type: "string" },
            code: { type: "integer" },
            data: {
              type: "object",
              properties: {
                code: { type: "string", examples: ["BAD_REQUEST", "UNAUTHORIZED", "CONFLICT"] },
                httpStatus: { type: "integer" },
                path: { type: "string" },
                fields: {
                  type: ["array", "null"],
                  items: {
                    type: "object",
                    properties: { path: { type: "string" }, message: { type: "string" } },
                  },
                },
              },
            },
          },
          required: ["message"],
        },
      },
      required: ["error"],
    },
  };
  const paths: Record<string, unknown> = {};

  for (const endpoint of WIRE_ENDPOINTS) {
    schemas[`Wire${endpoint.name}Request`] = snakeCased(jsonSchema(endpoint.input, "input"));
    schemas[`Wire${endpoint.name}Response`] = snakeCased(jsonSchema(endpoint.output, "output"));
    paths[endpoint.path] = {
      post: {
        operationId: `wire${endpoint.name}`,
        tags: ["agent (wire)"],
        summary: endpoint.summary,
        security: [{ workspaceToken: [] }],
        requestBody: { required: true, content: jsonContent(ref(`Wire${endpoint.name}Request`)) },
        responses: {
          "200": { description: "OK", content: jsonContent(ref(`Wire${endpoint.name}Response`)) },
          ...WIRE_ERRORS,
        },
      },
    };
  }
  for (const procedure of PROCEDURES)
    paths[`/api/trpc/${procedure.name}`] = trpcOperation(procedure, schemas);

  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Molecule",
      version: API_VERSION,
      description:
        "The control plane for a team of AI agents. Agents use the wire endpoints (snake_case JSON, the workspace token as a bearer token) or the same procedures over tRPC (camelCase). Operators use the tRPC procedures with the admin token. Generated from @molecule/contracts; the server validates every input with these schemas, plus checks JSON Schema cannot express (URL form, sizes, control characters).",
    },
    servers: [{ url: "http://127.0.0.1:3000" }],
    tags: [
      { name: "agent (wire)", description: "For agent runtimes in any language: plain HTTP, snake_case." },
      { name: "agent (tRPC)", description: "The same agent calls as tRPC procedures, camelCase." },
      {
        name: "operator (tRPC)",
        description:
          "tRPC over HTTP without a transformer: mutations POST the input as the JSON body, queries GET with ?input=<URL-encoded JSON>; answers are {result: {data}}.",
      },
    ],
    paths,
    components: {
      securitySchemes: {
        workspaceToken: {
          type: "http",
          scheme: "bearer",
          description:
            "The workspace token from workspace.create or workspace.rotateToken (rotated at every restart).",
        },
        adminToken: {
          type: "http",
          scheme: "bearer",
          description: "ADMIN_TOKEN (the browser uses a session cookie instead).",
        },
      },
      schemas,
    },
  };
}
