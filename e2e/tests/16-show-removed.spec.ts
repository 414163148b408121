import { expect, test } from "@playwright/test";
import { createWorkspace, uniqueName } from "../support/api";
import { drag } from "../support/drag";
import { PGLITE } from "../support/tags";

// SPEC §1: a removed workspace is "not drawn (shown only with 'show removed')".
test(
  "show removed: a removed workspace disappears, comes back greyed with a Removed pill and no actions, and goes again",
  PGLITE,
  async ({ page, request }, testInfo) => {
    // Side by side, far from what other tests create on the same server (they would share the view,
    // and with "Show removed" on, their removed cards too).
    const x = 60_000 + Math.round(Math.random() * 20_000);
    const kept = await createWorkspace(request, {
      name: uniqueName("Kept"),
      external: true,
      canvas: { x, y: 60_000 },
    });
    const doomed = await createWorkspace(request, {
      name: uniqueName("Doomed"),
      external: true,
      canvas: { x: x + 300, y: 60_000 },
    });
    await page.goto(`/?focus=${doomed.id}`);
    await expect(page.getByTestId("connection")).toHaveText("Live");
    const card = page.locator(`[data-workspace-id="${doomed.id}"]`);
    const keptCard = page.locator(`[data-workspace-id="${kept.id}"]`);
    await expect(card).toBeVisible();

    // Removed from the canvas, as an operator does it.
    await card.locator(".card__head").click({ button: "right" });
    await page.getByRole("menuitem", { name: "Remove…" }).click();
    await page
      .getByRole("dialog", { name: `Remove ${doomed.name}?` })
      .getByRole("button", { name: "Remove" })
      .click();
    await expect(card).toHaveCount(0);

    const toggle = page.getByTestId("toggle-show-removed");
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "true");
    await expect(card).toBeVisible();
    await expect(card).toHaveAttribute("data-status", "removed");
    await expect(card.getByTestId("status-pill")).toHaveText("Removed");
    await expect(card.locator(".pill__dot")).toHaveCSS("background-color", "rgb(113, 113, 122)"); // zinc
    await expect(card.getByRole("button", { name: "Restart" })).toHaveCount(0);
    await expect(keptCard).toHaveAttribute("data-status", "awaiting_agent");
    await card.screenshot({ path: testInfo.outputPath("removed-card.png") });

    // It stays where it was on the canvas (a drag on it pans the view, as on the pane), and the
    // server, which would refuse the move, is not asked.
    const offset = async () => {
      const [a, b] = [await card.boundingBox(), await keptCard.boundingBox()];
      return a && b ? { x: a.x - b.x, y: a.y - b.y } : null;
    };
    const before = await offset();
    const moves: string[] = [];
    page.on("request", (r) => {
      if (r.url().includes("workspace.move")) moves.push(r.url());
    });
    await drag(page, card, { x: 140, y: 90 });
    await expect.poll(offset).toEqual(before);
    await expect(page.locator(".toast--error")).toHaveCount(0);
    expect(moves).toEqual([]);

    // Nor does it take children: a live card dropped on it is simply moved there, not nested.
    const saved = page.waitForResponse((r) => r.url().includes("workspace.move") && r.ok());
    await drag(page, keptCard, card);
    await saved;
    await expect(page.getByRole("dialog", { name: "Move into another workspace?" })).toHaveCount(0);
    await expect(keptCard).toHaveAttribute("data-status", "awaiting_agent");

    // Nothing left to do to it: the menu only opens its details, and the panel offers no action.
    await card.locator(".card__head").click({ button: "right" });
    const menu = page.getByRole("menu", { name: `Actions for ${doomed.name}` });
    await expect(menu.getByRole("menuitem")).toHaveText(["Open details"]);
    await menu.getByRole("menuitem", { name: "Open details" }).click();
    const panel = page.getByTestId("details-panel");
    await expect(panel.getByRole("heading", { name: doomed.name })).toBeVisible();
    await expect(panel.locator(".panel__actions")).toHaveCount(0);
    await panel.getByRole("button", { name: "Close details" }).click();

    // Off again: hidden at once, the live card stays.
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await expect(card).toHaveCount(0);
    await expect(keptCard).toBeVisible();
  },
);
