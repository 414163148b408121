import { describe, expect, it } from "vitest";
import { loadConfig, parseRateLimit } from "../src/config";
import { RateLimited, TokenBuckets } from "../src/services/rate-limit";
import { retryAfterResponseMeta } from "../src/services/retry-after";
import { createWorkspace, heartbeat, register, rowOf, sleep, testServerPerFile } from "./helpers";

describe("token buckets", () => {
  it("allow the burst, then one call per 1/rate seconds, and say how long to wait", () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 20, burst: 40 }, { now: () => now });
    for (let i = 0; i < 40; i++) expect(buckets.take("a")).toBe(0);
    expect(buckets.take("a")).toBe(50); // one token refills in 1/20 s
    expect(buckets.take("b")).toBe(0); // another key has its own bucket
    now += 50;
    expect(buckets.take("a")).toBe(0);
    expect(buckets.take("a")).toBeGreaterThan(0);
    now += 10_000;
    for (let i = 0; i < 40; i++) expect(buckets.take("a")).toBe(0); // refilled to the burst, no more
    expect(buckets.take("a")).toBeGreaterThan(0);
  });

  it("a normal agent (one call per heartbeat interval) never meets the default limit", () => {
    let now = 0;
    const limit = loadConfig({}).agentRateLimit;
    expect(limit).toEqual({ perSecond: 20, burst: 40 });
    const buckets = new TokenBuckets(limit!, { now: () => now });
    // register + updateCard + checkAccess at start, then a heartbeat every 10 s, plus retries.
    for (let i = 0; i < 10; i++) expect(buckets.take("agent")).toBe(0);
    for (let i = 0; i < 1_000; i++) {
      now += 10_000;
      expect(buckets.take("agent")).toBe(0);
      expect(buckets.take("agent")).toBe(0);
    }
  });

  it("memory stays bounded: idle buckets go, and past maxKeys the least recently used go", () => {
    let now = 0;
    const buckets = new TokenBuckets({ perSecond: 10, burst: 20 }, { now: () => now, maxKeys: 1_000 });
    for (let i = 0; i < 5_000; i++) buckets.take(`k${i}`);
    expect(buckets.size).toBeLessThanOrEqual(1_000);
    now += 2_001; // every bucket has refilled: the same as no bucket
    for (let i = 0; i < 256; i++) buckets.take("fresh");
    expect(buckets.size).toBe(1);
  });

  it("AGENT_RATE_LIMIT reads RATE/BURST, RATE alone, or off; anything else is a config error", () => {
    expect(parseRateLimit("5/7")).toEqual({ perSecond: 5, burst: 7 });
    expect(parseRateLimit("5")).toEqual({ perSecond: 5, burst: 10 });
    expect(parseRateLimit("off")).toBeNull();
    expect(loadConfig({ AGENT_RATE_LIMIT: "100/200" }).agentRateLimit).toEqual({
      perSecond: 100,
      burst: 200,
    });
    for (const bad of ["0/5", "x", "5/0", "-1/3"])
      expect(() => loadConfig({ AGENT_RATE_LIMIT: bad })).toThrow(/AGENT_RATE_LIMIT/);
  });

  it("responseMeta gives a rate-limited tRPC response its Retry-After", () => {
    expect(retryAfterResponseMeta({ errors: [] })).toEqual({});
    expect(retryAfterResponseMeta({ errors: [new RateLimited(2), new RateLimited(3)] })).toEqual({
      headers: { "retry-after": "3" },
    });
  });
});

// A low limit so the tests meet it: 1 call a second, 3 at once. An admin token, so no local caller
// is the operator (whose checkAccess is not an agent call).
const ts = testServerPerFile({
  agentRateLimit: { perSecond: 1, burst: 3 },
  adminToken: "admin-secret-for-tests-0123456789abcdef",
});
const db = () => ts.db.handle.db;

async function raw(path: string, body: unknown, token: string) {
  const res = await fetch(`${ts.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
}

describe("per-token agent rate limit over HTTP (SPEC §3 [r2])", () => {
  it("over it → 429 with nothing written, on tRPC and the wire (with Retry-After); other tokens go on", async () => {
    const ws = await createWorkspace(ts, { external: true });
    const other = await createWorkspace(ts, { external: true });
    expect((await register(ts, ws)).status).toBe(200);

    // Eight at once against a burst of three: some must be refused, and none of those is stored.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => heartbeat(ts, ws, { activeTasks: 100 + i })),
    );
    const accepted = results.flatMap((r, i) => (r.status === 200 ? [100 + i] : []));
    const refused = results.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(accepted.length + refused.length).toBe(8);
    for (const r of refused) expect(r.body.error.data.code).toBe("TOO_MANY_REQUESTS");
    expect(accepted).toContain((await rowOf(db(), ws.id)).activeTasks);

    const wired = await Promise.all(
      [1, 2, 3].map((n) => raw("/registry/heartbeat", { workspace_id: ws.id, active_tasks: n }, ws.token)),
    );
    const limited = wired.find((r) => r.status === 429);
    expect(limited).toBeDefined();
    expect(Number(limited?.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(limited?.body).toEqual({ error: expect.stringMatching(/Too many requests/) });
    const access = await Promise.all(
      [1, 2, 3, 4].map(() => raw("/registry/check-access", { caller_id: ws.id, target_id: ws.id }, ws.token)),
    );
    expect(access.map((r) => r.status)).toContain(429);

    expect((await heartbeat(ts, other, { activeTasks: 9 })).status).toBe(200);

    await sleep(Number(limited?.retryAfter) * 1000);
    expect((await heartbeat(ts, ws, { activeTasks: 5 })).status).toBe(200);
    expect((await rowOf(db(), ws.id)).activeTasks).toBe(5);
  });

  it("an unknown token is limited too, before any database work", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await raw("/registry/heartbeat", { workspace_id: "w" }, "f".repeat(43))).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});
