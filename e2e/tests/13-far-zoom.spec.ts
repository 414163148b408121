import { expect, test } from "@playwright/test";
import { createWorkspace, heartbeat, uniqueName, WEDGE_ERROR } from "../support/api";
import { openCard } from "../support/canvas";
import { canvasZoom, centrePixel, emptyPanePoint, focusedCardId, zoomOutToFar } from "../support/fleet";

const AMBER: [number, number, number] = [245, 158, 11];
const EMERALD: [number, number, number] = [16, 185, 129];

// Issue 11: zoomed far out, cards are shapes on one canvas, in their status colour, kept live.
test("far out, a degraded workspace is an amber shape that turns green live; hover names it, a click zooms to it", async ({
  page,
  request,
}) => {
  const ws = await createWorkspace(request, { name: uniqueName("Far away"), external: true });
  await heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });

  const card = await openCard(page, ws.id);
  await expect(card).toHaveAttribute("data-status", "degraded");
  await expect(page.getByTestId("connection")).toHaveText("Live");

  await zoomOutToFar(page);
  // No card is in the DOM any more: the whole fleet is the canvas layer.
  await expect(page.locator(".react-flow [data-workspace-id]")).toHaveCount(0);
  await expect.poll(() => centrePixel(page)).toEqual(AMBER);

  // Hover names the shape under the pointer.
  const box = (await page.locator(".react-flow").boundingBox())!;
  const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.move(centre.x, centre.y);
  const tip = page.getByTestId("shape-tooltip");
  await expect(tip).toContainText(ws.name);
  await expect(tip).toHaveAttribute("data-workspace-status", "degraded");

  // A status event recolours the shape without a reload.
  await heartbeat(request, ws, { runtime_state: "", error_rate: 0 });
  await expect.poll(() => centrePixel(page)).toEqual(EMERALD);

  // A click on the shape zooms in to the card and focuses it.
  await page.mouse.click(centre.x, centre.y);
  await expect(page.getByTestId("fleet-layer")).toHaveAttribute("data-lod", "near");
  await expect.poll(() => focusedCardId(page)).toBe(ws.id);
  await expect(card).toHaveAttribute("data-status", "online");
});

// Issue 11, panning: the dots are one layer moved by the view's offset (not a pattern repainted
// every frame), and while the pane is dragged the cards move as one composited layer. Both are what
// keep a pan at 5,000 workspaces at the frame rate of an empty canvas (bench/canvas.ts).
test("a pan moves the dotted layer with the view and composites the cards while dragging; far out the dots hide", async ({
  page,
  request,
}) => {
  const ws = await createWorkspace(request, { name: uniqueName("Pan layers"), external: true });
  await openCard(page, ws.id);
  const dots = page.getByTestId("dot-background");
  const offset = () =>
    dots.evaluate((el) => {
      const m = /translate3d\(([-\d.e]+)px, ([-\d.e]+)px/.exec(el.style.transform);
      return { x: Number(m?.[1]), y: Number(m?.[2]), step: Number.parseFloat(el.style.backgroundSize) };
    });
  const willChange = () =>
    page.locator(".react-flow__viewport").evaluate((el) => getComputedStyle(el).willChange);
  await expect(dots).toBeVisible();
  const before = await offset();
  expect(before.step).toBeGreaterThan(0);
  expect(await willChange()).toBe("auto");

  // Room below and right of the point for the drag.
  const from = await emptyPanePoint(page, { left: 0.05, top: 0.1, right: 260, bottom: 200 });
  const shift = { x: 37, y: 23 };
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + shift.x, from.y + shift.y, { steps: 5 });
  await expect(page.locator(".react-flow__pane")).toHaveClass(/dragging/);
  await expect.poll(willChange).toBe("transform");
  await page.mouse.up();
  await expect.poll(willChange).toBe("auto");

  // The layer moved by the pan, modulo one gap between dots (it stays within one gap of the edge).
  const after = await offset();
  const mod = (a: number) => (((a % after.step) + after.step) % after.step) / after.step;
  expect(after.step).toBe(before.step);
  for (const axis of ["x", "y"] as const) {
    expect(after[axis]).toBeLessThanOrEqual(0);
    expect(after[axis]).toBeGreaterThan(-after.step);
    const moved = mod(after[axis] - before[axis] - shift[axis]);
    expect(Math.min(moved, 1 - moved)).toBeLessThan(0.02);
  }

  // Zoomed out until the dots would be under 6 px apart, they are hidden (noise, not help).
  const zoom = () => canvasZoom(page);
  await zoomOutToFar(page);
  await expect(dots).toBeVisible();
  for (let i = 0; i < 12 && (await zoom()) * 24 >= 6; i++)
    await page.getByRole("button", { name: "Zoom Out" }).click();
  await expect.poll(zoom).toBeLessThan(6 / 24);
  await expect(dots).toBeHidden();
});
