import { describe, expect, it } from "vitest";
import {
  createWorkspace,
  eventTypes,
  post,
  register,
  rowOf,
  testServerPerFile,
  trpc,
  trpcQuery,
} from "./helpers";

// SPEC §3 [r2]: a token speaks only for its own workspace, checkAccess included; a card equal to
// the stored one writes nothing and emits nothing.
// With an admin token, so no local caller counts as the operator (SPEC §4 [r2] makes that the rule).
const ts = testServerPerFile({ adminToken: "admin-secret-for-tests-0123456789abcdef" });
const db = () => ts.db.handle.db;

describe("checkAccess for an agent caller", () => {
  it("callerId must be the token's own workspace (403 otherwise), over tRPC and the wire", async () => {
    const a = await createWorkspace(ts, { external: true });
    const b = await createWorkspace(ts, { external: true });
    const c = await createWorkspace(ts, { external: true });

    const own = await trpcQuery(ts, "registry.checkAccess", { callerId: a.id, targetId: b.id }, a.token);
    expect(own.status).toBe(200);
    expect(own.data).toEqual({ allowed: true, reason: "siblings" });

    const other = await trpcQuery(ts, "registry.checkAccess", { callerId: b.id, targetId: c.id }, a.token);
    expect(other.status).toBe(403);
    expect(other.data).toBeUndefined();

    const wired = await post(ts, "/registry/check-access", { caller_id: b.id, target_id: c.id }, a.token);
    expect(wired.status).toBe(403);
    expect(wired.body).toEqual({ error: expect.stringMatching(/another workspace/) });
    const wiredOwn = await post(ts, "/registry/check-access", { caller_id: a.id, target_id: c.id }, a.token);
    expect(wiredOwn.status).toBe(200);
  });
});

describe("updateCard with an unchanged card", () => {
  it("30 identical sends write one AGENT_CARD_UPDATED at most; key order does not matter", async () => {
    const ws = await createWorkspace(ts, { external: true });
    expect((await register(ts, ws, { agentCard: { name: "one" } })).status).toBe(200);
    const card = { name: "two", skills: [{ id: "s", tags: ["a", "b"] }], meta: { x: 1, y: null } };
    const reordered = { meta: { y: null, x: 1 }, skills: [{ tags: ["a", "b"], id: "s" }], name: "two" };
    for (let i = 0; i < 30; i++) {
      const res = await trpc(
        ts,
        "registry.updateCard",
        { workspaceId: ws.id, agentCard: i % 2 ? card : reordered },
        ws.token,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const before = await rowOf(db(), ws.id);
    const cardEvents = (await eventTypes(db(), ws.id)).filter((t) => t === "AGENT_CARD_UPDATED");
    expect(cardEvents).toHaveLength(1);
    expect(before.agentCard).toEqual(card);

    // An equal card does not even touch the row (updated_at stays).
    await trpc(ts, "registry.updateCard", { workspaceId: ws.id, agentCard: card }, ws.token);
    expect((await rowOf(db(), ws.id)).updatedAt).toEqual(before.updatedAt);

    // A real change is still written, and array order is a change.
    const changed = { ...card, skills: [{ id: "s", tags: ["b", "a"] }] };
    await trpc(ts, "registry.updateCard", { workspaceId: ws.id, agentCard: changed }, ws.token);
    expect((await eventTypes(db(), ws.id)).filter((t) => t === "AGENT_CARD_UPDATED")).toHaveLength(2);
    expect((await rowOf(db(), ws.id)).agentCard).toEqual(changed);
  });
});
