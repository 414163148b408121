import { eq, workspaceTokens } from "@molecule/db";
import { describe, expect, it } from "vitest";
import { hashToken, issueToken, revokeTokens } from "../src/services/tokens";
import { createWorkspace, heartbeat, operator, post, register, rowOf, testServerPerFile } from "./helpers";

const ts = testServerPerFile();
const db = () => ts.db.handle.db;

describe("workspace tokens (SPEC §3)", () => {
  it("a token is 32 random bytes in base64url; the database keeps only its SHA-256 and 8-char prefix", async () => {
    const ws = await createWorkspace(ts, { external: true });
    expect(ws.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(ws.token, "base64url")).toHaveLength(32);
    const rows = await db().select().from(workspaceTokens).where(eq(workspaceTokens.workspaceId, ws.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toBe(hashToken(ws.token));
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.prefix).toBe(ws.token.slice(0, 8));
    // The plaintext appears nowhere in the row.
    expect(JSON.stringify(rows[0])).not.toContain(ws.token);
  });

  it("no token → 401; a malformed Authorization header → 401", async () => {
    const ws = await createWorkspace(ts, { external: true });
    expect((await post(ts, "/api/trpc/registry.heartbeat", { workspaceId: ws.id })).status).toBe(401);
    const res = await fetch(`${ts.url}/api/trpc/registry.heartbeat`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${ws.token}` },
      body: JSON.stringify({ workspaceId: ws.id }),
    });
    expect(res.status).toBe(401);
  });

  it("a token of another workspace → 403 on every agent procedure", async () => {
    const a = await createWorkspace(ts, { external: true });
    const b = await createWorkspace(ts, { external: true });
    const asA = a.token;
    expect((await post(ts, "/api/trpc/registry.heartbeat", { workspaceId: b.id }, asA)).status).toBe(403);
    expect((await post(ts, "/api/trpc/registry.register", { id: b.id, url: null }, asA)).status).toBe(403);
    expect(
      (await post(ts, "/api/trpc/registry.updateCard", { workspaceId: b.id, agentCard: { name: "x" } }, asA))
        .status,
    ).toBe(403);
    expect((await rowOf(db(), b.id)).status).toBe("awaiting_agent");
  });

  it("a rotated token stops working at once (401); the new one works", async () => {
    const ws = await createWorkspace(ts, { external: true });
    expect((await heartbeat(ts, ws)).status).toBe(200);
    const fresh = await issueToken(db(), ws.id);
    expect((await heartbeat(ts, ws)).status).toBe(401);
    expect((await heartbeat(ts, { id: ws.id, token: fresh })).status).toBe(200);
    const live = (
      await db().select().from(workspaceTokens).where(eq(workspaceTokens.workspaceId, ws.id))
    ).filter((t) => t.revokedAt === null);
    expect(live.map((t) => t.prefix)).toEqual([fresh.slice(0, 8)]);
  });

  it("workspace.rotateToken over HTTP: old token 401, new one 200", async () => {
    const ws = await createWorkspace(ts, { external: true });
    const rotated = await post(ts, "/api/trpc/workspace.rotateToken", { id: ws.id });
    expect(rotated.status).toBe(200);
    const token = rotated.body.result.data.token as string;
    expect((await heartbeat(ts, ws)).status).toBe(401);
    expect((await heartbeat(ts, { id: ws.id, token })).status).toBe(200);
  });

  it("revoked tokens → 401", async () => {
    const ws = await createWorkspace(ts, { external: true });
    await revokeTokens(db(), ws.id);
    expect((await heartbeat(ts, ws)).status).toBe(401);
  });

  it("a removed workspace's token → 401 (not 404), for heartbeat and register", async () => {
    const ws = await createWorkspace(ts, { external: true });
    expect((await register(ts, ws)).status).toBe(200);
    await operator(ts).workspace.remove({ id: ws.id });
    expect((await heartbeat(ts, ws)).status).toBe(401);
    expect((await register(ts, ws)).status).toBe(401);
    expect((await rowOf(db(), ws.id)).status).toBe("removed");
  });

  it("a local workspace's restart rotates its token: the old process is cut off", async () => {
    const ws = await createWorkspace(ts); // local (provisioner disabled in tests)
    expect((await register(ts, ws)).status).toBe(200);
    const restart = await post(ts, "/api/trpc/workspace.restart", { id: ws.id });
    expect(restart.status).toBe(200);
    expect((await heartbeat(ts, ws)).status).toBe(401);
  });
});
