import { expect, test } from "@playwright/test";
import { createWorkspace, heartbeat, uniqueName, WEDGE_ERROR } from "../support/api";
import { openCard } from "../support/canvas";
import { screenPath } from "../support/fleet";

test.use({ colorScheme: "dark" });

// Issue 11: dark mode follows the system preference, and the toolbar toggle overrides it.
test("dark mode follows the system, the toggle switches and is remembered", async ({
  page,
  request,
}, testInfo) => {
  const ws = await createWorkspace(request, {
    name: uniqueName("Night shift"),
    external: true,
    role: "Watches",
  });
  await heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });
  const card = await openCard(page, ws.id);
  await expect(card).toHaveAttribute("data-status", "degraded");

  const html = page.locator("html");
  await expect(html).toHaveAttribute("data-theme", "dark");
  await expect(page.locator(".react-flow")).toHaveClass(/\bdark\b/);
  // Dark surfaces, and degraded still shouts amber.
  await expect(card).not.toHaveCSS("background-color", "rgb(255, 255, 255)");
  await expect(card.getByTestId("status-pill")).toHaveCSS("background-color", "rgb(245, 158, 11)");
  await page.screenshot({ path: screenPath("dark-mode.png", testInfo.outputPath("dark-mode.png")) });

  await page.getByTestId("theme-toggle").click();
  await expect(html).toHaveAttribute("data-theme", "light");
  await expect(page.locator(".react-flow")).toHaveClass(/\blight\b/);
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", "light");
  await page.getByTestId("theme-toggle").click();
  await expect(html).toHaveAttribute("data-theme", "dark");
});
