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

/**
 * A point on the empty pane (no card or panel under it), for dragging the canvas itself: the first
 * one scanning from (left, top), as fractions of the pane, to (right, bottom) pixels before its far
 * edges. The defaults keep clear of the toolbar, the controls and the minimap. bench/canvas.ts too.
 */
export async function emptyPanePoint(
  page: Page,
  area = { left: 0.3, top: 0.5, right: 250, bottom: 20 },
): Promise<{ x: number; y: number }> {
  const point = await page.evaluate((a) => {
    const pane = document.querySelector(".react-flow__pane")?.getBoundingClientRect();
    if (!pane) return null;
    for (let y = pane.top + pane.height * a.top; y < pane.bottom - a.bottom; y += 7) {
      for (let x = pane.left + pane.width * a.left; x < pane.right - a.right; x += 7) {
        if (document.elementFromPoint(x, y)?.classList.contains("react-flow__pane")) return { x, y };
      }
    }
    return null;
  }, area);
  if (!point) throw new Error("no empty spot on the pane to drag");
  return point;
}
