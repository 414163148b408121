import { expect, test } from "@playwright/test";
import { E2E_ADMIN_TOKEN, OPERATOR_STATE } from "../support/operator";

// These start signed out: a browser that has never signed in.
test.use({ storageState: { cookies: [], origins: [] } });

test("the canvas sends a signed-out browser to the sign-in page", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByLabel("Admin token")).toBeVisible();
});

test("the printed link /sign-in#token=… signs in and lands on the canvas", async ({ page, context }) => {
  await page.goto(`/sign-in#token=${E2E_ADMIN_TOKEN}`);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(page.getByTestId("connection")).toHaveText("Live");
  // The browser holds a session id, never the token itself, and the token left the address bar.
  const cookies = await context.cookies();
  expect(cookies.map((c) => c.name)).toContain("molecule_session");
  expect(JSON.stringify(cookies)).not.toContain(E2E_ADMIN_TOKEN);
  expect(page.url()).not.toContain(E2E_ADMIN_TOKEN);

  // Sign out ends the session: the canvas asks to sign in again.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("the link opened in the tab the canvas sent to /sign-in signs in too (only the fragment changes)", async ({
  page,
}) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto(`/sign-in#token=${E2E_ADMIN_TOKEN}`);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  expect(page.url()).not.toContain(E2E_ADMIN_TOKEN);
});

test("a wrong token shows a clear error and signs nobody in", async ({ page }) => {
  await page.goto("/sign-in#token=not-the-admin-token-at-all-0123456789");
  // (Next's route announcer is an empty alert of its own: pick ours by its text.)
  const error = page.getByRole("alert").filter({ hasText: "That admin token is not right" });
  await expect(error).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(page.url()).not.toContain("not-the-admin-token");

  // Pasting a wrong one by hand says the same.
  await page.getByLabel("Admin token").fill("still-not-the-admin-token-0123456789");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(error).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test.describe("already signed in", () => {
  test.use({ storageState: OPERATOR_STATE });

  test("the sign-in page goes on to the canvas, and the printed link leaves no token in the address", async ({
    page,
  }) => {
    await page.goto("/sign-in");
    await expect(page).toHaveURL(/\/$/);
    await page.goto(`/sign-in#token=${E2E_ADMIN_TOKEN}`);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    expect(page.url()).not.toContain(E2E_ADMIN_TOKEN);
  });
});
