import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/services/logger";
import {
  heartbeat,
  post,
  register,
  startTestServer,
  type TestServer,
  type TestWorkspace,
  trpc,
} from "./helpers";

// Everything the server logs during the run, as written (JSON lines).
const lines: string[] = [];
const capture = { write: (line: string) => void lines.push(line) };
const SECRET_VALUE = "sk-live-do-not-log-7f3a9c1e5b";

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({}, { log: createLogger("debug", capture) });
});
afterAll(async () => {
  await ts?.close();
});

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe("logs (SPEC §9 [r2])", () => {
  it("never hold a token or a secret value, whatever the traffic", async () => {
    const created = await trpc(ts, "workspace.create", { name: "logged", external: true });
    expect(created.status).toBe(200);
    const ws: TestWorkspace = { id: created.data.workspace.id, token: created.data.token };
    expect((await register(ts, ws)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await heartbeat(ts, ws, { errorRate: 0 })).status).toBe(200);
    expect(
      (await post(ts, "/registry/heartbeat", { workspace_id: ws.id, error_rate: 0 }, ws.token)).status,
    ).toBe(200);
    const badToken = `mol_${"q".repeat(40)}`;
    expect((await heartbeat(ts, { id: ws.id, token: badToken })).status).toBe(401);
    expect((await post(ts, "/registry/heartbeat", { workspace_id: ws.id }, badToken)).status).toBe(401);
    const secret = await trpc(ts, "secret.set", { id: ws.id, key: "API_KEY", value: SECRET_VALUE });
    expect(secret.status).toBe(200);
    const rotated = await trpc(ts, "workspace.rotateToken", { id: ws.id });
    const signIn = await fetch(`${ts.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ts.url },
      body: JSON.stringify({ token: ts.config.adminToken }),
    });
    expect(signIn.status).toBeLessThan(400);
    const badSignIn = await fetch(`${ts.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ts.url },
      body: JSON.stringify({ token: "w".repeat(40) }),
    });
    expect(badSignIn.status).toBe(401);

    const output = lines.join("");
    // The run was logged (one line per request at debug), so the absence below means something.
    expect(parsed().filter((l) => l.msg === "request").length).toBeGreaterThanOrEqual(10);
    const cookie = signIn.headers.get("set-cookie")?.match(/=([^;]+)/)?.[1];
    const secrets = [ws.token, badToken, SECRET_VALUE, ts.config.adminToken!, "w".repeat(40)];
    if (rotated.data?.token) secrets.push(rotated.data.token);
    if (cookie) secrets.push(cookie);
    for (const secret of secrets) expect(output).not.toContain(secret);
  });

  it("put a request id on the request's line and echo it; an unsafe one is replaced", async () => {
    const res = await fetch(`${ts.url}/api/health`, { headers: { "x-request-id": "trace-abc.123" } });
    expect(res.headers.get("x-request-id")).toBe("trace-abc.123");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const line = parsed().find((l) => l.requestId === "trace-abc.123");
    expect(line).toMatchObject({
      msg: "request",
      method: "GET",
      path: "/api/health",
      status: 200,
      level: 20,
    });

    const forged = await fetch(`${ts.url}/api/health`, {
      headers: { "x-request-id": 'x" {"level":60} <b>' },
    });
    const given = forged.headers.get("x-request-id");
    expect(given).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(parsed().some((l) => l.requestId === given)).toBe(true);
  });

  it("write nothing per request at info level (the hot path stays quiet)", async () => {
    const quiet: string[] = [];
    const server = await startTestServer(
      {},
      { log: createLogger("info", { write: (l) => void quiet.push(l) }) },
    );
    try {
      await fetch(`${server.url}/api/health`);
      const created = await trpc(server, "workspace.create", { name: "q", external: true });
      const ws = { id: created.data.workspace.id, token: created.data.token };
      await register(server, ws);
      const before = quiet.length;
      for (let i = 0; i < 5; i++) await heartbeat(server, ws, { errorRate: 0 });
      expect(quiet.length).toBe(before);
    } finally {
      await server.close();
    }
  });
});

describe("error lines", () => {
  it("keep the failed query's text but not its bound values, at any depth of cause", () => {
    const out: string[] = [];
    const log = createLogger("info", { write: (line: string) => void out.push(line) });
    const driver = Object.assign(new Error("connection reset"), {
      query: "update workspaces set …",
      parameters: ["driver-bound-value-1"],
    });
    const wrapped = Object.assign(new Error("Failed query"), {
      query: "update workspaces set …",
      params: ["drizzle-bound-value-2"],
      cause: driver,
    });
    log.error({ err: wrapped }, "heartbeat batch failed");
    const line = out.join("");
    expect(line).toContain("update workspaces set");
    expect(line).toContain("connection reset");
    expect(line).not.toContain("driver-bound-value-1");
    expect(line).not.toContain("drizzle-bound-value-2");
  });
});
