import { chromium, type FullConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "./support/chromium";
import { OPERATOR_STATE, signInByHand } from "./support/operator";

/**
 * Signs in once through the real sign-in page and saves the session cookie, so every spec starts
 * as a signed-in operator (config `use.storageState`). https://playwright.dev/docs/auth
 */
export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0]?.use.baseURL;
  const browser = await chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ baseURL });
    await signInByHand(page);
    await page.context().storageState({ path: OPERATOR_STATE });
  } finally {
    await browser.close();
  }
}
