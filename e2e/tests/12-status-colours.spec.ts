import { expect, type Locator, test } from "@playwright/test";
import { createWorkspace, register, uniqueName } from "../support/api";
import { openCard } from "../support/canvas";
import { PGLITE } from "../support/tags";

// SPEC §1: each status has its colour and label on the card. Degraded (amber) is 02's, offline
// (zinc) is 10's; these are the rest, each checked by data-status, the pill's text and its dot.
const DOT = {
  violet: "rgb(139, 92, 246)",
  emerald: "rgb(16, 185, 129)",
  indigo: "rgb(99, 102, 241)",
  red: "rgb(239, 68, 68)",
};

async function expectPill(card: Locator, status: string, label: string, colour: string) {
  await expect(card).toHaveAttribute("data-status", status);
  const pill = card.getByTestId("status-pill");
  await expect(pill).toHaveText(label);
  await expect(pill.locator(".pill__dot")).toHaveCSS("background-color", colour);
}

test("awaiting agent is violet, online emerald, paused indigo", PGLITE, async ({ page, request }) => {
  const ws = await createWorkspace(request, { name: uniqueName("Colours"), external: true });
  const card = await openCard(page, ws.id);
  await expectPill(card, "awaiting_agent", "Awaiting agent", DOT.violet);

  await register(request, ws);
  await expectPill(card, "online", "Online", DOT.emerald);

  const paused = await request.post("/api/trpc/workspace.pause", { data: { id: ws.id } });
  expect(paused.status(), await paused.text()).toBe(200);
  await expectPill(card, "paused", "Paused", DOT.indigo);
  await expect(card.getByTestId("status-reason")).toHaveCount(0);
});

// A local workspace whose runtime cannot run: the card turns red with the reason under the pill,
// and offers Restart (e2e/support/runtimes.json holds the broken runtimes).
for (const [runtime, reason] of [
  ["missing-binary", /Could not start runtime "missing-binary"/],
  ["exits-at-once", /exited with code 3[\s\S]*boom: no model weights/],
] as const) {
  test(
    `a runtime that cannot come up (${runtime}) shows a red failed card with the reason`,
    PGLITE,
    async ({ page, request }, testInfo) => {
      const ws = await createWorkspace(request, { name: uniqueName("Broken runtime"), runtime });
      const card = await openCard(page, ws.id);
      await expectPill(card, "failed", "Failed", DOT.red);
      await expect(card).toHaveAttribute("aria-label", `${ws.name}, Failed`);
      const why = card.getByTestId("status-reason");
      await expect(why).toHaveText(reason);
      await expect(why).toHaveAttribute("title", reason);
      await expect(card.getByRole("button", { name: "Restart" })).toBeEnabled();
      await card.screenshot({ path: testInfo.outputPath(`failed-${runtime}.png`) });
    },
  );
}
