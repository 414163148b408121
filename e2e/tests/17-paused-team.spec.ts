import { expect, test } from "@playwright/test";
import { createWorkspace, listWorkspaces, uniqueName } from "../support/api";

// SPEC §2: pause cascades to descendants, so nothing may start under a paused workspace. The
// canvas disables what the server would refuse, and says why.
test("under a paused team: Resume is disabled with the reason, and the team is no parent to pick", async ({
  page,
  request,
}) => {
  const team = await createWorkspace(request, { name: uniqueName("Paused team"), external: true });
  const member = await createWorkspace(request, {
    name: uniqueName("Member"),
    external: true,
    parentId: team.id,
  });
  const paused = await request.post("/api/trpc/workspace.pause", { data: { id: team.id } });
  expect(paused.status(), await paused.text()).toBe(200);

  await page.goto(`/?focus=${member.id}`);
  await expect(page.getByTestId("connection")).toHaveText("Live");
  const memberCard = page.locator(`[data-workspace-id="${member.id}"]`);
  await expect(memberCard).toHaveAttribute("data-status", "paused");
  await memberCard.locator(".card__head").click({ button: "right" });
  await page.getByRole("menuitem", { name: "Open details" }).click();
  const resume = page.getByTestId("details-panel").getByRole("button", { name: "Resume" });
  await expect(resume).toBeDisabled();
  await expect(resume).toHaveAttribute(
    "title",
    `"${team.name}" is paused, and everything under it stays paused: resume it first.`,
  );

  await page.getByRole("button", { name: "+ Create workspace" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create workspace" });
  const option = dialog.getByLabel("Reports to").locator(`option[value="${team.id}"]`);
  await expect(option).toBeDisabled();
  await expect(option).toHaveText(`${team.name} (paused)`);
});

test("create dialog: untouched tier and max concurrent tasks take the template's values", async ({
  page,
  request,
}) => {
  const name = uniqueName("Lead");
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await page.getByRole("button", { name: "+ Create workspace" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create workspace" });
  await dialog.getByLabel("Name").fill(name);
  // templates/team-lead.json: tier 2, maxConcurrentTasks 4.
  await dialog.getByLabel("Template").fill("team-lead");
  await expect(dialog.getByLabel("Tier").locator("option:checked")).toHaveText("Default (2)");
  await expect(dialog.getByLabel("Max concurrent tasks")).toHaveAttribute("placeholder", "4 (default)");
  await dialog.getByRole("button", { name: "Create workspace" }).click();
  await expect(dialog).toHaveCount(0);

  const created = (await listWorkspaces(request)).find((w) => w.name === name) as
    | { id: string; tier: number; maxConcurrentTasks: number }
    | undefined;
  expect(created).toMatchObject({ tier: 2, maxConcurrentTasks: 4 });
  // It runs the demo runtime: remove it so no agent process outlives the test.
  const removed = await request.post("/api/trpc/workspace.remove", { data: { id: created!.id } });
  expect(removed.status(), await removed.text()).toBe(200);
});
