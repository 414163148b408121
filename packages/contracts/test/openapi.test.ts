import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OPENAPI_FILE } from "../scripts/openapi";
import { openApiDocument } from "../src/openapi";

// biome-ignore lint/suspicious/noExplicitAny: the document is asserted field by field
const doc = openApiDocument() as any;

describe("the OpenAPI document", () => {
  it("docs/openapi.json is up to date with the zod schemas (regenerate: pnpm --filter @molecule/contracts openapi)", () => {
    const committed = JSON.parse(readFileSync(OPENAPI_FILE, "utf8"));
    expect(committed).toEqual(doc);
  });

  it("describes the four wire endpoints in snake_case with the workspace token", () => {
    for (const path of [
      "/registry/register",
      "/registry/heartbeat",
      "/registry/update-card",
      "/registry/check-access",
    ]) {
      expect(doc.paths[path].post.security).toEqual([{ workspaceToken: [] }]);
      expect(doc.paths[path].post.responses["401"]).toBeDefined();
    }
    const heartbeat = doc.components.schemas.WireHeartbeatRequest;
    expect(Object.keys(heartbeat.properties).sort()).toEqual(
      [
        "active_tasks",
        "current_task",
        "error_rate",
        "monthly_spend",
        "runtime_state",
        "sample_error",
        "uptime_seconds",
        "workspace_id",
      ].sort(),
    );
    // Older runtimes send only the id: everything else is optional on the wire (SPEC §2).
    expect(heartbeat.required).toEqual(["workspace_id"]);
    expect(heartbeat.properties.error_rate).toMatchObject({ type: "number", minimum: 0, maximum: 1 });
    expect(doc.components.schemas.WireHeartbeatResponse.required.sort()).toEqual(
      ["directives", "heartbeat_interval_ms", "status"].sort(),
    );
    expect(doc.components.schemas.WireRegisterRequest.properties).toHaveProperty("agent_card");
  });

  it("documents operator procedures as tRPC over HTTP", () => {
    expect(doc.paths["/api/trpc/workspace.create"].post.security).toEqual([{ adminToken: [] }]);
    expect(doc.paths["/api/trpc/workspace.list"].get).toBeDefined();
    expect(doc.components.schemas.WorkspaceCreateInput.required).toEqual(["name"]);
  });
});
