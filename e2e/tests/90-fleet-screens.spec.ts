import { expect, type Page, test } from "@playwright/test";
import { heartbeat, WEDGE_ERROR } from "../support/api";
import { screenPath, zoomOutToFar } from "../support/fleet";

// Not part of the suite: FLEET_SCREENS=5000 creates that many workspaces over HTTP (like
// bench/canvas.ts: a few teams with children, the rest on a grid, some degraded, offline-ish and
// failed-looking) and takes the screenshots near and far. SCREENS_DIR says where.
const FLEET = Number(process.env.FLEET_SCREENS ?? 0);
test.skip(!FLEET, "set FLEET_SCREENS=<n> to create a fleet and take screenshots");

async function shot(page: Page, name: string) {
  await page.waitForTimeout(800);
  await page.screenshot({ path: screenPath(name, test.info().outputPath(name)) });
}

test("screenshots of a fleet near and far", async ({ page, request }) => {
  test.setTimeout(1_200_000);
  const created: { id: string; token: string }[] = [];
  const create = async (input: Record<string, unknown>) => {
    const res = await request.post("/api/trpc/workspace.create", { data: input });
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { result: { data: { workspace: { id: string }; token: string } } };
    const ws = { id: body.result.data.workspace.id, token: body.result.data.token };
    created.push(ws);
    return ws;
  };
  const teams = [];
  for (let p = 0; p < 4; p++)
    teams.push(await create({ name: `team-${p}`, external: true, canvas: { x: p * 1300, y: 0 } }));
  const specs: Record<string, unknown>[] = [];
  for (const [p, team] of teams.entries()) {
    for (let c = 0; c < 6; c++) {
      specs.push({
        name: `agent-${p}-${c}`,
        role: "Team member",
        external: true,
        parentId: team.id,
        canvas: { x: 20 + (c % 4) * 300, y: 60 + Math.floor(c / 4) * 180 },
      });
    }
  }
  for (let i = 0; specs.length < FLEET - teams.length; i++) {
    specs.push({
      name: `agent-${i}`,
      external: true,
      canvas: { x: (i % 50) * 300, y: 480 + Math.floor(i / 50) * 180 },
    });
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < specs.length) await create(specs[next++]!);
    }),
  );
  // Some of the fleet reports in: most healthy, every 40th wedged.
  const reporting = created.filter((_, i) => i % 3 === 0);
  let k = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (k < reporting.length) {
        const i = k++;
        const ws = reporting[i]!;
        const wedged = i % 40 === 0;
        await heartbeat(
          request,
          { ...ws, name: "" },
          wedged ? { runtime_state: "wedged", sample_error: WEDGE_ERROR } : {},
        );
      }
    }),
  );

  await page.goto("/");
  await expect(page.locator("[data-workspace-id]").first()).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId("connection")).toHaveText("Live", { timeout: 120_000 });
  await shot(page, `fleet-${FLEET}-near.png`);
  await zoomOutToFar(page);
  await shot(page, `fleet-${FLEET}-mid.png`);
  await page.getByRole("button", { name: "Fit View" }).click();
  await shot(page, `fleet-${FLEET}-far.png`);
  await page.getByTestId("toggle-attention").click();
  await shot(page, `fleet-${FLEET}-attention.png`);
});
