/**
 * The platform while its database is unreachable (Postgres behind a TCP proxy the test cuts): every
 * client hears 503 with Retry-After and a sentence saying so (never a 500), nothing is written,
 * the log says it once rather than once per request, and everything answers 200 again once the
 * database is back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/services/logger";
import { SESSION_COOKIE } from "../src/services/operator-auth";
import {
  createWorkspace,
  eventsOf,
  ON_POSTGRES,
  post,
  rowOf,
  startTestServer,
  type TestServer,
  waitFor,
} from "./helpers";
import { TcpProxy } from "./support/tcp-proxy";

const UNREACHABLE = /database is not reachable/i;

// Everything the server logs, as JSON lines.
const lines: Record<string, unknown>[] = [];
const capture = { write: (line: string) => void lines.push(JSON.parse(line)) };

let proxy: TcpProxy;
let ts: TestServer;

// PGlite runs inside the server's own process: there is no connection to cut.
describe.skipIf(!ON_POSTGRES)(
  "the database unreachable (Postgres only: PGlite has no connection to cut)",
  () => {
    beforeAll(async () => {
      const base = new URL(process.env.DATABASE_URL!);
      proxy = await TcpProxy.start(Number(base.port || 5432), base.hostname);
      base.port = String(proxy.port);
      ts = await startTestServer({}, { databaseUrl: base.toString(), log: createLogger("info", capture) });
    });
    afterAll(async () => {
      await proxy?.heal();
      await ts?.close();
      await proxy?.close();
    });

    const operatorList = () =>
      fetch(`${ts.url}/api/trpc/workspace.list`, {
        headers: { authorization: `Bearer ${ts.config.adminToken}` },
      });

    it("operator and agent calls → 503 + Retry-After, nothing written, one log line; 200 once it is back", async () => {
      const ws = await createWorkspace(ts, { external: true, name: "before the cut" });
      expect((await post(ts, "/registry/heartbeat", { workspace_id: ws.id }, ws.token)).status).toBe(200);
      const before = await rowOf(ts.db.handle.db, ws.id);
      const eventsBefore = (await eventsOf(ts.db.handle.db, ws.id)).length;
      const signedIn = await fetch(`${ts.url}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ts.url },
        body: JSON.stringify({ token: ts.config.adminToken }),
      });
      const session = signedIn.headers.get("set-cookie")?.match(/=([^;]+)/)?.[1];
      expect(session).toBeTruthy();
      const cutAt = lines.length;

      await proxy.refuse();
      // Until the server has met the outage: the first query on a pool connection the cut reset can
      // hang in postgres.js (seen > 100 s; see the report), so the calls below start once health says 503.
      await waitFor(
        async () =>
          (await fetch(`${ts.url}/api/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => null))
            ?.status === 503,
        { what: "/api/health 503", timeoutMs: 30_000 },
      );
      // Operator: tRPC's own error envelope, code SERVICE_UNAVAILABLE.
      const list = await operatorList();
      // biome-ignore lint/suspicious/noExplicitAny: the body is asserted field by field
      const listBody: any = await list.json();
      expect.soft(list.status).toBe(503);
      expect.soft(list.headers.get("retry-after")).toBe("2");
      expect.soft(listBody.error?.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503 });
      expect.soft(listBody.error?.message).toMatch(UNREACHABLE);
      const edit = await post(ts, "/api/trpc/workspace.update", { id: ws.id, name: "during the cut" });
      expect.soft(edit.status).toBe(503);
      // Signing in (a session row) and a signed-in browser's call (its session is looked up first).
      const signIn = await fetch(`${ts.url}/api/session`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ts.url },
        body: JSON.stringify({ token: ts.config.adminToken }),
      });
      expect.soft(signIn.status).toBe(503);
      expect.soft(signIn.headers.get("retry-after")).toBe("2");
      const browser = await fetch(`${ts.url}/api/trpc/workspace.list`, {
        headers: { cookie: `${SESSION_COOKIE}=${session}` },
      });
      expect.soft(browser.status).toBe(503);

      // Agents: the wire's `{"error": …}` and tRPC's heartbeat, every one of them refused the same way.
      const HEARTBEATS = 20;
      const wire: { status: number; retryAfter: string | null; error: unknown }[] = [];
      for (let i = 0; i < HEARTBEATS; i++) {
        const res = await fetch(`${ts.url}/registry/heartbeat`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${ws.token}` },
          body: JSON.stringify({ workspace_id: ws.id, error_rate: 0.9, sample_error: "during the cut" }),
        });
        wire.push({
          status: res.status,
          retryAfter: res.headers.get("retry-after"),
          error: ((await res.json()) as { error?: unknown }).error,
        });
      }
      expect.soft(wire.map((w) => w.status)).toEqual(Array(HEARTBEATS).fill(503));
      expect.soft(wire.map((w) => w.retryAfter)).toEqual(Array(HEARTBEATS).fill("2"));
      expect.soft(String(wire[0]?.error)).toMatch(UNREACHABLE);
      const rpc = await fetch(`${ts.url}/api/trpc/registry.heartbeat`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ws.token}` },
        body: JSON.stringify({ workspaceId: ws.id, errorRate: 0.9 }),
      });
      expect.soft(rpc.status).toBe(503);
      expect.soft(rpc.headers.get("retry-after")).toBe("2");
      expect
        .soft(((await rpc.json()) as { error?: { data?: { code?: string } } }).error?.data?.code)
        .toBe("SERVICE_UNAVAILABLE");
      const duringCut = lines.slice(cutAt);

      await proxy.heal();
      await waitFor(async () => (await operatorList()).status === 200, {
        what: "workspace.list 200 again",
        timeoutMs: 30_000,
      });
      // Nothing the refused calls carried was written.
      const after = await rowOf(ts.db.handle.db, ws.id);
      expect(after.name).toBe("before the cut");
      expect(after.lastHeartbeatAt).toEqual(before.lastHeartbeatAt);
      expect(after.lastErrorRate).toBe(before.lastErrorRate);
      expect(await eventsOf(ts.db.handle.db, ws.id)).toHaveLength(eventsBefore);
      expect((await post(ts, "/registry/heartbeat", { workspace_id: ws.id }, ws.token)).status).toBe(200);

      // The log: no line per refused request, one warning when it began, one line when it ended.
      const perRequest = duringCut.filter((l) => l.requestId !== undefined && Number(l.level) >= 50);
      expect.soft(perRequest, "a log line per refused request").toHaveLength(0);
      const began = duringCut.filter((l) => l.msg === "database unreachable: answering 503 until it is back");
      expect.soft(began).toHaveLength(1);
      expect.soft(began[0]).toMatchObject({ level: 40, err: expect.any(Object) });
      const ended = await waitFor(async () => lines.find((l) => l.msg === "database reachable again"), {
        what: "the recovery log line",
        timeoutMs: 10_000,
      }).catch(() => undefined);
      expect.soft(ended).toMatchObject({ level: 30 });
      expect.soft(Number(ended?.refused)).toBeGreaterThanOrEqual(HEARTBEATS + 3);
    }, 60_000);
  },
);
