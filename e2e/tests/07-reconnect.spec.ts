import { expect, test } from "@playwright/test";
import { createWorkspace, heartbeat, uniqueName, WEDGE_ERROR } from "../support/api";
import { openCard } from "../support/canvas";

// SPEC §6/§8: the indicator says Reconnecting while the stream is down, and on reconnect the client
// resumes from the last event id it saw, so a status change that happened meanwhile still arrives.
test("connection loss shows Reconnecting…; events missed meanwhile arrive after reconnect", async ({
  page,
  request,
}) => {
  const ws = await createWorkspace(request, { name: uniqueName("Flaky link"), external: true });
  const card = await openCard(page, ws.id);
  await expect(card).toHaveAttribute("data-status", "awaiting_agent");
  const indicator = page.getByTestId("connection");
  await expect(indicator).toHaveText("Live");

  // Cut the live stream: new stream requests fail, and the open one is aborted.
  const STREAM = "**/api/trpc/events.onEvent**";
  let attempts = 0;
  await page.route(STREAM, (route) => {
    attempts++;
    return route.abort("connectionreset");
  });
  await page.evaluate(() => window.stop());
  await expect(indicator).toHaveText("Reconnecting…");

  // Happens while the browser cannot hear about it (the API request context is not the browser's).
  await heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });
  // The client keeps retrying with backoff. Once a retry made after the heartbeat has failed, the
  // card must still show the old status: nothing reached the page while the stream was down.
  const attemptsBefore = attempts;
  await expect.poll(() => attempts, { timeout: 30_000 }).toBeGreaterThan(attemptsBefore);
  await expect(card).toHaveAttribute("data-status", "awaiting_agent");

  await page.unroute(STREAM);
  await expect(indicator).toHaveText("Live");
  await expect(card).toHaveAttribute("data-status", "degraded");
});
