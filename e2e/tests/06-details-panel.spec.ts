import { expect, test } from "@playwright/test";
import { createWorkspace, listWorkspaces, uniqueName } from "../support/api";
import { PGLITE } from "../support/tags";

test(
  "details panel: timeline, secrets, rotate token, pause/resume with the team, remove with cascade",
  PGLITE,
  async ({ page, request }, testInfo) => {
    const lead = await createWorkspace(request, { name: uniqueName("Team lead"), external: true });
    const member = await createWorkspace(request, {
      name: uniqueName("Member"),
      external: true,
      parentId: lead.id,
    });
    await page.goto(`/?focus=${lead.id}`);
    await expect(page.getByTestId("connection")).toHaveText("Live");
    const leadCard = page.locator(`[data-workspace-id="${lead.id}"]`);
    const memberCard = page.locator(`[data-workspace-id="${member.id}"]`);
    await expect(memberCard).toBeVisible();

    // Context menu → Open details.
    await leadCard.locator(".card__head").click({ button: "right" });
    await page.getByRole("menuitem", { name: "Open details" }).click();
    const panel = page.getByTestId("details-panel");
    await expect(panel.getByRole("heading", { name: lead.name })).toBeVisible();
    await expect(panel.locator(".timeline")).toContainText("created");

    // Secrets: keys only, add and delete.
    await panel.getByLabel("Secret key").fill("API_KEY");
    await panel.getByLabel("Secret value").fill("sk-test-123");
    await panel.getByRole("button", { name: "Add" }).click();
    await expect(panel.locator(".kv")).toContainText("API_KEY");
    await expect(panel).not.toContainText("sk-test-123");
    await panel.getByRole("button", { name: "Delete secret API_KEY" }).click();
    await expect(panel.locator(".kv")).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath("details-panel.png") });

    // Rotate token: shown once with a connect snippet.
    await panel.getByRole("button", { name: "Rotate token" }).click();
    const tokenDialog = page.getByRole("dialog", { name: `New token for ${lead.name}` });
    await expect(tokenDialog.getByTestId("token-snippet")).toContainText(`MOLECULE_WORKSPACE_ID=${lead.id}`);
    await tokenDialog.getByRole("button", { name: "Done" }).click();

    // Pause cascades to the team; resume brings the lead back to awaiting its agent.
    await panel.getByRole("button", { name: "Pause" }).click();
    await expect(leadCard).toHaveAttribute("data-status", "paused");
    await expect(memberCard).toHaveAttribute("data-status", "paused");
    await panel.getByRole("button", { name: "Resume" }).click();
    await expect(leadCard).toHaveAttribute("data-status", "awaiting_agent");

    // Remove: the member is listed and removing both needs the explicit cascade.
    await panel.getByRole("button", { name: "Remove…" }).click();
    const dialog = page.getByRole("dialog", { name: `Remove ${lead.name}?` });
    await expect(dialog).toContainText(member.name);
    const remove = dialog.getByRole("button", { name: "Remove 2 workspaces" });
    await expect(remove).toBeDisabled();
    await dialog.getByLabel("Also remove these 1").check();
    await remove.click();
    await expect(leadCard).toHaveCount(0);
    await expect(memberCard).toHaveCount(0);
    await expect(panel).toHaveCount(0);
    const left = await listWorkspaces(request);
    expect(left.some((w) => w.id === lead.id || w.id === member.id)).toBe(false);
  },
);
