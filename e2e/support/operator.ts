import { expect, type Page } from "@playwright/test";

/**
 * The admin token the e2e web server starts with (playwright.config.ts passes it as ADMIN_TOKEN).
 * Specs sign in with it like a user; API helpers send it as a bearer like a script.
 */
export const E2E_ADMIN_TOKEN = process.env.E2E_ADMIN_TOKEN ?? "e2e-admin-token-0123456789abcdefghijklmnopq";

/** Where global setup keeps the signed-in browser state every spec starts from. */
export const OPERATOR_STATE = new URL("../.auth/operator.json", import.meta.url).pathname;

export const operatorHeaders = { authorization: `Bearer ${E2E_ADMIN_TOKEN}` };

/** Signs in through the real sign-in page, pasting the token, and waits for the canvas. */
export async function signInByHand(page: Page, token = E2E_ADMIN_TOKEN) {
  await page.goto("/sign-in");
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}
