import { expect, test } from "@playwright/test";
import { PGLITE } from "../support/tags";

// Runs first, against the fresh database (MOLECULE_DEMO=0: no demo org).
test("an empty canvas says what to do first", PGLITE, async ({ page }, testInfo) => {
  await page.goto("/");
  const empty = page.getByTestId("empty-state");
  await expect(empty).toBeVisible();
  await expect(empty.getByRole("heading", { name: "No workspaces yet" })).toBeVisible();
  await expect(empty.getByRole("button", { name: "+ Create workspace" })).toBeVisible();
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await page.screenshot({ path: testInfo.outputPath("empty-canvas.png") });

  // The first action works: it opens the create dialog.
  await empty.getByRole("button", { name: "+ Create workspace" }).click();
  await expect(page.getByRole("dialog", { name: "Create workspace" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
});
