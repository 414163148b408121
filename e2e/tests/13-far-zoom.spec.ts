import { expect, test } from "@playwright/test";
import { createWorkspace, heartbeat, uniqueName, WEDGE_ERROR } from "../support/api";
import { openCard } from "../support/canvas";
import { centrePixel, focusedCardId, zoomOutToFar } from "../support/fleet";

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
