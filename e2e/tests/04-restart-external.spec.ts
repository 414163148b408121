import { expect, test } from "@playwright/test";
import { createWorkspace, heartbeat, register, uniqueName, WEDGE_ERROR } from "../support/api";
import { openCard } from "../support/canvas";

// The restart flow for an EXTERNAL agent, which needs no local process: Restart → "Restarting…" and
// Starting → the agent sees the `restart` directive and registers again → Online, all live.
// (The same flow with real local processes comes with MOLECULE_PROVISIONER=local.)
test("restart from a degraded card walks Starting → Online live", async ({ page, request }) => {
  const ws = await createWorkspace(request, { name: uniqueName("Restartable"), external: true });
  await heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });

  const card = await openCard(page, ws.id);
  await expect(card).toHaveAttribute("data-status", "degraded");
  await expect(page.getByTestId("connection")).toHaveText("Live");

  await card.getByRole("button", { name: "Restart" }).click();
  // Instant feedback, then disabled while provisioning.
  await expect(card.getByRole("button", { name: "Restarting…" })).toBeDisabled();
  await expect(card).toHaveAttribute("data-status", "provisioning");
  await expect(card.getByTestId("status-pill")).toHaveText("Starting");

  // The agent learns about the restart from its heartbeat response, restarts, registers again.
  const reply = await request.post("/registry/heartbeat", {
    headers: { authorization: `Bearer ${ws.token}` },
    data: { workspace_id: ws.id, runtime_state: "wedged" },
  });
  expect(((await reply.json()) as { directives: string[] }).directives).toContain("restart");
  await register(request, ws);

  await expect(card).toHaveAttribute("data-status", "online");
  await expect(card.getByTestId("status-pill")).toHaveText("Online");
  await expect(card.getByRole("button", { name: /Restart/ })).toHaveCount(0);
});
