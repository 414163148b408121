import type { Locator, Page } from "@playwright/test";

/** Opens the canvas centred on one card at full size (`/?focus=`) and returns that card. */
export async function openCard(page: Page, id: string): Promise<Locator> {
  await page.goto(`/?focus=${id}`);
  return page.locator(`[data-workspace-id="${id}"]`);
}
