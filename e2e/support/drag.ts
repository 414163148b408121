import type { Locator, Page } from "@playwright/test";

/**
 * Drags a card by its header (not its buttons) by (dx, dy) screen pixels, or onto another card, in
 * small steps as a hand would. `beforeDrop` runs while the mouse is still down over the target.
 */
export async function drag(
  page: Page,
  card: Locator,
  to: { x: number; y: number } | Locator,
  beforeDrop?: () => Promise<void>,
) {
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
  await beforeDrop?.();
  await page.mouse.up();
}
