import type { ElkNode } from "elkjs/lib/elk-api";
import { CARD_HEIGHT, CARD_WIDTH, PARENT_HEADER, PARENT_PADDING } from "./layout";

/** What Tidy needs of a workspace: where it is and who it reports to. */
export interface TidyCard {
  id: string;
  parentId: string | null;
  x: number;
  y: number;
}

export interface TidyMove {
  id: string;
  x: number;
  y: number;
}

/** Gaps between neighbouring cards (the create placement's grid is 300×180 for 260×150 cards). */
const GAP_X = 40;
const GAP_Y = 30;

/** The part of elkjs Tidy uses: the bundled build on a worker, or in tests. */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/**
 * The org as an ELK graph: every workspace a box, children nested inside their parent (positions in
 * ELK come back relative to the parent, as the canvas stores them). No edges: nesting is the tree.
 * ELK's box layout packs each level in reading order (top to bottom, then left to right, as the
 * operator had them), bottom up, so a parent grows to hold its tidied children.
 * https://eclipse.dev/elk/reference/algorithms/org-eclipse-elk-box.html
 */
export function tidyGraph(cards: readonly TidyCard[], rootId: string | null): ElkNode {
  const byId = new Map(cards.map((c) => [c.id, c]));
  const children = new Map<string | null, TidyCard[]>();
  for (const c of cards) {
    const parent = c.parentId && byId.has(c.parentId) ? c.parentId : null;
    const list = children.get(parent);
    if (list) list.push(c);
    else children.set(parent, [c]);
  }
  const level = (padTop: number, pad: number) => ({
    "elk.algorithm": "box",
    "elk.padding": `[top=${padTop},left=${pad},bottom=${pad},right=${pad}]`,
    "elk.spacing.nodeNode": String(GAP_X),
    // Wide rather than tall, like a screen: ELK's box packing aims at this width/height ratio.
    "elk.aspectRatio": "1.6",
  });
  const seen = new Set<string>();
  const node = (c: TidyCard, depth: number): ElkNode => {
    seen.add(c.id);
    const kids = depth < 32 ? ordered(children.get(c.id) ?? []).filter((k) => !seen.has(k.id)) : [];
    if (kids.length === 0) return { id: c.id, width: CARD_WIDTH, height: CARD_HEIGHT };
    return {
      id: c.id,
      layoutOptions: {
        ...level(PARENT_HEADER, PARENT_PADDING),
        "elk.nodeSize.constraints": "MINIMUM_SIZE",
        "elk.nodeSize.minimum": `(${CARD_WIDTH}, ${CARD_HEIGHT})`,
      },
      children: kids.map((k) => node(k, depth + 1)),
    };
  };
  const root = rootId ? byId.get(rootId) : undefined;
  const top = root ? [root] : ordered(children.get(null) ?? []);
  return { id: "__tidy_root__", layoutOptions: level(0, 0), children: top.map((c) => node(c, 0)) };
}

/** Reading order: rows of roughly a card's height, left to right within a row. */
function ordered(list: readonly TidyCard[]): TidyCard[] {
  return [...list].sort((a, b) => Math.round(a.y / GAP_Y / 6) - Math.round(b.y / GAP_Y / 6) || a.x - b.x);
}

/**
 * The positions after Tidy, for every card that moves. The top level keeps the tidied block where
 * the old one began (its top-left card), so Tidy does not throw the org to the origin; a subtree
 * Tidy (rootId) keeps the root where it is and only rearranges what is inside it.
 */
export async function tidyMoves(
  elk: ElkLike,
  cards: readonly TidyCard[],
  rootId: string | null = null,
): Promise<TidyMove[]> {
  const graph = tidyGraph(cards, rootId);
  const laid = await elk.layout(graph);
  const byId = new Map(cards.map((c) => [c.id, c]));
  const out: TidyMove[] = [];
  const tops = laid.children ?? [];
  let ox = 0;
  let oy = 0;
  if (!rootId && tops.length) {
    ox = Math.min(...tops.map((t) => byId.get(t.id)?.x ?? 0));
    oy = Math.min(...tops.map((t) => byId.get(t.id)?.y ?? 0));
  }
  const visit = (n: ElkNode, isTop: boolean) => {
    const card = byId.get(n.id);
    if (card && !(isTop && rootId)) {
      const x = Math.round((n.x ?? 0) + (isTop ? ox : 0));
      const y = Math.round((n.y ?? 0) + (isTop ? oy : 0));
      if (x !== card.x || y !== card.y) out.push({ id: n.id, x, y });
    }
    for (const kid of n.children ?? []) visit(kid, false);
  };
  for (const t of tops) visit(t, true);
  return out;
}
