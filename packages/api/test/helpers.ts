import type { CreateWorkspaceInput, WorkspaceStatus } from "@molecule/contracts";
import { asc, type Database, eq, findWorkspace, type WorkspaceRow, workspaceEvents } from "@molecule/db";
import { afterAll, beforeAll } from "vitest";
import type { ServerConfig } from "../src/config";
import { createCaller } from "../src/root";
import { startTestServer, type TestServer, waitFor } from "../src/testing";
import { createContext } from "../src/trpc";

/** Tests that need a second connection (PGlite in memory has exactly one) run only on Postgres. */
export const ON_POSTGRES = Boolean(process.env.DATABASE_URL);

export { startTestServer, type TestServer, waitFor };

/**
 * One real server (and fresh database) per test file: started before the file's tests, closed
 * after them. The returned object stands for that server; its properties are read when a test or
 * hook uses them, so it can be declared at module level like the server it replaces.
 */
export function testServerPerFile(
  overrides?: Partial<ServerConfig>,
  options?: Parameters<typeof startTestServer>[1],
): TestServer {
  let current: TestServer | undefined;
  beforeAll(async () => {
    current = await startTestServer(overrides, options);
  });
  afterAll(async () => {
    await current?.close();
  });
  return new Proxy({} as TestServer, {
    get(_target, key) {
      if (!current) throw new Error("The test server starts in beforeAll; use it inside tests and hooks.");
      return Reflect.get(current, key);
    },
  });
}

/** Whether a process with this PID is running (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The operator API as trusted server code calls it. */
export function operator(ts: TestServer) {
  return createCaller(createContext(ts.server.services, null, true));
}

export interface TestWorkspace {
  id: string;
  token: string;
}

export async function createWorkspace(
  ts: TestServer,
  input: Partial<CreateWorkspaceInput> = {},
): Promise<TestWorkspace> {
  const { workspace, token } = await operator(ts).workspace.create({ name: "test", ...input });
  return { id: workspace.id, token };
}

export interface HttpResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  body: any;
}

// Operator procedures: tests call them as a script would, with the admin token as a bearer.
const OPERATOR_PATH = /^\/api\/trpc\/(?:workspace|secret|events)\./;

/** Authorization for a request: the given token, else the admin token on operator paths. */
function authHeaders(ts: TestServer, path: string, token?: string): Record<string, string> {
  const bearer = token ?? (OPERATOR_PATH.test(path) ? ts.config.adminToken : undefined);
  return bearer ? { authorization: `Bearer ${bearer}` } : {};
}

/** POST JSON (or a raw string) to the real server. */
export async function post(ts: TestServer, path: string, body: unknown, token?: string): Promise<HttpResult> {
  const headers = { "content-type": "application/json", ...authHeaders(ts, path, token) };
  const res = await fetch(`${ts.url}${path}`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** A tRPC mutation over HTTP (no transformer: the body is the input). `data` is the output. */
export async function trpc(ts: TestServer, procedure: string, input: unknown, token?: string) {
  const result = await post(ts, `/api/trpc/${procedure}`, input, token);
  return { ...result, data: result.body?.result?.data };
}

/** A tRPC query over HTTP GET. */
export async function trpcQuery(ts: TestServer, procedure: string, input: unknown, token?: string) {
  const headers = authHeaders(ts, `/api/trpc/${procedure}`, token);
  const res = await fetch(
    `${ts.url}/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`,
    { headers },
  );
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  const body: any = await res.json();
  return { status: res.status, body, data: body?.result?.data };
}

export function heartbeat(ts: TestServer, ws: TestWorkspace, hb: Record<string, unknown> = {}) {
  return trpc(ts, "registry.heartbeat", { workspaceId: ws.id, ...hb }, ws.token);
}

export function register(ts: TestServer, ws: TestWorkspace, input: Record<string, unknown> = {}) {
  return trpc(
    ts,
    "registry.register",
    { id: ws.id, url: "http://127.0.0.1:9/a2a", agentCard: { name: "agent" }, ...input },
    ws.token,
  );
}

export async function rowOf(db: Database, id: string): Promise<WorkspaceRow> {
  const row = await findWorkspace(db, id);
  if (!row) throw new Error(`no workspace ${id}`);
  return row;
}

export async function eventsOf(db: Database, id: string) {
  return db
    .select()
    .from(workspaceEvents)
    .where(eq(workspaceEvents.workspaceId, id))
    .orderBy(asc(workspaceEvents.id));
}

export async function eventTypes(db: Database, id: string): Promise<string[]> {
  return (await eventsOf(db, id)).map((e) => e.type);
}

/**
 * The statuses a persisted status event can come from and goes to, read from its type and payload
 * (SPEC §2 table). `null` for events that do not change the status.
 */
export function statusStep(
  type: string,
  payload: Record<string, unknown>,
  external = false,
): { from: readonly WorkspaceStatus[]; to: WorkspaceStatus } | null {
  const prev = payload.previousStatus as WorkspaceStatus | undefined;
  switch (type) {
    case "WORKSPACE_CREATED":
      return { from: [], to: payload.status as WorkspaceStatus };
    case "WORKSPACE_ONLINE":
      return { from: [payload.recoveredFrom as WorkspaceStatus], to: "online" };
    case "WORKSPACE_DEGRADED":
      return { from: ["provisioning", "awaiting_agent", "offline", "failed", "online"], to: "degraded" };
    case "WORKSPACE_OFFLINE":
      return { from: ["online", "degraded"], to: "offline" };
    case "WORKSPACE_PROVISION_FAILED":
      // A crash loop fails a running workspace directly and says where it was.
      return { from: prev ? [prev] : ["provisioning"], to: "failed" };
    case "WORKSPACE_PROVISIONING":
      return payload.reason === "resume"
        ? { from: ["paused"], to: external ? "awaiting_agent" : "provisioning" }
        : { from: prev ? [prev] : [], to: "provisioning" };
    case "WORKSPACE_PAUSED":
      return { from: prev ? [prev] : [], to: "paused" };
    case "WORKSPACE_REMOVED":
      return { from: prev ? [prev] : [], to: "removed" };
    default:
      return null;
  }
}

/**
 * Checks that a workspace's status events form one chain (each event starts where the previous one
 * ended, never a self-transition) and returns the status the chain ends in.
 */
export function statusChain(
  events: { type: string; payload: Record<string, unknown> }[],
  external = false,
): { final: WorkspaceStatus; steps: string[]; problems: string[] } {
  const problems: string[] = [];
  const steps: string[] = [];
  let current: WorkspaceStatus | null = null;
  for (const [i, event] of events.entries()) {
    const step = statusStep(event.type, event.payload, external);
    if (!step) continue;
    if (current !== null && !step.from.includes(current))
      problems.push(`#${i} ${event.type} cannot follow status ${current}`);
    if (current === step.to) problems.push(`#${i} ${event.type} is a self-transition on ${current}`);
    steps.push(`${current ?? "∅"}→${step.to}`);
    current = step.to;
  }
  if (current === null) throw new Error("no status events");
  return { final: current, steps, problems };
}

/** Waits for the operator's view of a workspace to show `status`, and returns that view. */
export function waitForStatus(ts: TestServer, id: string, status: WorkspaceStatus, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const found = (await operator(ts).workspace.list()).find((w) => w.id === id);
      return found?.status === status ? found : null;
    },
    { what: `${id} ${status}`, timeoutMs, intervalMs: 50 },
  );
}
