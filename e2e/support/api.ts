import type { APIRequestContext } from "@playwright/test";
import { expect } from "@playwright/test";
import { operatorHeaders } from "./operator";

export interface CreatedWorkspace {
  id: string;
  name: string;
  token: string;
}

/** workspace.create through the real HTTP API (tRPC over fetch, non-batched: body = input). */
export async function createWorkspace(
  request: APIRequestContext,
  input: Record<string, unknown>,
): Promise<CreatedWorkspace> {
  const res = await request.post("/api/trpc/workspace.create", { data: input, headers: operatorHeaders });
  expect(res.status(), await res.text()).toBe(200);
  const body = (await res.json()) as {
    result: { data: { workspace: { id: string; name: string }; token: string } };
  };
  return {
    id: body.result.data.workspace.id,
    name: body.result.data.workspace.name,
    token: body.result.data.token,
  };
}

/** workspace.list through the HTTP API. */
export async function listWorkspaces(
  request: APIRequestContext,
): Promise<{ id: string; name: string; status: string }[]> {
  const res = await request.get("/api/trpc/workspace.list", { headers: operatorHeaders });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { result: { data: { id: string; name: string; status: string }[] } }).result
    .data;
}

/** A wire-compatible (snake_case) heartbeat, the way existing Python runtimes send it. */
export async function heartbeat(
  request: APIRequestContext,
  ws: CreatedWorkspace,
  body: Record<string, unknown> = {},
): Promise<{ status: string }> {
  const res = await request.post("/registry/heartbeat", {
    headers: { authorization: `Bearer ${ws.token}` },
    data: { workspace_id: ws.id, error_rate: 0, active_tasks: 0, uptime_seconds: 5, ...body },
  });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as { status: string };
}

/** A unique name so tests never depend on each other's workspaces. */
export const uniqueName = (prefix: string) => `${prefix} ${Math.random().toString(36).slice(2, 7)}`;

/** A wire-compatible register: what an external agent does when it (re)starts. */
export async function register(
  request: APIRequestContext,
  ws: CreatedWorkspace,
): Promise<{ status: string }> {
  const res = await request.post("/registry/register", {
    headers: { authorization: `Bearer ${ws.token}` },
    data: { id: ws.id, url: "http://127.0.0.1:9/agent", agent_card: { name: ws.name } },
  });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as { status: string };
}

/** workspace.list's view of one workspace (status, url, telemetry). */
export async function viewOf(
  request: APIRequestContext,
  id: string,
): Promise<{ id: string; status: string; url: string | null; lastSampleError: string }> {
  const list = (await listWorkspaces(request)) as unknown as {
    id: string;
    status: string;
    url: string | null;
    lastSampleError: string;
  }[];
  const found = list.find((w) => w.id === id);
  if (!found) throw new Error(`workspace ${id} is not listed`);
  return found;
}

/** The error a wedged Claude SDK runtime reports (SPEC intro): what the amber card shows. */
export const WEDGE_ERROR = "Control request timeout: initialize";
