import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { createWorkspace, heartbeat, uniqueName, WEDGE_ERROR } from "../support/api";
import { openCard } from "../support/canvas";

/** The PID listening on the test server's port (the process a SIGSTOP freezes). */
function listenerPid(port: number): number {
  const out = execFileSync("ss", ["-ltnpH", `sport = :${port}`], { encoding: "utf8" });
  const pid = Number(/pid=(\d+)/.exec(out)?.[1]);
  if (!pid) throw new Error(`no process listens on ${port}: ${out}`);
  return pid;
}

/** A server this file froze: woken again even when the test times out (no `finally` runs then). */
let frozen: number | null = null;
test.afterEach(() => {
  if (frozen) process.kill(frozen, "SIGCONT");
  frozen = null;
});

// SPEC §6 [r2] / issue 11: a server that stops answering (SIGSTOP closes nothing) shows as
// Reconnecting within 25 s, and Live again once it answers, with what happened meanwhile applied.
test("a frozen server shows Reconnecting within 25 s, then Live with nothing missed", async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const ws = await createWorkspace(request, { name: uniqueName("Frozen link"), external: true });
  const card = await openCard(page, ws.id);
  const indicator = page.getByTestId("connection");
  await expect(indicator).toHaveText("Live");

  const pid = listenerPid(Number(new URL(baseURL!).port));
  frozen = pid;
  process.kill(pid, "SIGSTOP");
  let sent: Promise<unknown> | null = null;
  try {
    const stoppedAt = Date.now();
    await expect(indicator).toHaveText("Reconnecting…", { timeout: 30_000 });
    expect(Date.now() - stoppedAt).toBeLessThan(27_500);
    // Sent while the server is frozen: it waits in the socket and lands when the server wakes.
    sent = heartbeat(request, ws, { runtime_state: "wedged", sample_error: WEDGE_ERROR });
    await page.waitForTimeout(500);
  } finally {
    process.kill(pid, "SIGCONT");
    frozen = null;
  }
  await sent;
  await expect(indicator).toHaveText("Live", { timeout: 30_000 });
  await expect(card).toHaveAttribute("data-status", "degraded");
});
