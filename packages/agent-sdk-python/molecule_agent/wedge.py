"""The wedge detector (SPEC §7), with the same semantics as the TypeScript SDK's wedge.ts.

A "wedged" runtime is alive but broken: the thread that heartbeats keeps running while the runtime
beside it is dead (for example an SDK stuck on ``Control request timeout: initialize``). Once
wedged, the runtime stays wedged: the first reason wins and sticks for the process lifetime, so no
later call or partial heartbeat can clear it. Only a fresh runtime (a new process, or an
operator-directed restart of the runtime, see Agent) starts clean.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Iterable, Pattern

#: Errors that mean the runtime itself is wedged, not just that one task failed.
WEDGE_ERROR_PATTERNS: tuple[Pattern[str], ...] = (re.compile(r"control request timeout", re.IGNORECASE),)


def error_text(error: object) -> str:
    """A one-line description of anything raised (the message, else the exception's class name)."""
    if isinstance(error, BaseException):
        message = str(error)
        return message or type(error).__name__
    if isinstance(error, str):
        return error
    try:
        return json.dumps(error)
    except (TypeError, ValueError):
        return str(error)


class WedgeDetector:
    """Sticky: ``mark_wedged`` keeps the first reason until ``reset`` (a replaced runtime)."""

    def __init__(self, patterns: Iterable[Pattern[str] | str] = WEDGE_ERROR_PATTERNS) -> None:
        # Strings are compiled case-insensitively, like the default pattern.
        self._patterns = tuple(p if isinstance(p, re.Pattern) else re.compile(p, re.IGNORECASE) for p in patterns)
        self._reason: str | None = None
        self._lock = threading.Lock()

    def mark_wedged(self, reason: str) -> bool:
        """Marks the runtime wedged. True when this call was the one that wedged it."""
        with self._lock:
            if self._reason is not None:
                return False
            self._reason = reason.strip() or "runtime wedged"
            return True

    def is_wedged(self) -> bool:
        return self._reason is not None

    def wedge_reason(self) -> str:
        """The first reason given, or "" when not wedged."""
        return self._reason or ""

    def matches(self, error: object) -> bool:
        """Whether this error means the runtime is wedged (matches one of the patterns)."""
        text = error_text(error)
        return any(p.search(text) for p in self._patterns)

    def observe(self, error: object) -> bool:
        """Looks at a failure: marks the runtime wedged when it matches. True when this call wedged it."""
        return self.matches(error) and self.mark_wedged(error_text(error))

    def reset(self) -> None:
        """Forgets the wedge. Only for tests and for the moment the runtime itself was replaced
        (an operator-directed restart): never because a task happened to succeed."""
        with self._lock:
            self._reason = None


#: The detector of this process: a wedge is a property of the runtime, and there is one per process.
process_wedge = WedgeDetector()


def mark_wedged(reason: str) -> bool:
    return process_wedge.mark_wedged(reason)


def is_wedged() -> bool:
    return process_wedge.is_wedged()


def wedge_reason() -> str:
    return process_wedge.wedge_reason()


def reset_wedge_for_tests() -> None:
    """Test-only: clears this process's wedge between test cases."""
    process_wedge.reset()
