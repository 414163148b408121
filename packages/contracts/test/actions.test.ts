import { describe, expect, it } from "vitest";
import {
  ACTION_FROM,
  allowedActions,
  judgeAction,
  pausedAncestorOf,
  type TreeNode,
  WORKSPACE_STATUSES,
  type WorkspaceAction,
  type WorkspaceStatus,
} from "../src";

// SPEC §2, the operator rows of the transition table, copied as written (from | trigger | to):
const SPEC_ROWS = `
| any but removed, paused | \`workspace.restart\` | provisioning |
| any but removed | \`workspace.pause\` (cascades to descendants) | paused |
| paused | \`workspace.resume\` | provisioning (external: awaiting_agent) |
| any | \`workspace.remove\` (cascade needs \`cascade: true\`) | removed |
`;

/** "any", "any but a, b" or "a, b" → the statuses it names. */
function statusesOf(from: string): WorkspaceStatus[] {
  const but = /^any(?: but (.+))?$/.exec(from);
  if (but) {
    const except = but[1]?.split(", ") ?? [];
    return WORKSPACE_STATUSES.filter((s) => !except.includes(s));
  }
  return from.split(", ") as WorkspaceStatus[];
}

const spec = new Map<WorkspaceAction, WorkspaceStatus[]>();
for (const line of SPEC_ROWS.trim().split("\n")) {
  const [from, trigger] = line
    .split("|")
    .map((c) => c.trim())
    .filter(Boolean) as [string, string];
  const action = /workspace\.(\w+)/.exec(trigger)![1] as WorkspaceAction;
  spec.set(action, statusesOf(from));
}

describe("which statuses allow which action (SPEC §2)", () => {
  it("reads all four operator rows of the table", () => {
    expect([...spec.keys()].sort()).toEqual(["pause", "remove", "restart", "resume"]);
  });

  for (const [action, specFrom] of spec) {
    it(`${action}: allowed from exactly the statuses SPEC lists`, () => {
      // A removed workspace is a tombstone the operator API treats as unknown (NOT_FOUND), so
      // SPEC's "any" (remove) covers every status a workspace can be found in.
      const expected: WorkspaceStatus[] = specFrom.filter((s) => s !== "removed");
      expect([...ACTION_FROM[action]].sort()).toEqual([...expected].sort());
      for (const status of WORKSPACE_STATUSES) {
        expect(judgeAction(action, status).ok, `${action} from ${status}`).toBe(expected.includes(status));
      }
    });
  }

  it("a removed workspace allows nothing and is reported as gone", () => {
    for (const action of Object.keys(ACTION_FROM) as WorkspaceAction[]) {
      expect(judgeAction(action, "removed")).toMatchObject({ ok: false, gone: true });
    }
    expect(allowedActions("removed")).toEqual([]);
  });

  it("restart while provisioning and pause while paused are accepted no-ops (a double click is one action)", () => {
    expect(judgeAction("restart", "provisioning")).toEqual({ ok: true, noOp: true });
    expect(judgeAction("pause", "paused")).toEqual({ ok: true, noOp: true });
    expect(judgeAction("restart", "degraded")).toEqual({ ok: true, noOp: false });
    expect(allowedActions("provisioning")).not.toContain("restart");
    expect(allowedActions("paused")).toEqual(["resume", "remove"]);
    expect(allowedActions("degraded")).toEqual(["restart", "pause", "remove", "addChild"]);
  });

  it("refusals say why", () => {
    expect(judgeAction("restart", "paused")).toMatchObject({ ok: false, gone: false, reason: /resume/ });
    expect(judgeAction("resume", "online")).toMatchObject({ ok: false, reason: /not paused/ });
    expect(judgeAction("addChild", "paused")).toMatchObject({ ok: false, reason: /paused/ });
  });

  it("a paused ancestor blocks restart, resume and adding a child, and names the ancestor", () => {
    const context = { pausedAncestor: "Research team" };
    for (const [action, status] of [
      ["restart", "online"],
      ["resume", "paused"],
      ["addChild", "online"],
    ] as const) {
      expect(judgeAction(action, status, context)).toEqual({
        ok: false,
        gone: false,
        reason: '"Research team" is paused, and everything under it stays paused: resume it first.',
      });
    }
    // Pausing or removing under a paused ancestor stays possible.
    expect(allowedActions("online", context)).toEqual(["pause", "remove"]);
    expect(allowedActions("paused", context)).toEqual(["remove"]);
  });
});

describe("pausedAncestorOf", () => {
  const tree: Record<string, TreeNode> = {
    root: { parentId: null, status: "paused", name: "Root" },
    mid: { parentId: "root", status: "online", name: "Mid" },
    leaf: { parentId: "mid", status: "online", name: "Leaf" },
    loop: { parentId: "loop", status: "online", name: "Loop" },
  };
  const lookup = (id: string) => tree[id];

  it("finds the nearest paused ancestor, whatever the depth", () => {
    expect(pausedAncestorOf(lookup, tree.leaf!.parentId)).toBe("Root");
    expect(pausedAncestorOf(lookup, tree.mid!.parentId)).toBe("Root");
    expect(pausedAncestorOf(lookup, tree.root!.parentId)).toBeNull();
  });

  it("stops at an unknown parent and at the depth cap (never spins on a loop)", () => {
    expect(pausedAncestorOf(lookup, "nowhere")).toBeNull();
    expect(pausedAncestorOf(lookup, "loop")).toBeNull();
  });
});
