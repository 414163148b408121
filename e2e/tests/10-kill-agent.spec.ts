import { expect, test } from "@playwright/test";
import { exited, startExternalAgent } from "../support/agent-process";
import { createWorkspace, uniqueName } from "../support/api";
import { openCard } from "../support/canvas";

// SPEC §2 "no heartbeat for OFFLINE_AFTER_MS → offline", with a real process killed outright.
// The agent is external (the operator runs it; the platform cannot restart it), so nothing brings it
// back: the sweep notices the silence and the card turns Offline live, offering Restart.
// (A killed *local* agent is restarted by the provisioner instead: see the api provisioner tests.)
test("kill -9 of an agent process: its card turns Offline live", async ({
  page,
  request,
  baseURL,
}, testInfo) => {
  test.setTimeout(150_000);
  const name = uniqueName("Killable agent");
  const ws = await createWorkspace(request, { name, external: true });
  const card = await openCard(page, ws.id);
  await expect(card).toHaveAttribute("data-status", "awaiting_agent");

  const { child: agent, output } = startExternalAgent({
    platformUrl: baseURL!,
    workspaceId: ws.id,
    token: ws.token,
    name,
  });
  try {
    await expect(card, "the agent registers").toHaveAttribute("data-status", "online", { timeout: 60_000 });

    agent.kill("SIGKILL");
    await exited(agent);
    expect(agent.signalCode).toBe("SIGKILL");

    // OFFLINE_AFTER_MS (30 s in e2e) plus one sweep; no reload: the change arrives over the stream.
    await expect(card).toHaveAttribute("data-status", "offline", { timeout: 70_000 });
    await expect(card.getByTestId("status-pill")).toHaveText("Offline");
    // SPEC §1: offline is a zinc dot.
    await expect(card.getByTestId("status-pill").locator(".pill__dot")).toHaveCSS(
      "background-color",
      "rgb(113, 113, 122)",
    );
    await expect(card.getByRole("button", { name: "Restart" })).toBeEnabled();
  } finally {
    await testInfo.attach("agent output", { body: output(), contentType: "text/plain" });
    if (agent.exitCode === null && agent.signalCode === null) agent.kill("SIGKILL");
  }
});
