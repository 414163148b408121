import { expect, test } from "@playwright/test";
import { listWorkspaces, uniqueName } from "../support/api";
import { PGLITE } from "../support/tags";

test(
  "create dialog: a bad value shows a field error and creates nothing; fixing it creates the card",
  PGLITE,
  async ({ page, request }, testInfo) => {
    const name = uniqueName("Analyst");
    await page.goto("/");
    await expect(page.getByTestId("connection")).toHaveText("Live");
    await page.getByRole("button", { name: "+ Create workspace" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Create workspace" });

    await dialog.getByLabel("Name").fill(name);
    await dialog.getByLabel("Max concurrent tasks").fill("500");
    await dialog.getByRole("button", { name: "Create workspace" }).click();

    // Client-side, with the shared zod schema: the message sits on its field.
    const field = dialog.getByLabel("Max concurrent tasks");
    await expect(field).toHaveAttribute("aria-invalid", "true");
    await expect(dialog.locator("#create-maxConcurrentTasks-error")).toHaveText("must be from 1 to 100");
    await dialog.screenshot({ path: testInfo.outputPath("create-dialog-error.png") });
    expect((await listWorkspaces(request)).some((w) => w.name === name)).toBe(false);

    // Server-side field errors land on their field too (an unknown template is only known to the server).
    await field.fill("2");
    await dialog.getByLabel("Template").fill("no-such-template");
    await dialog.getByRole("button", { name: "Create workspace" }).click();
    await expect(dialog.locator("#create-template-error")).toContainText("no template named");
    expect((await listWorkspaces(request)).some((w) => w.name === name)).toBe(false);

    // Fixed: the workspace is created and its card appears.
    await dialog.getByLabel("Template").fill("");
    await dialog.getByLabel("External agent").check();
    await dialog.getByRole("button", { name: "Create workspace" }).click();
    const connect = page.getByRole("dialog", { name: `Connect ${name}` });
    await expect(connect.getByTestId("token-snippet")).toContainText("MOLECULE_WORKSPACE_TOKEN=");
    await connect.getByRole("button", { name: "Done" }).click();

    const created = (await listWorkspaces(request)).find((w) => w.name === name);
    expect(created).toBeTruthy();
    const card = page.locator(`[data-workspace-id="${created!.id}"]`);
    await expect(card).toBeVisible();
    await expect(card).toHaveAttribute("data-status", "awaiting_agent");
    await expect(card).toHaveAttribute("aria-label", `${name}, Awaiting agent`);
  },
);
