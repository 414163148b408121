"""Pure parts: error window, backoff, spend, and the heartbeat payload (no server)."""

import unittest
from datetime import datetime, timezone

import logging

from molecule_agent import Agent, ErrorWindow, SpendMeter, WedgeDetector, backoff_delay, jitter

QUIET = logging.getLogger("molecule_agent.tests.quiet")
QUIET.addHandler(logging.NullHandler())
QUIET.propagate = False


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


class ErrorWindowTest(unittest.TestCase):
    def test_rate_and_last_error(self):
        window = ErrorWindow()
        self.assertEqual(window.rate(), 0)
        self.assertEqual(window.last_error(), "")
        window.record_success()
        window.record_failure("boom")
        window.record_success()
        window.record_failure("")
        self.assertEqual(window.rate(), 0.5)
        self.assertEqual(window.last_error(), "task failed")

    def test_keeps_only_the_last_samples(self):
        window = ErrorWindow(max_samples=4)
        for _ in range(4):
            window.record_failure("old")
        for _ in range(4):
            window.record_success()
        self.assertEqual(window.rate(), 0)
        self.assertEqual(window.last_error(), "")

    def test_old_failures_age_out(self):
        clock = Clock()
        window = ErrorWindow(max_age_seconds=60, now=clock)
        window.record_failure("stale")
        clock.t += 30
        window.record_success()
        self.assertEqual(window.rate(), 0.5)
        clock.t += 31
        self.assertEqual(window.rate(), 0)
        self.assertEqual(window.last_error(), "")

    def test_clear(self):
        window = ErrorWindow()
        window.record_failure("x")
        window.clear()
        self.assertEqual(window.rate(), 0)


class BackoffTest(unittest.TestCase):
    def test_jitter_bounds(self):
        self.assertAlmostEqual(jitter(10, random=lambda: 0), 9)
        self.assertAlmostEqual(jitter(10, random=lambda: 1), 11)

    def test_exponential_and_capped(self):
        mid = lambda: 0.5  # noqa: E731 - no jitter at the midpoint
        self.assertEqual([backoff_delay(n, 1, 30, mid) for n in range(1, 8)], [1, 2, 4, 8, 16, 30, 30])
        self.assertAlmostEqual(backoff_delay(100, 1, 30, lambda: 1), 36)
        self.assertAlmostEqual(backoff_delay(1, 1, 30, lambda: 0), 0.8)


class RetryDelayTest(unittest.TestCase):
    def test_a_429_retry_after_is_honoured_never_shortened(self):
        from molecule_agent import PlatformError

        agent = Agent("http://127.0.0.1:9", "ws-1", lambda: "t", wedge=WedgeDetector(), logger=QUIET)
        self.assertGreaterEqual(agent._retry_delay(PlatformError("slow down", 429, retry_after=7), 1), 7)
        self.assertLessEqual(agent._retry_delay(PlatformError("down", None), 1), 1.2)
        # The cap still applies to plain backoff.
        self.assertLessEqual(agent._retry_delay(PlatformError("down", None), 50), 36.0001)


class SpendMeterTest(unittest.TestCase):
    def test_adds_and_rolls_over_with_the_utc_month(self):
        now = [datetime(2026, 1, 31, 23, 59, tzinfo=timezone.utc)]
        meter = SpendMeter(now=lambda: now[0])
        meter.add(10.4)
        meter.add(0.4)
        meter.add(-5)
        meter.add(float("nan"))
        self.assertEqual(meter.total(), 11)
        now[0] = datetime(2026, 2, 1, 0, 0, tzinfo=timezone.utc)
        self.assertEqual(meter.total(), 0)
        meter.set(250)
        self.assertEqual(meter.total(), 250)


class PayloadTest(unittest.TestCase):
    def make(self):
        return Agent("http://127.0.0.1:9", "ws-1", lambda: "t", wedge=WedgeDetector(), logger=QUIET)

    def test_always_the_full_payload(self):
        agent = self.make()
        payload = agent.heartbeat_payload()
        self.assertEqual(
            set(payload),
            {
                "workspace_id",
                "error_rate",
                "sample_error",
                "active_tasks",
                "uptime_seconds",
                "current_task",
                "monthly_spend",
                "runtime_state",
            },
        )
        self.assertEqual(payload["runtime_state"], "")
        self.assertEqual(payload["error_rate"], 0)

    def test_tasks_errors_and_wedge(self):
        agent = self.make()
        with agent.task("outer"):
            with agent.task("inner"):
                self.assertEqual(agent.active_tasks(), 2)
                self.assertEqual(agent.current_task(), "inner")
            self.assertEqual(agent.current_task(), "outer")
        self.assertEqual(agent.active_tasks(), 0)
        with self.assertRaises(ValueError):
            agent.run_task("tool", self._raise, ValueError("Simulated tool failure"))
        self.assertFalse(agent.is_wedged(), "an unrelated error does not wedge")
        self.assertEqual(agent.heartbeat_payload()["sample_error"], "Simulated tool failure")
        with self.assertRaises(RuntimeError):
            agent.run_task("init", self._raise, RuntimeError("Control request timeout: initialize"))
        for _ in range(10):
            agent.run_task("fine", lambda: None)
        payload = agent.heartbeat_payload()
        self.assertEqual(payload["runtime_state"], "wedged")
        self.assertEqual(payload["sample_error"], "Control request timeout: initialize")
        self.assertLess(payload["error_rate"], 0.5)

    def test_spend_is_reported(self):
        agent = self.make()
        agent.add_spend(42)
        self.assertEqual(agent.heartbeat_payload()["monthly_spend"], 42)

    @staticmethod
    def _raise(error):
        raise error


if __name__ == "__main__":
    unittest.main()


class RequestTimeoutFromEnvTest(unittest.TestCase):
    """MOLECULE_REQUEST_TIMEOUT_MS bounds each call, as in the TypeScript SDK."""

    ENV = {"MOLECULE_PLATFORM_URL": "", "MOLECULE_WORKSPACE_ID": "ws-1", "MOLECULE_WORKSPACE_TOKEN": "t"}

    def test_a_platform_that_never_answers_fails_the_call_within_the_timeout(self):
        import socket
        import time

        from molecule_agent import PlatformError, agent_from_env

        # A real server that accepts the connection and never answers.
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        held = []
        try:
            url = f"http://127.0.0.1:{listener.getsockname()[1]}"
            agent = agent_from_env({**self.ENV, "MOLECULE_PLATFORM_URL": url, "MOLECULE_REQUEST_TIMEOUT_MS": "300"})
            started = time.monotonic()
            with self.assertRaises(PlatformError) as caught:
                agent.heartbeat()
            held.append(listener.accept()[0])
            self.assertLess(time.monotonic() - started, 3)
            self.assertIsNone(caught.exception.status)
            self.assertIn("timed out", str(caught.exception))
        finally:
            for conn in held:
                conn.close()
            listener.close()

    def test_a_bad_value_is_a_clear_error(self):
        from molecule_agent import agent_from_env

        for bad in ("0", "-5", "soon", "inf"):
            with self.assertRaisesRegex(ValueError, "MOLECULE_REQUEST_TIMEOUT_MS"):
                agent_from_env({**self.ENV, "MOLECULE_PLATFORM_URL": "http://127.0.0.1:1", "MOLECULE_REQUEST_TIMEOUT_MS": bad})
