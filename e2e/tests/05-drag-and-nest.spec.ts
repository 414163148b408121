import { expect, type Locator, type Page, test } from "@playwright/test";
import { createWorkspace, uniqueName } from "../support/api";
import { drag } from "../support/drag";
import { PGLITE } from "../support/tags";

type View = { id: string; parentId: string | null; x: number; y: number };

async function workspace(page: Page, id: string): Promise<View> {
  const res = await page.request.get("/api/trpc/workspace.list");
  const list = ((await res.json()) as { result: { data: View[] } }).result.data;
  return list.find((w) => w.id === id)!;
}

/** The React Flow node that holds a card: its transform places the card on the canvas. */
const nodeOf = (page: Page, card: Locator) => page.locator(".react-flow__node").filter({ has: card });

/** The translation of a computed CSS transform ("matrix(a, b, c, d, tx, ty)" or "none"). */
function translation(transform: string): { x: number; y: number } {
  const m = /^matrix\(([^)]+)\)$/.exec(transform);
  if (!m) throw new Error(`not a 2D transform: ${transform}`);
  const values = m[1]!.split(",").map(Number);
  return { x: values[4]!, y: values[5]! };
}

test(
  "drag saves the position (a reload shows the same layout); drop onto a card nests, dragging out un-nests",
  PGLITE,
  async ({ page, request }) => {
    const a = await createWorkspace(request, {
      name: uniqueName("Mover"),
      external: true,
      canvas: { x: 2000, y: 0 },
    });
    const b = await createWorkspace(request, {
      name: uniqueName("Lead"),
      external: true,
      canvas: { x: 2400, y: 0 },
    });
    await page.goto("/");
    await expect(page.getByTestId("connection")).toHaveText("Live");
    const cardA = page.locator(`[data-workspace-id="${a.id}"]`);
    const cardB = page.locator(`[data-workspace-id="${b.id}"]`);
    await cardA.scrollIntoViewIfNeeded();
    await page.getByRole("button", { name: "Fit View" }).click();

    // 1. Plain drag: saved in one workspace.move; a reload shows it where it was dropped.
    const before = await workspace(page, a.id);
    await drag(page, cardA, { x: 0, y: 120 });
    await expect.poll(async () => (await workspace(page, a.id)).y).toBeGreaterThan(before.y + 20);
    const moved = await workspace(page, a.id);
    // What the operator sees, not what the API says: the card's node is placed at the saved point
    // (its transform is the position in flow coordinates), and Fit View frames the same picture.
    const rendered = async () => {
      await page.getByRole("button", { name: "Fit View" }).click();
      const transform = await nodeOf(page, cardA).evaluate((el) => getComputedStyle(el).transform);
      const [box, boxB] = [(await cardA.boundingBox())!, (await cardB.boundingBox())!];
      return { at: translation(transform), box, fromB: { x: box.x - boxB.x, y: box.y - boxB.y } };
    };
    const shown = await rendered();
    expect(shown.at.x).toBeCloseTo(moved.x, 0);
    expect(shown.at.y).toBeCloseTo(moved.y, 0);
    await page.reload();
    await expect(page.getByTestId("connection")).toHaveText("Live");
    await expect(cardA).toBeVisible();
    const reloaded = await rendered();
    expect(reloaded.at.x).toBeCloseTo(moved.x, 0);
    expect(reloaded.at.y).toBeCloseTo(moved.y, 0);
    for (const key of ["x", "y"] as const) {
      expect(reloaded.box[key]).toBeCloseTo(shown.box[key], 0);
      expect(reloaded.fromB[key]).toBeCloseTo(shown.fromB[key], 0);
    }

    // 2. Drop onto another card: the target is highlighted, the nesting is confirmed, then saved.
    await page.getByRole("button", { name: "Fit View" }).click();
    await drag(page, cardA, cardB, async () => {
      await expect(cardB).toHaveClass(/card--drop/);
    });
    await expect(cardB).not.toHaveClass(/card--drop/);
    const confirm = page.getByRole("dialog", { name: "Move into another workspace?" });
    await expect(confirm).toBeVisible();
    await confirm.getByRole("button", { name: /Move into/ }).click();
    await expect.poll(async () => (await workspace(page, a.id)).parentId).toBe(b.id);
    // Drawn inside its parent's card.
    await page.getByRole("button", { name: "Fit View" }).click();
    const parentBox = (await cardB.boundingBox())!;
    const childBox = (await cardA.boundingBox())!;
    expect(childBox.x).toBeGreaterThanOrEqual(parentBox.x);
    expect(childBox.y + childBox.height).toBeLessThanOrEqual(parentBox.y + parentBox.height + 1);

    // 3. Drag it out of the parent onto empty canvas: un-nested.
    await drag(page, cardA, { x: parentBox.width + 200, y: 0 });
    await expect.poll(async () => (await workspace(page, a.id)).parentId).toBe(null);
  },
);
