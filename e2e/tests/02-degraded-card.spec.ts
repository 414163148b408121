import { expect, test } from "@playwright/test";
import { createWorkspace, heartbeat, uniqueName, WEDGE_ERROR } from "../support/api";
import { openCard } from "../support/canvas";
import { PGLITE } from "../support/tags";

const AMBER = "rgb(245, 158, 11)";

// Issue 2: a heartbeat can lie. A wedged runtime must show as an amber "Degraded" card with the error.
test(
  "a wedged external agent shows as a degraded card with its error",
  PGLITE,
  async ({ page, request }, testInfo) => {
    const ws = await createWorkspace(request, {
      name: uniqueName("Wedged agent"),
      external: true,
      role: "Summarises papers",
    });
    const reply = await heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });
    expect(reply.status).toBe("degraded");

    const card = await openCard(page, ws.id);
    await expect(card).toHaveAttribute("data-status", "degraded");
    await expect(card).toHaveAttribute("aria-label", `${ws.name}, Degraded`);

    const pill = card.getByTestId("status-pill");
    await expect(pill).toHaveText("Degraded");
    await expect(pill).toHaveCSS("background-color", AMBER);

    const error = card.getByTestId("sample-error");
    await expect(error).toHaveText(WEDGE_ERROR);
    await expect(error).toHaveAttribute("title", WEDGE_ERROR);
    await expect(card.getByRole("button", { name: "Restart" })).toBeEnabled();

    await page.getByRole("button", { name: "Zoom In" }).click();
    await card.screenshot({ path: testInfo.outputPath("degraded-card.png") });
    await page.screenshot({ path: testInfo.outputPath("degraded-canvas.png") });

    // Keyboard: the card is focusable, Enter opens details with the full error, Escape closes.
    await card.focus();
    await page.keyboard.press("Enter");
    const panel = page.getByTestId("details-panel");
    await expect(panel).toBeVisible();
    await expect(panel.getByText(WEDGE_ERROR).first()).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath("details-panel.png") });
    await page.keyboard.press("Escape");
    await expect(panel).toHaveCount(0);
  },
);

test("HTML in a sample error is shown as text, never rendered", async ({ page, request }) => {
  const payload = "<img src=x onerror=alert(1)>";
  const dialogs: string[] = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const ws = await createWorkspace(request, { name: uniqueName("Hostile agent"), external: true });
  await heartbeat(request, ws, { runtime_state: "wedged", sample_error: payload });

  const card = await openCard(page, ws.id);
  await expect(card).toHaveAttribute("data-status", "degraded");
  await expect(card.getByTestId("sample-error")).toHaveText(payload);
  await expect(card.locator("img")).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test("a heartbeat after the page opened turns the card amber live, without a reload", async ({
  page,
  request,
}) => {
  const ws = await createWorkspace(request, { name: uniqueName("Live agent"), external: true });
  const card = await openCard(page, ws.id);
  await expect(card).toHaveAttribute("data-status", "awaiting_agent");
  await expect(page.getByTestId("connection")).toHaveText("Live");

  let navigations = 0;
  page.on("framenavigated", () => navigations++);
  await heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });

  await expect(card).toHaveAttribute("data-status", "degraded");
  await expect(card.getByTestId("status-pill")).toHaveCSS("background-color", AMBER);
  await expect(card.getByTestId("sample-error")).toHaveText(WEDGE_ERROR);
  expect(navigations).toBe(0);
});
