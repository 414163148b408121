import { request as httpRequest } from "node:http";
import { operatorSessions, sql, workspaces } from "@molecule/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { listen } from "../src/http/entry";
import { startServer } from "../src/server";
import { SESSION_COOKIE } from "../src/services/operator-auth";
import { handleSessionRequest } from "../src/services/session-endpoint";
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from "../src/testing";
import { createWorkspace } from "./helpers";

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Plain node:http, so the test controls every header (fetch would not send our Host). */
function raw(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const url = new URL(path, base);
  return new Promise<Raw>((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: init.method ?? "GET",
        headers: init.headers,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

/** The test server: its own HTTP entry serves /api/session too, with the socket's address. */
async function withSessionRoute(ts: TestServer) {
  return { url: ts.url, close: async () => {} };
}

/** A second server on the test server's database, with other settings (as after a restart). */
async function sameDatabaseServer(ts: TestServer, overrides: Partial<TestServer["config"]>) {
  const server = await startServer(
    { ...ts.config, ...overrides },
    { handle: ts.db.handle, background: false },
  );
  const served = await listen(server.listener, "127.0.0.1", 0);
  return {
    url: served.url,
    async close() {
      await served.close();
      await server.stop();
    },
  };
}

const LIST = "/api/trpc/workspace.list";
const json = { "content-type": "application/json" };

async function signIn(base: string, token: string) {
  const res = await raw(base, "/api/session", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ token }),
  });
  const setCookie = ([] as string[]).concat(res.headers["set-cookie"] ?? []);
  const id = setCookie.join(";").match(new RegExp(`${SESSION_COOKIE}=([^;]*)`))?.[1] ?? "";
  return { res, setCookie: setCookie.join("\n"), cookie: `${SESSION_COOKIE}=${id}`, id };
}

describe(`operator auth over HTTP (SPEC §4 [r2]) on ${process.env.DATABASE_URL ? "Postgres" : "PGlite"}`, () => {
  let ts: TestServer;
  let http: Awaited<ReturnType<typeof withSessionRoute>>;
  beforeAll(async () => {
    ts = await startTestServer();
    http = await withSessionRoute(ts);
  });
  afterAll(async () => {
    await http?.close();
    await ts?.close();
  });

  it("the issue's curl: Host attacker.example → 421 and no data, even with the admin token", async () => {
    await createWorkspace(ts, { name: "secret-name", external: true });
    const attacker: Record<string, string>[] = [
      { host: "attacker.example:3000" },
      { host: "attacker.example:3000", authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    ];
    for (const headers of attacker) {
      const res = await raw(ts.url, LIST, { headers });
      expect(res.status).toBe(421);
      expect(res.text).not.toContain("secret-name");
    }
    // The same request with a loopback Host and the token is served.
    const ok = await raw(ts.url, LIST, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("secret-name");
  });

  it("no token → 401 on operator procedures even from loopback; a wrong bearer too", async () => {
    expect((await raw(ts.url, LIST)).status).toBe(401);
    expect((await raw(ts.url, LIST, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
    const create = await raw(ts.url, "/api/trpc/workspace.create", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ name: "sneaky" }),
    });
    expect(create.status).toBe(401);
    // The old cookie that was the admin token itself is no session.
    const legacy = await raw(ts.url, LIST, { headers: { cookie: `molecule_admin=${TEST_ADMIN_TOKEN}` } });
    expect(legacy.status).toBe(401);
    const tokenAsSession = await raw(ts.url, LIST, {
      headers: { cookie: `${SESSION_COOKIE}=${TEST_ADMIN_TOKEN}` },
    });
    expect(tokenAsSession.status).toBe(401);
  });

  it("/api/health stays open without auth", async () => {
    const res = await raw(ts.url, "/api/health");
    expect(res.status).toBe(200);
  });

  it("sign-in sets a random, httpOnly, SameSite=Strict session cookie that is not the token, stored hashed", async () => {
    const { res, setCookie, cookie, id } = await signIn(http.url, TEST_ADMIN_TOKEN);
    expect(res.status).toBe(200);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(setCookie).not.toContain(TEST_ADMIN_TOKEN);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/);
    const rows = await ts.db.handle.db.select().from(operatorSessions);
    expect(JSON.stringify(rows)).not.toContain(id);
    expect(JSON.stringify(rows)).not.toContain(TEST_ADMIN_TOKEN);
    expect(rows.every((r) => r.expiresAt.getTime() > Date.now())).toBe(true);
    // A second sign-in gets another id.
    expect((await signIn(http.url, TEST_ADMIN_TOKEN)).id).not.toBe(id);
    // The cookie is enough to be the operator.
    expect((await raw(ts.url, LIST, { headers: { cookie } })).status).toBe(200);
  });

  it("sign-out deletes the session: the old cookie → 401", async () => {
    const { cookie } = await signIn(http.url, TEST_ADMIN_TOKEN);
    expect((await raw(ts.url, LIST, { headers: { cookie } })).status).toBe(200);
    const out = await raw(http.url, "/api/session", { method: "DELETE", headers: { cookie } });
    expect(out.status).toBe(200);
    expect(String(out.headers["set-cookie"])).toMatch(new RegExp(`${SESSION_COOKIE}=;.*Max-Age=0`));
    expect((await raw(ts.url, LIST, { headers: { cookie } })).status).toBe(401);
  });

  it("an expired session → 401", async () => {
    const { cookie } = await signIn(http.url, TEST_ADMIN_TOKEN);
    await ts.db.handle.db.update(operatorSessions).set({ expiresAt: sql`now() - interval '1 second'` });
    expect((await raw(ts.url, LIST, { headers: { cookie } })).status).toBe(401);
  });

  it("a wrong token → 401 with a clear message; malformed bodies → 400; no session made", async () => {
    const before = (await ts.db.handle.db.select().from(operatorSessions)).length;
    const wrong = await signIn(http.url, "x".repeat(40));
    expect(wrong.res.status).toBe(401);
    expect(JSON.parse(wrong.res.text).error).toMatch(/not right/);
    expect(wrong.setCookie).toBe("");
    for (const body of ["{", "[]", '{"token":1}', "x".repeat(5000)]) {
      const res = await raw(http.url, "/api/session", { method: "POST", headers: json, body });
      expect(res.status).toBe(400);
    }
    expect((await ts.db.handle.db.select().from(operatorSessions)).length).toBe(before);
  });

  it("a mutation with a foreign Origin → 403 and nothing changes; its own origin → 200", async () => {
    const countWorkspaces = async () => (await ts.db.handle.db.select().from(workspaces)).length;
    const { cookie } = await signIn(http.url, TEST_ADMIN_TOKEN);
    const before = await countWorkspaces();
    const create = (origin: string) =>
      raw(ts.url, "/api/trpc/workspace.create", {
        method: "POST",
        headers: { ...json, cookie, origin },
        body: JSON.stringify({ name: "from a page", external: true }),
      });
    const foreign = await create("http://attacker.example");
    expect(foreign.status).toBe(403);
    expect((await create("http://localhost:8080")).status).toBe(403);
    expect(await countWorkspaces()).toBe(before);
    expect((await create(new URL(ts.url).origin)).status).toBe(200);
    expect(await countWorkspaces()).toBe(before + 1);
    // Signing out from a foreign page is refused too.
    const out = await raw(http.url, "/api/session", {
      method: "DELETE",
      headers: { cookie, origin: "http://attacker.example" },
    });
    expect(out.status).toBe(403);
    expect((await raw(ts.url, LIST, { headers: { cookie } })).status).toBe(200);
  });

  it("a host in MOLECULE_ALLOWED_HOSTS is served", async () => {
    const other = await sameDatabaseServer(ts, { allowedHosts: ["molecule.example.com"] });
    try {
      const headers = { host: "molecule.example.com", authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
      expect((await raw(other.url, LIST, { headers })).status).toBe(200);
      expect(
        (await raw(other.url, LIST, { headers: { ...headers, host: "other.example.com" } })).status,
      ).toBe(421);
    } finally {
      await other.close();
    }
  });

  it("changing ADMIN_TOKEN ends every session (same database, new token)", async () => {
    const { cookie } = await signIn(http.url, TEST_ADMIN_TOKEN);
    const newToken = "a-completely-different-admin-token-0123456789";
    const served = await sameDatabaseServer(ts, { adminToken: newToken });
    try {
      expect((await raw(served.url, LIST, { headers: { cookie } })).status).toBe(401);
      expect(
        (await raw(served.url, LIST, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).status,
      ).toBe(401);
      expect((await raw(served.url, LIST, { headers: { authorization: `Bearer ${newToken}` } })).status).toBe(
        200,
      );
      // The cookie itself is fine: under the old token it still works.
      expect((await raw(ts.url, LIST, { headers: { cookie } })).status).toBe(200);
    } finally {
      await served.close();
    }
  });
});

describe("sign-in throttle (10 failures a minute from one address → 429)", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await ts?.close();
  });

  const attempt = (token: string, address: string) =>
    handleSessionRequest(ts.server.services, {
      method: "POST",
      headers: new Headers(),
      body: JSON.stringify({ token }),
      address,
      secure: true,
    });

  it("the 11th attempt within a minute gets 429 with Retry-After, even with the right token; other addresses are unaffected", async () => {
    for (let i = 0; i < 10; i++) expect((await attempt(`wrong-${i}`, "203.0.113.7")).status).toBe(401);
    const throttled = await attempt(TEST_ADMIN_TOKEN, "203.0.113.7");
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(throttled.headers["set-cookie"]).toBeUndefined();

    const elsewhere = await attempt(TEST_ADMIN_TOKEN, "203.0.113.8");
    expect(elsewhere.status).toBe(200);
    // Behind https the cookie is Secure.
    expect(elsewhere.headers["set-cookie"]).toMatch(/; Secure/);
  });
});

describe("admin token at start-up", () => {
  it("refuses a short ADMIN_TOKEN in the environment, saying how long it must be", () => {
    expect(() => loadConfig({ ADMIN_TOKEN: "a" })).toThrow(/ADMIN_TOKEN: must be at least 32 characters/);
    expect(() => loadConfig({ ADMIN_TOKEN: "x".repeat(31) })).toThrow(/at least 32/);
    expect(loadConfig({ ADMIN_TOKEN: "x".repeat(32) }).adminToken).toBe("x".repeat(32));
  });

  it("a server refuses to start with a short token set in code", async () => {
    const config = { ...loadConfig({}), adminToken: "short-token" };
    await expect(startServer(config, { background: false })).rejects.toThrow(/at least 32/);
  });
});
