import { expect, test } from "@playwright/test";
import { createWorkspace, heartbeat, uniqueName, WEDGE_ERROR } from "../support/api";

// SPEC §8: changes made by another operator appear live, without a reload. Two browser contexts are
// two operators with their own pages and their own event streams.
test("two operators: one restarts and moves a workspace, the other sees both live", async ({
  browser,
  request,
}, testInfo) => {
  const ws = await createWorkspace(request, {
    name: uniqueName("Shared view"),
    external: true,
    canvas: { x: 100, y: 100 },
  });
  // A live wedged agent keeps beating until Alice restarts it: on a slow machine the two pages may
  // take longer than OFFLINE_AFTER_MS to open, and a silent agent would be offline by then.
  let lastBeat = heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });
  await lastBeat;
  const keepBeating = setInterval(() => {
    lastBeat = heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });
  }, 5_000);

  const alice = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const bob = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const [a, b] = [await alice.newPage(), await bob.newPage()];
    await Promise.all([a.goto(`/?focus=${ws.id}`), b.goto(`/?focus=${ws.id}`)]);
    for (const page of [a, b]) await expect(page.getByTestId("connection")).toHaveText("Live");
    const cardA = a.locator(`[data-workspace-id="${ws.id}"]`);
    const cardB = b.locator(`[data-workspace-id="${ws.id}"]`);
    await expect(cardB).toHaveAttribute("data-status", "degraded");

    // Alice restarts; Bob's card walks to Starting without a reload. No heartbeat is in flight.
    clearInterval(keepBeating);
    await lastBeat;
    await cardA.getByRole("button", { name: "Restart" }).click();
    await expect(cardB).toHaveAttribute("data-status", "provisioning");
    await expect(cardB.getByTestId("status-pill")).toHaveText("Starting");

    // Alice moves it (through the same batched call a drag stop makes); Bob's card follows.
    const before = (await cardB.boundingBox())!;
    const moved = await a.request.post("/api/trpc/workspace.move", {
      data: { moves: [{ id: ws.id, x: 400, y: 300 }] },
    });
    expect(moved.status()).toBe(200);
    await expect
      .poll(async () => {
        const box = (await cardB.boundingBox())!;
        return Math.round(box.x - before.x);
      })
      .toBeGreaterThan(50);
    await b.screenshot({ path: testInfo.outputPath("second-operator.png") });
  } finally {
    clearInterval(keepBeating);
    await alice.close();
    await bob.close();
  }
});

test("collapsing a team hides its members and survives a reload", async ({ page, request }) => {
  const lead = await createWorkspace(request, {
    name: uniqueName("Collapsible team"),
    external: true,
    canvas: { x: 3000, y: 1500 },
  });
  const member = await createWorkspace(request, {
    name: uniqueName("Team member"),
    external: true,
    parentId: lead.id,
  });
  await page.goto(`/?focus=${lead.id}`);
  const leadCard = page.locator(`[data-workspace-id="${lead.id}"]`);
  const memberCard = page.locator(`[data-workspace-id="${member.id}"]`);
  await expect(memberCard).toBeVisible();

  await leadCard.getByRole("button", { name: "Hide 1 workspace inside" }).click();
  await expect(memberCard).toHaveCount(0);
  await page.reload();
  await expect(leadCard).toBeVisible();
  await expect(leadCard.getByRole("button", { name: "Show 1 workspace inside" })).toBeVisible();
  await expect(memberCard).toHaveCount(0);

  await leadCard.getByRole("button", { name: "Show 1 workspace inside" }).click();
  await page.reload();
  await expect(memberCard).toBeVisible();
});
