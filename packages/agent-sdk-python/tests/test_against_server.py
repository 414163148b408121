"""The SDK against a real Molecule server (real HTTP, real database), started by
scripts/test-against-server.ts. Skipped when run without it (python3 -m unittest alone)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import threading
import unittest
from pathlib import Path

from molecule_agent import EXIT_FOR_RESTART, Agent, AgentStoppedError, WedgeDetector

from . import operator as op

QUIET = logging.getLogger("molecule_agent.tests.server")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False
WEDGE_ERROR = "Control request timeout: initialize"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "echo_agent.py"


def fail_with(error: Exception):
    raise error


@unittest.skipUnless(op.PLATFORM_URL, "needs a server: run `pnpm test` in packages/agent-sdk-python")
class AgainstServerTest(unittest.TestCase):
    def agent(self, workspace_id: str, token_source, **options) -> Agent:
        agent = Agent(
            op.PLATFORM_URL,
            workspace_id,
            token_source,
            url="http://127.0.0.1:9/a2a",
            agent_card={"name": "python sdk test agent"},
            wedge=WedgeDetector(),
            backoff_base=0.05,
            logger=QUIET,
            **options,
        )
        self.addCleanup(agent.stop)
        return agent

    def test_register_goes_online_and_heartbeats_on_the_servers_interval(self):
        workspace_id, token = op.create_external("py online")
        self.assertEqual(op.view(workspace_id)["status"], "awaiting_agent")
        agent = self.agent(workspace_id, lambda: token)
        agent.start()
        self.assertEqual(agent.status(), "online")
        # The test server says 200 ms (the default would be 10 s).
        self.assertAlmostEqual(agent.interval, 0.2)
        release = threading.Event()
        worker = threading.Thread(target=agent.run_task, args=("long job", release.wait, 10))
        worker.start()
        try:
            seen = op.wait_for(
                lambda: (lambda v: v if v["currentTask"] == "long job" and v["activeTasks"] == 1 else None)(
                    op.view(workspace_id)
                ),
                "the task in the telemetry",
            )
            self.assertEqual(seen["status"], "online")
            first = seen["lastHeartbeatAt"]
            op.wait_for(lambda: op.view(workspace_id)["lastHeartbeatAt"] != first, "a later heartbeat", 3)
        finally:
            release.set()
            worker.join()

    def test_a_wedge_degrades_with_the_sample_error_and_healthy_tasks_never_clear_it(self):
        workspace_id, token = op.create_external("py wedge")
        agent = self.agent(workspace_id, lambda: token)
        agent.start()
        with self.assertRaises(RuntimeError):
            agent.run_task("initialize", fail_with, RuntimeError(WEDGE_ERROR))
        self.assertTrue(agent.is_wedged())
        view = op.wait_status(workspace_id, "degraded")
        self.assertEqual(view["runtimeState"], "wedged")
        self.assertEqual(view["lastSampleError"], WEDGE_ERROR)
        for i in range(10):
            agent.run_task("fine", lambda: i)
        agent.heartbeat()
        after = op.view(workspace_id)
        self.assertEqual(
            (after["status"], after["runtimeState"], after["lastSampleError"]), ("degraded", "wedged", WEDGE_ERROR)
        )

    def test_an_unrelated_error_is_only_an_error_rate_and_recovers_without_a_restart(self):
        workspace_id, token = op.create_external("py errors")
        agent = self.agent(workspace_id, lambda: token)
        agent.start()
        with self.assertRaises(ValueError):
            agent.run_task("tool", fail_with, ValueError("Simulated tool failure"))
        self.assertFalse(agent.is_wedged())
        degraded = op.wait_status(workspace_id, "degraded")  # error rate 1.0 ≥ 0.5
        self.assertEqual((degraded["runtimeState"], degraded["lastSampleError"]), ("", "Simulated tool failure"))
        for i in range(10):  # 1 failure in 11 outcomes: below 0.1, so it recovers
            agent.run_task("fine", lambda: i)
        agent.heartbeat()
        self.assertEqual(op.view(workspace_id)["status"], "online")

    def test_operator_restart_sends_the_restart_directive_then_the_agent_registers_again(self):
        workspace_id, token = op.create_external("py restart")
        restarts: list[int] = []
        agent = self.agent(workspace_id, lambda: token, restart_runtime=lambda: restarts.append(1))
        agent.start()
        agent.mark_wedged(WEDGE_ERROR)
        op.wait_status(workspace_id, "degraded")

        op.mutate("workspace.restart", {"id": workspace_id})
        back = op.wait_status(workspace_id, "online")
        self.assertEqual(restarts, [1])
        self.assertFalse(agent.is_wedged())
        self.assertEqual(back["runtimeState"], "")
        self.assertEqual(back["pendingDirectives"], [])
        timeline = op.query("workspace.events", {"id": workspace_id})
        events = sorted(timeline["events"] if isinstance(timeline, dict) else timeline, key=lambda e: int(e["id"]))
        types = [e["type"] for e in events]
        self.assertIn("WORKSPACE_PROVISIONING", types)
        self.assertEqual(types[-1], "WORKSPACE_ONLINE")

    def test_without_a_restart_hook_restart_ends_the_process_and_keeps_the_wedge(self):
        workspace_id, token = op.create_external("py no hook")
        exits: list[int] = []
        agent = self.agent(workspace_id, lambda: token, exit_process=exits.append)
        agent.start()
        agent.mark_wedged(WEDGE_ERROR)
        op.wait_status(workspace_id, "degraded")
        op.mutate("workspace.restart", {"id": workspace_id})
        op.wait_for(lambda: exits, "the process to be ended")
        self.assertEqual(exits, [EXIT_FOR_RESTART])
        self.assertIsNone(agent.wait(1))
        self.assertTrue(agent.is_wedged())
        self.assertEqual(op.view(workspace_id)["status"], "provisioning")

    def test_a_401_re_reads_the_token_file_once_then_stops_with_a_clear_error(self):
        workspace_id, token = op.create_external("py rotate")
        with tempfile.TemporaryDirectory() as tmp:
            token_file = Path(tmp) / "token"
            token_file.write_text(token + "\n")
            reads: list[str] = []

            def source() -> str:
                reads.append("read")
                return token_file.read_text()

            agent = self.agent(workspace_id, source)
            agent.start()
            # Only this test's own calls from here on (no loop racing the token file).
            agent.suspend_heartbeats()
            self.assertEqual(len(reads), 1)
            rotated = op.mutate("workspace.rotateToken", {"id": workspace_id})["token"]
            token_file.write_text(rotated)
            self.assertEqual(agent.heartbeat()["status"], "online")
            self.assertEqual(len(reads), 2, "one re-read after the 401")

            op.mutate("workspace.remove", {"id": workspace_id})
            with self.assertRaises(AgentStoppedError) as caught:
                agent.heartbeat()
            self.assertEqual(len(reads), 3, "exactly one re-read, then it stops")
            self.assertEqual(caught.exception.http_status, 401)
            self.assertRegex(str(caught.exception), r"token was rejected")
            self.assertIs(agent.wait(1), caught.exception)
            self.assertTrue(agent.stopped)
            with self.assertRaises(AgentStoppedError):
                agent.heartbeat()
            self.assertEqual(len(reads), 3, "a stopped agent does not call the platform again")

    def test_pause_and_over_budget_directives_reach_their_callbacks(self):
        workspace_id, token = op.create_external("py budget", budgetLimit=100)
        seen: list[str] = []
        agent = self.agent(
            workspace_id,
            lambda: token,
            on_pause=lambda a: seen.append("pause"),
            on_resume=lambda a: seen.append("resume"),
            on_over_budget=lambda a: seen.append("over_budget"),
        )
        agent.start()
        agent.add_spend(150)
        self.assertIn("over_budget", agent.heartbeat()["directives"])
        self.assertTrue(agent.is_over_budget())
        self.assertTrue(op.view(workspace_id)["overBudget"])
        op.mutate("workspace.pause", {"id": workspace_id})
        agent.heartbeat()
        self.assertTrue(agent.is_paused())
        self.assertEqual(op.view(workspace_id)["status"], "paused")
        op.mutate("workspace.resume", {"id": workspace_id})
        agent.heartbeat()
        self.assertFalse(agent.is_paused())
        self.assertEqual(seen, ["over_budget", "pause", "resume"])

    def test_update_card_and_check_access(self):
        workspace_id, token = op.create_external("py card")
        other_id, _ = op.create_external("py sibling")
        agent = self.agent(workspace_id, lambda: token)
        agent.start()
        agent.update_card({"name": "renamed", "skills": []})
        self.assertEqual(agent.check_access(other_id), {"allowed": True, "reason": "siblings"})

    def test_the_example_agent_goes_online_degraded_and_back_online_after_restart(self):
        workspace_id, token = op.create_external("py example")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "MOLECULE_PLATFORM_URL": op.PLATFORM_URL,
            "MOLECULE_WORKSPACE_ID": workspace_id,
            "MOLECULE_WORKSPACE_TOKEN": token,
            "ECHO_WEDGE_AFTER_SECONDS": "2",
            "ECHO_TASK_INTERVAL_SECONDS": "0.1",
        }
        process = subprocess.Popen(
            [sys.executable, str(EXAMPLE)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.addCleanup(lambda: process.poll() is None and (process.kill(), process.wait()))
        try:
            op.wait_status(workspace_id, "online")
            degraded = op.wait_status(workspace_id, "degraded")
            self.assertEqual(degraded["lastSampleError"], WEDGE_ERROR)
            op.mutate("workspace.restart", {"id": workspace_id})
            back = op.wait_status(workspace_id, "online")
            self.assertEqual(back["runtimeState"], "")
            self.assertIsNone(process.poll(), "the agent restarted its runtime in place")
        finally:
            process.terminate()
            output = process.communicate(timeout=10)[0].decode()
        self.assertEqual(process.returncode, 0, output)
        self.assertIn("restart requested by the operator", output)


if __name__ == "__main__":
    unittest.main()
