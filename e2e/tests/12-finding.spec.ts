import { expect, test } from "@playwright/test";
import { createWorkspace, heartbeat, uniqueName, viewOf, WEDGE_ERROR } from "../support/api";
import { focusedCardId, screenPath } from "../support/fleet";

// Issue 11: finding the few workspaces that need you among many.
test("Ctrl+K finds a workspace by name, role, status or runtime and focuses its card", async ({
  page,
  request,
}) => {
  const tag = uniqueName("Ledger").split(" ")[1]!;
  const plain = await createWorkspace(request, {
    name: `Ledger ${tag}`,
    role: `Reconciles invoices ${tag}`,
    external: true,
  });
  const wedged = await createWorkspace(request, { name: `Auditor ${tag}`, external: true });
  await heartbeat(request, wedged, { runtime_state: "wedged", sample_error: WEDGE_ERROR });

  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await page.keyboard.press("Control+k");
  const box = page.getByRole("combobox", { name: /Search by name/ });
  await expect(box).toBeFocused();

  const results = page.getByTestId("search-result");
  // By role: only the ledger's role mentions invoices with this tag.
  await box.fill(`invoices ${tag}`);
  await expect(results).toHaveCount(1);
  await expect(results.first()).toContainText(`Ledger ${tag}`);
  // By status (and name): "degraded" plus the tag finds the wedged one only. (Heartbeat again: a
  // single report goes offline after OFFLINE_AFTER_MS on a slow run.)
  await heartbeat(request, wedged, { runtime_state: "wedged", sample_error: WEDGE_ERROR });
  await box.fill(`degraded ${tag}`);
  await expect(results).toHaveCount(1);
  await expect(results.first()).toContainText(`Auditor ${tag}`);
  // By runtime: both are external agents (runtime "external"); both match.
  await box.fill(`${tag} external`);
  await expect(results).toHaveCount(2);

  await box.fill(`Ledger ${tag}`);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect.poll(() => focusedCardId(page)).toBe(plain.id);
  // The focused card is on screen, and Enter opens its details.
  await expect(page.locator(`[data-workspace-id="${plain.id}"]`)).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("details-panel")).toContainText(`Ledger ${tag}`);
});

test("a status count is a filter: each click focuses the next workspace with that status", async ({
  page,
  request,
}) => {
  // Paused: a status nothing changes behind the test's back (degraded ones go offline after
  // OFFLINE_AFTER_MS on a slow run); the filter works the same for every status.
  const a = await createWorkspace(request, { name: uniqueName("Filter A"), external: true });
  const b = await createWorkspace(request, { name: uniqueName("Filter B"), external: true });
  for (const ws of [a, b]) {
    const res = await request.post("/api/trpc/workspace.pause", { data: { id: ws.id } });
    expect(res.status(), await res.text()).toBe(200);
  }

  await page.goto("/");
  const filter = page.getByTestId("filter-paused");
  await expect(filter).toContainText("paused");
  const count = Number((await filter.textContent())?.match(/\d+/)?.[0]);
  expect(count).toBeGreaterThanOrEqual(2);

  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    await filter.click();
    await expect.poll(() => focusedCardId(page)).not.toBe(seen[seen.length - 1] ?? null);
    const id = (await focusedCardId(page))!;
    await expect(page.locator(`[data-workspace-id="${id}"]`)).toHaveAttribute("data-status", "paused");
    await expect(page.locator(`[data-workspace-id="${id}"]`)).toBeInViewport();
    seen.push(id);
  }
  // Every one of them once, ours among them; the next click starts over.
  expect(new Set(seen).size).toBe(count);
  expect(seen).toEqual(expect.arrayContaining([a.id, b.id]));
  await filter.click();
  await expect.poll(() => focusedCardId(page)).toBe(seen[0]);
});

test("the needs-attention panel lists what is broken, with its reason and a Restart that works", async ({
  page,
  request,
}, testInfo) => {
  const ws = await createWorkspace(request, { name: uniqueName("Attention"), external: true });
  await heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });

  await page.goto("/");
  await page.getByTestId("toggle-attention").click();
  const panel = page.getByTestId("attention-panel");
  const item = panel.locator(`[data-workspace-ref="${ws.id}"]`);
  await expect(item).toContainText(ws.name);
  await expect(item).toContainText("Degraded");
  await expect(item).toContainText(WEDGE_ERROR);
  // Only degraded, offline and failed workspaces are listed.
  for (const pill of await panel.getByTestId("status-pill").allTextContents()) {
    expect(["Degraded", "Offline", "Failed"]).toContain(pill);
  }
  await page.screenshot({
    path: screenPath("attention-panel.png", testInfo.outputPath("attention-panel.png")),
  });

  // The name brings its card into view.
  await item.getByRole("button", { name: ws.name }).click();
  await expect.poll(() => focusedCardId(page)).toBe(ws.id);

  await item.getByRole("button", { name: "Restart" }).click();
  // External: the restart is asked of the agent; the workspace waits for it (provisioning) and
  // leaves the list, live.
  await expect(item).toHaveCount(0);
  await expect(page.locator(`[data-workspace-id="${ws.id}"]`)).toHaveAttribute("data-status", "provisioning");
  expect((await viewOf(request, ws.id)).status).toBe("provisioning");
});

test("the activity feed shows the org's events live, filters by type, and focuses a card", async ({
  page,
  request,
}) => {
  const ws = await createWorkspace(request, { name: uniqueName("Feed"), external: true });
  await page.goto("/");
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await page.getByTestId("toggle-feed").click();
  const feed = page.getByTestId("activity-feed");

  await heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });
  const entry = feed.getByTestId("feed-item").filter({ hasText: ws.name });
  await expect(entry.first()).toHaveAttribute("data-event-type", "WORKSPACE_DEGRADED");
  await expect(entry.first()).toContainText(WEDGE_ERROR);

  await feed.getByLabel("Event type").selectOption("WORKSPACE_ONLINE");
  await expect(entry).toHaveCount(0);
  await heartbeat(request, ws, { runtime_state: "", error_rate: 0 });
  await expect(entry).toHaveCount(1);
  await expect(entry.first()).toHaveAttribute("data-event-type", "WORKSPACE_ONLINE");

  await entry.first().click();
  await expect.poll(() => focusedCardId(page)).toBe(ws.id);
  await expect(page.locator(`[data-workspace-id="${ws.id}"]`)).toHaveAttribute("data-status", "online");
});
