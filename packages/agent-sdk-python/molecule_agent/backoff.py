"""Jitter and exponential backoff (same numbers as the TypeScript SDK's backoff.ts)."""

from __future__ import annotations

import random as _random
from typing import Callable


def jitter(seconds: float, ratio: float = 0.1, random: Callable[[], float] = _random.random) -> float:
    """``seconds`` ± ``ratio`` (default 10 %), so a fleet of agents does not heartbeat in lockstep."""
    return max(0.0, seconds * (1 - ratio + 2 * ratio * random()))


def backoff_delay(
    failures: int,
    base_seconds: float,
    max_seconds: float,
    random: Callable[[], float] = _random.random,
) -> float:
    """Delay after ``failures`` consecutive failures: base·2^(n-1), capped, ±20 % jitter."""
    exp = min(max_seconds, base_seconds * 2 ** max(0, failures - 1))
    return jitter(exp, 0.2, random)
