import type { Locator, Page } from "@playwright/test";
import { expect } from "@playwright/test";

/** The far-zoom layer's pixel at the centre of the flow (where `/?focus=` and Zoom Out keep a card). */
export async function centrePixel(page: Page): Promise<[number, number, number]> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="fleet-layer"]');
    const ctx = canvas?.getContext("2d");
    if (!canvas || !ctx) throw new Error("no far-zoom layer");
    const [r, g, b] = ctx.getImageData(
      Math.floor(canvas.width / 2),
      Math.floor(canvas.height / 2),
      1,
      1,
    ).data;
    return [r ?? 0, g ?? 0, b ?? 0] as [number, number, number];
  });
}

/** The canvas zoom, as React Flow's viewport element has it now. */
export function canvasZoom(page: Page): Promise<number> {
  return page
    .locator(".react-flow__viewport")
    .evaluate((el) => Number(/scale\(([\d.e-]+)\)/.exec(el.style.transform)?.[1]));
}

/** Zooms out with the Controls button (around the centre) until the far-zoom layer draws. */
export async function zoomOutToFar(page: Page): Promise<Locator> {
  const layer = page.getByTestId("fleet-layer");
  for (let i = 0; i < 12 && (await layer.getAttribute("data-lod")) !== "far"; i++) {
    const before = await canvasZoom(page);
    await page.getByRole("button", { name: "Zoom Out" }).click();
    await expect.poll(() => canvasZoom(page)).toBeLessThan(before);
  }
  await expect(layer).toHaveAttribute("data-lod", "far");
  return layer;
}

/** The id of the card that has keyboard focus, if any. */
export function focusedCardId(page: Page): Promise<string | null> {
  return page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.workspaceId ?? null);
}

/** Where screenshots for the issue note go (SCREENS_DIR), or the test's own output folder. */
export function screenPath(name: string, fallback: string): string {
  return process.env.SCREENS_DIR ? `${process.env.SCREENS_DIR}/${name}` : fallback;
}

/** A point on the empty pane (no card or panel under it), for dragging the canvas itself. */
export async function emptyPanePoint(page: Page): Promise<{ x: number; y: number }> {
  const point = await page.evaluate(() => {
    const pane = document.querySelector(".react-flow__pane")?.getBoundingClientRect();
    if (!pane) return null;
    for (let y = pane.top + 40; y < pane.bottom - 200; y += 9) {
      for (let x = pane.left + 80; x < pane.right - 260; x += 9) {
        if (document.elementFromPoint(x, y)?.classList.contains("react-flow__pane")) return { x, y };
      }
    }
    return null;
  });
  if (!point) throw new Error("no empty spot on the pane");
  return point;
}
