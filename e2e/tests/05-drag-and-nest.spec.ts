import { expect, type Locator, type Page, test } from "@playwright/test";
import { createWorkspace, uniqueName } from "../support/api";

type View = { id: string; parentId: string | null; x: number; y: number };

async function workspace(page: Page, id: string): Promise<View> {
  const res = await page.request.get("/api/trpc/workspace.list");
  const list = ((await res.json()) as { result: { data: View[] } }).result.data;
  return list.find((w) => w.id === id)!;
}

/** Drags a card by its header (not its buttons) by (dx, dy) screen pixels, in small steps. */
async function drag(page: Page, card: Locator, to: { x: number; y: number } | Locator) {
  const box = (await card.boundingBox())!;
  const start = { x: box.x + 20, y: box.y + 12 };
  let target: { x: number; y: number };
  if ("x" in to) target = { x: start.x + to.x, y: start.y + to.y };
  else {
    const t = (await to.boundingBox())!;
    target = { x: t.x + t.width / 2, y: t.y + t.height / 2 };
  }
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 5, start.y + 5, { steps: 2 });
  await page.mouse.move(target.x, target.y, { steps: 12 });
  await page.mouse.up();
}

test("drag saves the position (a reload shows the same layout); drop onto a card nests, dragging out un-nests", async ({
  page,
  request,
}) => {
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
  await page.reload();
  await expect(cardA).toBeVisible();
  expect(await workspace(page, a.id)).toMatchObject({ x: moved.x, y: moved.y });

  // 2. Drop onto another card: the target is highlighted, the nesting is confirmed, then saved.
  await page.getByRole("button", { name: "Fit View" }).click();
  await drag(page, cardA, cardB);
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
});
