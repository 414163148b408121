import { expect, test } from "@playwright/test";
import { createWorkspace, uniqueName, viewOf, WEDGE_ERROR } from "../support/api";
import { openCard } from "../support/canvas";
import { PGLITE } from "../support/tags";

// The core story (SPEC intro, §7, §8) with a real agent process started by the local provisioner:
// its runtime wedges while its heartbeat keeps going → amber card with the error → one click on
// Restart → a fresh process (new port, new token) registers → the card turns green, all live.
test(
  "a real demo agent wedges, goes amber, and Restart brings a fresh process online",
  PGLITE,
  async ({ page, request }, testInfo) => {
    test.setTimeout(150_000);
    const ws = await createWorkspace(request, { name: uniqueName("Demo agent"), runtime: "demo" });
    const card = await openCard(page, ws.id);
    await expect(card).toHaveAttribute("data-status", "online", { timeout: 60_000 });
    await expect(page.getByTestId("connection")).toHaveText("Live");

    // Wedge the runtime through the agent's own control endpoint: its tasks now fail with the SDK
    // error, the SDK marks itself wedged, and the next heartbeat says so.
    const first = await viewOf(request, ws.id);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    const wedge = await request.post(`${first.url}/control`, { data: { action: "wedge" } });
    expect(wedge.status()).toBe(200);

    await expect(card).toHaveAttribute("data-status", "degraded", { timeout: 30_000 });
    await expect(card.getByTestId("status-pill")).toHaveText("Degraded");
    await expect(card.getByTestId("sample-error")).toContainText(WEDGE_ERROR);
    await card.screenshot({ path: testInfo.outputPath("real-agent-degraded.png") });

    await card.getByRole("button", { name: "Restart" }).click();
    await expect(card).toHaveAttribute("data-status", /provisioning|online/);
    await expect(card).toHaveAttribute("data-status", "online", { timeout: 60_000 });
    await expect(card.getByTestId("status-pill")).toHaveText("Online");
    await expect(card.getByTestId("sample-error")).toHaveCount(0);
    await card.screenshot({ path: testInfo.outputPath("real-agent-restarted.png") });

    // It really is a new process: it listens on a new port, and it is not wedged.
    const after = await viewOf(request, ws.id);
    expect(after.url).not.toBe(first.url);
    const old = await request.post(`${first.url}/control`, { data: { action: "heal" } }).catch(() => null);
    expect(old?.ok() ?? false).toBe(false);
  },
);

// A process that is alive but silent (hung) stops heartbeating: the sweep marks it offline, and the
// offline card offers Restart too.
test("a hung agent goes offline live and can be restarted from the card", async ({ page, request }) => {
  test.setTimeout(150_000);
  const ws = await createWorkspace(request, { name: uniqueName("Hanging agent"), runtime: "demo" });
  const card = await openCard(page, ws.id);
  await expect(card).toHaveAttribute("data-status", "online", { timeout: 60_000 });

  const { url } = await viewOf(request, ws.id);
  expect((await request.post(`${url}/control`, { data: { action: "hang" } })).status()).toBe(200);
  await expect(card).toHaveAttribute("data-status", "offline", { timeout: 70_000 });
  await expect(card.getByTestId("status-pill")).toHaveText("Offline");

  await card.getByRole("button", { name: "Restart" }).click();
  await expect(card).toHaveAttribute("data-status", "online", { timeout: 60_000 });
});
