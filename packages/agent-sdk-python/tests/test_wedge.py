"""The wedge detector: same semantics as packages/agent-sdk/src/wedge.ts (SPEC §7)."""

import unittest

from molecule_agent import WEDGE_ERROR_PATTERNS, WedgeDetector, error_text, is_wedged, mark_wedged
from molecule_agent import reset_wedge_for_tests, wedge_reason


class WedgeDetectorTest(unittest.TestCase):
    def test_first_reason_wins_and_sticks(self):
        wedge = WedgeDetector()
        self.assertFalse(wedge.is_wedged())
        self.assertEqual(wedge.wedge_reason(), "")
        self.assertTrue(wedge.mark_wedged("Control request timeout: initialize"))
        self.assertFalse(wedge.mark_wedged("something else"))
        self.assertTrue(wedge.is_wedged())
        self.assertEqual(wedge.wedge_reason(), "Control request timeout: initialize")

    def test_blank_reason_still_wedges(self):
        wedge = WedgeDetector()
        wedge.mark_wedged("   ")
        self.assertTrue(wedge.is_wedged())
        self.assertEqual(wedge.wedge_reason(), "runtime wedged")

    def test_matching_errors_wedge_case_insensitively(self):
        wedge = WedgeDetector()
        self.assertTrue(wedge.observe(RuntimeError("CONTROL REQUEST TIMEOUT: initialize")))
        self.assertEqual(wedge.wedge_reason(), "CONTROL REQUEST TIMEOUT: initialize")

    def test_unrelated_errors_do_not_wedge(self):
        wedge = WedgeDetector()
        for error in (ValueError("Simulated tool failure"), TimeoutError("read timed out"), "control timeout"):
            self.assertFalse(wedge.observe(error))
        self.assertFalse(wedge.is_wedged())

    def test_custom_patterns(self):
        wedge = WedgeDetector([r"segfault in runtime", *WEDGE_ERROR_PATTERNS])
        self.assertTrue(wedge.matches(RuntimeError("SEGFAULT in runtime 3")))
        self.assertTrue(wedge.matches(RuntimeError("control request timeout")))
        self.assertFalse(wedge.matches(RuntimeError("rate limited")))

    def test_only_reset_clears_it(self):
        wedge = WedgeDetector()
        wedge.observe(RuntimeError("Control request timeout: initialize"))
        self.assertFalse(wedge.observe(RuntimeError("Control request timeout: later")))
        self.assertEqual(wedge.wedge_reason(), "Control request timeout: initialize")
        wedge.reset()
        self.assertFalse(wedge.is_wedged())

    def test_process_detector(self):
        self.addCleanup(reset_wedge_for_tests)
        self.assertFalse(is_wedged())
        self.assertTrue(mark_wedged("first"))
        self.assertFalse(mark_wedged("second"))
        self.assertEqual(wedge_reason(), "first")

    def test_error_text(self):
        self.assertEqual(error_text(RuntimeError("boom")), "boom")
        self.assertEqual(error_text(KeyError()), "KeyError")
        self.assertEqual(error_text("plain"), "plain")
        self.assertEqual(error_text({"a": 1}), '{"a": 1}')


if __name__ == "__main__":
    unittest.main()
