import { expect, type Page, test } from "@playwright/test";
import { createWorkspace, uniqueName } from "../support/api";
import { drag } from "../support/drag";

type View = { id: string; parentId: string | null; x: number; y: number };

async function workspace(page: Page, id: string): Promise<View> {
  const res = await page.request.get("/api/trpc/workspace.list");
  const list = ((await res.json()) as { result: { data: View[] } }).result.data;
  return list.find((w) => w.id === id)!;
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
});
