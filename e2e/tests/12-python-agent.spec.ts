import { expect, test } from "@playwright/test";
import { exited, startPythonAgent } from "../support/agent-process";
import { createWorkspace, uniqueName, WEDGE_ERROR } from "../support/api";
import { openCard } from "../support/canvas";

// The Python SDK on the canvas (issue 12 "done when"): a real Python process built on
// molecule_agent (examples/echo_agent.py) goes online, wedges (its runtime starts failing with
// "Control request timeout: initialize") → the card turns degraded with that sample error → Restart
// sends the `restart` directive → the agent restarts its runtime, registers again → Online, live.
test("a Python agent on the SDK goes online, degraded, and back online after Restart", async ({
  page,
  request,
  baseURL,
}, testInfo) => {
  test.setTimeout(150_000);
  const name = uniqueName("Python agent");
  const ws = await createWorkspace(request, { name, external: true });
  const card = await openCard(page, ws.id);
  await expect(card).toHaveAttribute("data-status", "awaiting_agent");

  const { child: agent, output } = startPythonAgent(
    { platformUrl: baseURL!, workspaceId: ws.id, token: ws.token, name },
    { ECHO_WEDGE_AFTER_SECONDS: "4", ECHO_TASK_INTERVAL_SECONDS: "0.5" },
  );
  try {
    await expect(card, "the agent registers").toHaveAttribute("data-status", "online", { timeout: 30_000 });
    await expect(card, "the runtime wedges").toHaveAttribute("data-status", "degraded", { timeout: 30_000 });
    await expect(card.getByTestId("sample-error")).toHaveText(WEDGE_ERROR);

    await card.getByRole("button", { name: "Restart" }).click();
    await expect(card, "restarted and registered again").toHaveAttribute("data-status", "online", {
      timeout: 30_000,
    });
    await expect(card.getByTestId("status-pill")).toHaveText("Online");
    expect(agent.exitCode, "restarted in place, not exited").toBeNull();
  } finally {
    await testInfo.attach("agent output", { body: output(), contentType: "text/plain" });
    if (agent.exitCode === null && agent.signalCode === null) {
      agent.kill("SIGTERM");
      await exited(agent);
    }
  }
});
