import ELK from "elkjs/lib/elk.bundled.js";
import { describe, expect, it } from "vitest";
import { buildLayout, PARENT_HEADER, PARENT_PADDING, type SceneItem } from "../lib/layout";
import { type TidyCard, tidyMoves } from "../lib/tidy";
import { card } from "./fixtures";

const elk = new ELK();

/** Applies Tidy's moves and returns the scene the canvas would draw (absolute boxes). */
async function tidied(cards: TidyCard[], rootId: string | null = null) {
  const moves = await tidyMoves(elk, cards, rootId);
  const at = new Map(moves.map((m) => [m.id, m]));
  const workspaces = Object.fromEntries(
    cards.map((c) => [
      c.id,
      card(c.id, 1000, { parentId: c.parentId, x: at.get(c.id)?.x ?? c.x, y: at.get(c.id)?.y ?? c.y }),
    ]),
  );
  return { moves, scene: buildLayout(workspaces, []).scene, workspaces };
}

const overlap = (a: SceneItem, b: SceneItem) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function siblingOverlaps(scene: SceneItem[]) {
  const found: string[] = [];
  for (const a of scene)
    for (const b of scene)
      if (a.id < b.id && a.parentId === b.parentId && overlap(a, b)) found.push(`${a.id}/${b.id}`);
  return found;
}

/** A messy org: two teams piled on top of each other, their members stacked on one spot. */
function messy(): TidyCard[] {
  const out: TidyCard[] = [
    { id: "team-a", parentId: null, x: 100, y: 100 },
    { id: "team-b", parentId: null, x: 120, y: 110 },
    { id: "solo", parentId: null, x: 130, y: 90 },
  ];
  for (let i = 0; i < 7; i++) out.push({ id: `a${i}`, parentId: "team-a", x: 20, y: 60 });
  for (let i = 0; i < 3; i++) out.push({ id: `b${i}`, parentId: "team-b", x: 0, y: 0 });
  out.push({ id: "b0-kid", parentId: "b0", x: 0, y: 0 }, { id: "b0-kid2", parentId: "b0", x: 0, y: 0 });
  return out;
}

describe("Tidy (elkjs)", () => {
  it("leaves no two sibling cards overlapping, at any depth", async () => {
    const before = buildLayout(
      Object.fromEntries(
        messy().map((c) => [c.id, card(c.id, 1000, { parentId: c.parentId, x: c.x, y: c.y })]),
      ),
      [],
    ).scene;
    expect(siblingOverlaps(before).length).toBeGreaterThan(0);
    const { scene } = await tidied(messy());
    expect(siblingOverlaps(scene)).toEqual([]);
  });

  it("keeps children inside their parent, below its header", async () => {
    const { scene, workspaces } = await tidied(messy());
    const byId = new Map(scene.map((s) => [s.id, s]));
    for (const s of scene) {
      if (!s.parentId) continue;
      const ws = workspaces[s.id]!;
      expect(ws.x).toBeGreaterThanOrEqual(PARENT_PADDING);
      expect(ws.y).toBeGreaterThanOrEqual(PARENT_HEADER);
      const p = byId.get(s.parentId)!;
      expect(s.x + s.w).toBeLessThanOrEqual(p.x + p.w);
      expect(s.y + s.h).toBeLessThanOrEqual(p.y + p.h);
    }
  });

  it("keeps the org where it began and only lists cards that move", async () => {
    const { moves, scene } = await tidied(messy());
    const tops = scene.filter((s) => !s.parentId);
    expect(Math.min(...tops.map((s) => s.x))).toBe(100);
    expect(Math.min(...tops.map((s) => s.y))).toBe(90);
    const again = await tidyMoves(
      elk,
      messy().map((c) => {
        const m = moves.find((x) => x.id === c.id);
        return m ? { ...c, x: m.x, y: m.y } : c;
      }),
    );
    expect(again).toEqual([]);
  });

  it("tidies one team without moving the team or anything outside it", async () => {
    const { moves, scene } = await tidied(messy(), "team-a");
    // a0 already sits at the top-left of the team: every other member moves, nobody outside.
    expect(moves.map((m) => m.id).sort()).toEqual(["a1", "a2", "a3", "a4", "a5", "a6"]);
    expect(siblingOverlaps(scene.filter((s) => s.parentId === "team-a"))).toEqual([]);
  });
});
