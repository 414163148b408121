"""Spend in cents for the current calendar month (UTC), as the platform counts it (SPEC §2)."""

from __future__ import annotations

import math
import threading
from datetime import datetime, timezone
from typing import Callable


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class SpendMeter:
    def __init__(self, now: Callable[[], datetime] = _utc_now) -> None:
        self._now = now
        self._month = self._month_of_now()
        self._cents = 0.0
        self._lock = threading.Lock()

    def add(self, cents: float) -> None:
        """Adds to this month's spend. Non-finite or non-positive amounts are ignored."""
        if not _finite(cents) or cents <= 0:
            return
        with self._lock:
            self._roll()
            self._cents += cents

    def set(self, cents: float) -> None:
        """Replaces this month's total (e.g. from the model provider's billing API)."""
        if not _finite(cents) or cents < 0:
            return
        with self._lock:
            self._roll()
            self._cents = cents

    def total(self) -> int:
        """This month's total in whole cents (0 means "no update" to the platform)."""
        with self._lock:
            self._roll()
            return int(round(self._cents))

    def _month_of_now(self) -> str:
        return self._now().astimezone(timezone.utc).strftime("%Y-%m")

    def _roll(self) -> None:
        month = self._month_of_now()
        if month != self._month:
            self._month = month
            self._cents = 0.0


def _finite(value: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
