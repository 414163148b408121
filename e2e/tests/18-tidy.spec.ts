import { expect, type Page, test } from "@playwright/test";
import { createWorkspace, uniqueName } from "../support/api";
import { operatorHeaders } from "../support/operator";

type View = { id: string; parentId: string | null; x: number; y: number };
type Box = { id: string; x: number; y: number; w: number; h: number };

async function positions(page: Page, ids: string[]): Promise<Map<string, View>> {
  const res = await page.request.get("/api/trpc/workspace.list", { headers: operatorHeaders });
  const list = ((await res.json()) as { result: { data: View[] } }).result.data;
  return new Map(list.filter((w) => ids.includes(w.id)).map((w) => [w.id, w]));
}

/**
 * Where the canvas draws a card, in flow coordinates relative to its parent: the translation of its
 * React Flow node (what the operator sees), and the node's size. Opens the canvas on the card.
 */
async function rendered(page: Page, id: string): Promise<Box> {
  await page.goto(`/?focus=${id}`);
  const node = page.locator(".react-flow__node").filter({ has: page.locator(`[data-workspace-id="${id}"]`) });
  await expect(node.first()).toBeVisible();
  return node.first().evaluate((el, wsId) => {
    const m = new DOMMatrixReadOnly(getComputedStyle(el).transform);
    // Layout size (flow units), whatever the zoom.
    const [w, h] = el instanceof HTMLElement ? [el.offsetWidth, el.offsetHeight] : [0, 0];
    return { id: wsId, x: m.m41, y: m.m42, w, h };
  }, id);
}

const overlapping = (a: Box, b: Box) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function overlaps(boxes: Box[]): string[] {
  const out: string[] = [];
  boxes.forEach((a, i) => {
    for (const b of boxes.slice(i + 1)) if (overlapping(a, b)) out.push(`${a.id} / ${b.id}`);
  });
  return out;
}

test("Tidy lays out a messy team so no siblings overlap; Undo puts it back; the layout survives a reload", async ({
  page,
  request,
}) => {
  // A team whose members were all dropped on one spot, and two top-level cards on top of each other.
  const lead = await createWorkspace(request, {
    name: uniqueName("Tidy lead"),
    external: true,
    canvas: { x: 9000, y: 9000 },
  });
  const members = [];
  for (let i = 0; i < 4; i++) {
    members.push(
      await createWorkspace(request, {
        name: uniqueName(`Tidy member ${i}`),
        external: true,
        parentId: lead.id,
        canvas: { x: 20, y: 60 },
      }),
    );
  }
  const loners = [
    await createWorkspace(request, {
      name: uniqueName("Tidy loner"),
      external: true,
      canvas: { x: 9000, y: 9000 },
    }),
    await createWorkspace(request, {
      name: uniqueName("Tidy loner"),
      external: true,
      canvas: { x: 9010, y: 9010 },
    }),
  ];
  const ids = [lead.id, ...members.map((m) => m.id), ...loners.map((l) => l.id)];
  const before = await positions(page, ids);

  // The mess is what the canvas shows: members drawn on top of each other.
  const messy = [];
  for (const m of members) messy.push(await rendered(page, m.id));
  expect(overlaps(messy).length).toBeGreaterThan(0);
  await expect(page.getByTestId("connection")).toHaveText("Live");

  // Tidy, then Undo: every card is back where it was (saved, not only drawn).
  const tidyButton = page.getByRole("button", { name: "Tidy", exact: true });
  await tidyButton.click();
  const toast = page.locator(".toast").filter({ hasText: "Tidied" });
  await expect(toast).toBeVisible();
  await expect(tidyButton).toBeEnabled();
  await expect
    .poll(
      async () =>
        [...(await positions(page, ids)).values()].filter(
          (w) => w.x !== before.get(w.id)?.x || w.y !== before.get(w.id)?.y,
        ).length,
    )
    .toBeGreaterThan(0);
  await toast.getByRole("button", { name: "Undo" }).click();
  await expect
    .poll(async () => {
      const now = await positions(page, ids);
      return ids.every((id) => now.get(id)?.x === before.get(id)?.x && now.get(id)?.y === before.get(id)?.y);
    })
    .toBe(true);

  // Tidy again, and reload: what the canvas draws after the reload has no overlapping siblings.
  await tidyButton.click();
  await expect(page.locator(".toast").filter({ hasText: "Tidied" })).toBeVisible();
  const saved = await positions(page, ids);
  const leadBox = await rendered(page, lead.id);
  const team = [];
  for (const m of members) team.push(await rendered(page, m.id));
  expect(overlaps(team)).toEqual([]);
  // React Flow places a child at its parent's position plus its own: drawn where the server has
  // it, inside the lead, below its header.
  for (const box of team) {
    const relative = { x: box.x - leadBox.x, y: box.y - leadBox.y };
    expect(relative).toEqual({ x: saved.get(box.id)?.x, y: saved.get(box.id)?.y });
    expect(relative.y).toBeGreaterThanOrEqual(60);
    expect(box.x + box.w).toBeLessThanOrEqual(leadBox.x + leadBox.w);
    expect(box.y + box.h).toBeLessThanOrEqual(leadBox.y + leadBox.h);
  }
  const top = [leadBox];
  for (const l of loners) top.push(await rendered(page, l.id));
  expect(overlaps(top)).toEqual([]);
  for (const box of top)
    expect({ x: box.x, y: box.y }).toEqual({ x: saved.get(box.id)?.x, y: saved.get(box.id)?.y });
});
