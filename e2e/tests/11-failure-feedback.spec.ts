import { expect, test } from "@playwright/test";
import { createWorkspace, heartbeat, uniqueName, viewOf, WEDGE_ERROR } from "../support/api";
import { openCard } from "../support/canvas";
import { drag } from "../support/drag";

// SPEC §8: every action gives feedback, and a failure says what went wrong and loses nothing.
// The server is made unreachable for one procedure (the request is aborted in the browser).
const procedure = (name: string) => (url: URL) => url.pathname.includes(`workspace.${name}`);

test("a restart that cannot reach the server says so and leaves the card usable", async ({
  page,
  request,
}, testInfo) => {
  const ws = await createWorkspace(request, { name: uniqueName("Unlucky"), external: true });
  await heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });
  const card = await openCard(page, ws.id);
  await expect(card).toHaveAttribute("data-status", "degraded");

  const restart = procedure("restart"); // unroute matches the same matcher object
  await page.route(restart, (route) => route.abort("failed"));
  await card.getByRole("button", { name: "Restart" }).click();
  await expect(card.getByRole("alert")).toHaveText("Restart failed: Could not reach the server.");
  await expect(card).toHaveAttribute("data-status", "degraded");
  await expect(card.getByRole("button", { name: "Restart" })).toBeEnabled();
  await card.screenshot({ path: testInfo.outputPath("restart-failed.png") });

  // The server is back: the same button works, and the message goes once the status moves on.
  await page.unroute(restart);
  await card.getByRole("button", { name: "Restart" }).click();
  await expect(card).toHaveAttribute("data-status", "provisioning");
  await expect(card.getByRole("alert")).toHaveCount(0);
});

test("a move the server does not save is rolled back with a message", async ({ page, request }) => {
  const ws = await createWorkspace(request, {
    name: uniqueName("Anchored"),
    external: true,
    canvas: { x: 5000, y: 0 },
  });
  const card = await openCard(page, ws.id);
  await expect(page.getByTestId("connection")).toHaveText("Live");
  const before = (await card.boundingBox())!;

  await page.route(procedure("move"), (route) => route.abort("failed"));
  await drag(page, card, { x: 40, y: 160 });
  await expect(page.getByText(/Could not save the new layout/)).toBeVisible();
  await expect.poll(async () => (await card.boundingBox())!.y).toBeCloseTo(before.y, 0);
  expect((await card.boundingBox())!.x).toBeCloseTo(before.x, 0);
  const stored = (await viewOf(request, ws.id)) as unknown as { x: number; y: number };
  expect({ x: stored.x, y: stored.y }).toEqual({ x: 5000, y: 0 });
});
