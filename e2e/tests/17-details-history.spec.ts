import { type APIRequestContext, expect, test } from "@playwright/test";
import { type CreatedWorkspace, createWorkspace, heartbeat, uniqueName } from "../support/api";
import { openCard } from "../support/canvas";
import { screenPath } from "../support/fleet";
import { operatorHeaders } from "../support/operator";

// Issue 11, "details that show rather than tell": the details panel draws the last minutes of error
// rate and heartbeat age (server history, then live), lists the agent card's skills and the
// workspace's restarts; the activity feed starts with what happened before the page opened.

const SKILLS = [
  {
    id: "triage",
    name: "Triage tickets",
    description: "Sorts incoming issues by urgency",
    tags: ["support", "routing"],
  },
  { id: "summarise", name: "Summarise threads", description: "Writes a short digest", tags: ["writing"] },
];

async function registerWithSkills(request: APIRequestContext, ws: CreatedWorkspace) {
  const res = await request.post("/registry/register", {
    headers: { authorization: `Bearer ${ws.token}` },
    data: { id: ws.id, url: "http://127.0.0.1:9/agent", agent_card: { name: ws.name, skills: SKILLS } },
  });
  expect(res.status(), await res.text()).toBe(200);
}

test("sparklines, skills, restart history, and feed entries from before the page opened", async ({
  page,
  request,
}, testInfo) => {
  test.setTimeout(120_000);
  const ws = await createWorkspace(request, { name: uniqueName("Historian"), external: true });
  await registerWithSkills(request, ws);
  // Heartbeats before the page opens: the server keeps them (workspace.history).
  for (const rate of [0, 0.1, 0.3, 0.2, 0.05]) await heartbeat(request, ws, { error_rate: rate });
  // Enough events before the page opens that the feed's first page does not hold them all.
  const moves = Array.from({ length: 60 }, (_, i) => ({ id: ws.id, x: 40 + i, y: 40 }));
  const moved = await request.post("/api/trpc/workspace.move", { data: { moves }, headers: operatorHeaders });
  expect(moved.status()).toBe(200);

  const card = await openCard(page, ws.id);
  await expect(card).toHaveAttribute("data-status", "online");
  await expect(page.getByTestId("connection")).toHaveText("Live");

  // The feed, opened after the page loaded, lists events from before it; "Load older" reaches back
  // to the workspace's creation (beyond the first page), each event once.
  await page.getByTestId("toggle-feed").click();
  const feed = page.getByTestId("activity-feed");
  await expect(feed.getByTestId("feed-item").filter({ hasText: ws.name }).first()).toBeVisible();
  await expect(feed.locator('[data-event-type="WORKSPACE_MOVED"]').first()).toBeVisible();
  const created = feed.locator('[data-event-type="WORKSPACE_CREATED"]').filter({ hasText: ws.name });
  await expect(created).toHaveCount(0);
  await feed.getByRole("button", { name: "Load older" }).click();
  await expect(created).toHaveCount(1);
  await expect(feed.locator('[data-event-type="WORKSPACE_ONLINE"]').filter({ hasText: ws.name })).toHaveCount(
    1,
  );
  await feed.screenshot({ path: screenPath("feed-history.png", testInfo.outputPath("feed-history.png")) });
  await page.getByTestId("toggle-feed").click();

  // Details: two sparklines from the server's history, which grow as heartbeats arrive live.
  await card.click();
  const panel = page.getByTestId("details-panel");
  const errors = panel.getByTestId("spark-error-rate");
  const ages = panel.getByTestId("spark-heartbeat-age");
  await expect(errors).toHaveAttribute("data-points", "5");
  // Heartbeat age: the four gaps between the five heartbeats, then the silence since the last.
  await expect(ages).toHaveAttribute("data-points", "5");
  await heartbeat(request, ws, { error_rate: 0.4 });
  await expect(errors).toHaveAttribute("data-points", "6");
  await expect(panel.locator(".sparks__value").first()).toHaveText("40%");

  // Skills from the agent card.
  const skills = panel.getByTestId("agent-skills");
  await expect(skills).toContainText("Triage tickets");
  await expect(skills).toContainText("Sorts incoming issues by urgency");
  await expect(skills).toContainText("routing");
  await expect(skills).toContainText("Summarise threads");

  // Restart from the panel: listed at once as pending, then as back online when the agent registers.
  await expect(panel.getByText("Never restarted.")).toBeVisible();
  await panel.getByRole("button", { name: "Restart" }).click();
  const restart = panel.getByTestId("restart-item").first();
  await expect(restart).toHaveAttribute("data-outcome", "pending");
  await expect(restart).toHaveAttribute("data-cause", "operator");
  await registerWithSkills(request, ws);
  await expect(restart).toHaveAttribute("data-outcome", "online");
  await expect(restart).toContainText("Operator restart");
  await expect(restart).toContainText("from online: came back online");
  await panel.screenshot({
    path: screenPath("details-history.png", testInfo.outputPath("details-history.png")),
  });
  // The restarts further down the panel: scrolled to the sparklines' section.
  const section = panel.locator("section", { has: page.getByTestId("spark-error-rate") });
  const top = await section.evaluate((el) => (el as HTMLElement).offsetTop);
  await panel.evaluate((el, y) => {
    el.scrollTop = y;
  }, top);
  await panel.screenshot({
    path: screenPath("details-restarts.png", testInfo.outputPath("details-restarts.png")),
  });
});

test("the toolbar shows every status count in full at 1440 px", async ({ page, request }, testInfo) => {
  // A workspace in most statuses, so every count is drawn.
  const online = await createWorkspace(request, { name: uniqueName("Count online"), external: true });
  await heartbeat(request, online);
  const degraded = await createWorkspace(request, { name: uniqueName("Count degraded"), external: true });
  await heartbeat(request, degraded, { runtime_state: "wedged" });
  const paused = await createWorkspace(request, { name: uniqueName("Count paused"), external: true });
  await request.post("/api/trpc/workspace.pause", { data: { id: paused.id }, headers: operatorHeaders });
  await createWorkspace(request, { name: uniqueName("Count starting") });
  await createWorkspace(request, { name: uniqueName("Count waiting"), external: true });

  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveText("Live");
  const filters = page.locator('[data-testid^="filter-"]');
  await expect(filters.first()).toBeVisible();
  // 1440 px is the case; 1024 px is more crowded than 1440 px with five-digit counts.
  for (const width of [1440, 1024]) {
    await page.setViewportSize({ width, height: 900 });
    for (const filter of await filters.all()) {
      // Fully drawn: not clipped by the toolbar, nor pushed past the window's edge.
      const box = (await filter.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
      const clipped = await filter.evaluate((el) => {
        // The count's own text and dot (the button's padding may overhang for its hover background).
        const range = document.createRange();
        range.selectNodeContents(el);
        const r = range.getBoundingClientRect();
        for (let p = el.parentElement; p; p = p.parentElement) {
          const s = getComputedStyle(p);
          if (s.overflowX === "visible" && s.overflowY === "visible") continue;
          const q = p.getBoundingClientRect();
          if (r.left < q.left - 1 || r.right > q.right + 1 || r.top < q.top - 1 || r.bottom > q.bottom + 1)
            return true;
        }
        return false;
      });
      expect(clipped, `${await filter.textContent()} at ${width} px`).toBe(false);
    }
    await page
      .locator(".toolbar")
      .screenshot({ path: screenPath(`toolbar-${width}.png`, testInfo.outputPath(`toolbar-${width}.png`)) });
  }
});
