"""The error rate over a rolling window (SPEC §7), like the TypeScript SDK's error-window.ts: the
last ``max_samples`` task outcomes, and none older than ``max_age_seconds``. Old failures age out,
so an agent that recovers reports it."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable, NamedTuple


class _Sample(NamedTuple):
    at: float
    error: str | None


class ErrorWindow:
    def __init__(
        self,
        max_samples: int = 20,
        max_age_seconds: float = 300.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._samples: deque[_Sample] = deque(maxlen=max_samples)
        self._max_age = max_age_seconds
        self._now = now
        self._lock = threading.Lock()

    def record_success(self) -> None:
        with self._lock:
            self._samples.append(_Sample(self._now(), None))

    def record_failure(self, message: str) -> None:
        with self._lock:
            self._samples.append(_Sample(self._now(), message or "task failed"))

    def rate(self) -> float:
        """Failures / outcomes in the window, in [0, 1]; 0 when there were no tasks."""
        live = self._live()
        if not live:
            return 0.0
        return sum(1 for s in live if s.error is not None) / len(live)

    def last_error(self) -> str:
        """The most recent failure still in the window, or ""."""
        for sample in reversed(self._live()):
            if sample.error is not None:
                return sample.error
        return ""

    def clear(self) -> None:
        with self._lock:
            self._samples.clear()

    def _live(self) -> list[_Sample]:
        with self._lock:
            cutoff = self._now() - self._max_age
            while self._samples and self._samples[0].at < cutoff:
                self._samples.popleft()
            return list(self._samples)
