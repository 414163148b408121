import type { AccessReason } from "@molecule/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAccess, type OrgNode } from "../src/domain/access";
import { createWorkspace, operator, startTestServer, type TestServer, trpcQuery } from "./helpers";

/*
 * root1                      root2
 * ├─ a                       └─ c
 * │  ├─ a1 ── a1x
 * │  └─ a2
 * ├─ b ── b1
 * └─ gone (removed)
 * fwd1 → a1; f1 → f2 → a2 (chain); l1 ⇄ l2 (loop); toGone → gone
 * h0 → h1 → … → h8 (8 hops, ends) and k0 → … → k9 (9 hops, too long)
 * d0 ← d1 ← … ← d40 (a deep line); p1 ⇄ p2 (a parent loop in bad data)
 */
const nodes = new Map<string, OrgNode>();
const add = (id: string, parentId: string | null, extra: Partial<OrgNode> = {}) =>
  nodes.set(id, { id, parentId, forwardedTo: null, removed: false, ...extra });
add("root1", null);
add("root2", null);
add("a", "root1");
add("a1", "a");
add("a1x", "a1");
add("a2", "a");
add("b", "root1");
add("b1", "b");
add("c", "root2");
add("gone", "root1", { removed: true });
add("fwd1", "root2", { forwardedTo: "a1" });
add("f1", "root2", { forwardedTo: "f2" });
add("f2", "root2", { forwardedTo: "a2" });
add("l1", "root2", { forwardedTo: "l2" });
add("l2", "root2", { forwardedTo: "l1" });
add("toGone", "root2", { forwardedTo: "gone" });
for (let i = 0; i <= 8; i++) add(`h${i}`, "root2", { forwardedTo: i < 8 ? `h${i + 1}` : null });
for (let i = 0; i <= 9; i++) add(`k${i}`, "root2", { forwardedTo: i < 9 ? `k${i + 1}` : null });
for (let i = 0; i <= 40; i++) add(`d${i}`, i === 0 ? null : `d${i - 1}`);
add("p1", "p2");
add("p2", "p1");
add("p1child", "p1");

const cases: [string, string, string, boolean, AccessReason][] = [
  ["self", "a", "a", true, "self"],
  ["siblings", "a", "b", true, "siblings"],
  ["siblings (leaves)", "a1", "a2", true, "siblings"],
  ["roots are siblings", "root1", "root2", true, "siblings"],
  ["child → parent", "a", "root1", true, "parent"],
  ["parent → child", "root1", "a", true, "child"],
  ["grandchild → grandparent", "a1", "root1", true, "ancestor"],
  ["grandparent → grandchild", "root1", "a1", true, "descendant"],
  ["great-grandchild → root", "a1x", "root1", true, "ancestor"],
  ["root → great-grandchild", "root1", "a1x", true, "descendant"],
  ["cousins", "a1", "b1", false, "not_related"],
  ["aunt/niece", "b", "a1", false, "not_related"],
  ["unrelated subtrees", "a", "c", false, "not_related"],
  ["a root and another root's child", "root2", "a", false, "not_related"],
  ["removed target", "a", "gone", false, "removed"],
  ["removed caller", "gone", "a", false, "removed"],
  ["unknown target", "a", "nobody", false, "unknown_target"],
  ["unknown caller", "nobody", "a", false, "unknown_caller"],
  ["forwarded: judged at the end (a → a1 = child)", "a", "fwd1", true, "child"],
  ["forwarded: cousin at the end", "b1", "fwd1", false, "not_related"],
  ["forwarding chain f1 → f2 → a2", "a", "f1", true, "child"],
  ["forwarding chain to a sibling", "a1", "f1", true, "siblings"],
  ["forwarding loop", "a", "l1", false, "forward_loop"],
  ["forwarding to a removed workspace", "a", "toGone", false, "removed"],
  ["8 forwarding hops are followed", "root2", "h0", true, "child"],
  ["more than 8 hops is refused", "root2", "k0", false, "forward_loop"],
  ["deep line within the depth cap (32)", "d32", "d0", true, "ancestor"],
  ["deep line within the depth cap, downwards", "d0", "d32", true, "descendant"],
  ["beyond the depth cap", "d40", "d0", false, "not_related"],
  ["a parent loop in the data does not hang", "p1child", "a", false, "not_related"],
];

describe("checkAccess (SPEC §3 access rule)", () => {
  it.each(cases)("%s: %s → %s", (_name, caller, target, allowed, reason) => {
    expect(checkAccess(nodes, caller, target)).toEqual({ allowed, reason });
  });
});

describe("registry.checkAccess over HTTP", () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer({ adminToken: "admin-secret-for-tests-0123456789" });
  });
  afterAll(async () => {
    await ts?.close();
  });

  it("answers a workspace token holder and the operator; refuses anyone else", async () => {
    const parent = await createWorkspace(ts, { external: true, name: "parent" });
    const child = await createWorkspace(ts, { external: true, name: "child", parentId: parent.id });
    const stranger = await createWorkspace(ts, { external: true, name: "stranger" });
    const cousinParent = await createWorkspace(ts, { external: true, name: "other", parentId: stranger.id });

    const asChild = await trpcQuery(
      ts,
      "registry.checkAccess",
      { callerId: child.id, targetId: parent.id },
      child.token,
    );
    expect(asChild.status).toBe(200);
    expect(asChild.data).toEqual({ allowed: true, reason: "parent" });

    const denied = await trpcQuery(
      ts,
      "registry.checkAccess",
      { callerId: child.id, targetId: cousinParent.id },
      child.token,
    );
    expect(denied.data).toEqual({ allowed: false, reason: "not_related" });

    const asOperator = await trpcQuery(
      ts,
      "registry.checkAccess",
      { callerId: parent.id, targetId: child.id },
      "admin-secret-for-tests-0123456789",
    );
    expect(asOperator.data).toEqual({ allowed: true, reason: "child" });

    const anonymous = await trpcQuery(ts, "registry.checkAccess", {
      callerId: child.id,
      targetId: parent.id,
    });
    expect(anonymous.status).toBe(401);
    const badToken = await trpcQuery(
      ts,
      "registry.checkAccess",
      { callerId: child.id, targetId: parent.id },
      "not-a-real-token-but-long-enough",
    );
    expect(badToken.status).toBe(401);

    // A removed workspace is denied, and its own token no longer answers.
    await operator(ts).workspace.remove({ id: child.id });
    const removed = await trpcQuery(
      ts,
      "registry.checkAccess",
      { callerId: parent.id, targetId: child.id },
      parent.token,
    );
    expect(removed.data).toEqual({ allowed: false, reason: "removed" });
    const removedToken = await trpcQuery(
      ts,
      "registry.checkAccess",
      { callerId: parent.id, targetId: parent.id },
      child.token,
    );
    expect(removedToken.status).toBe(401);
  });
});
