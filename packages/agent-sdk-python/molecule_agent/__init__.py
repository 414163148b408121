"""Molecule agent SDK for Python (standard library only): register, heartbeats, the wedge detector,
task and spend tracking, and the operator's directives. See README.md."""

from .agent import DEFAULT_HEARTBEAT_INTERVAL, EXIT_FOR_RESTART, WEDGED, Agent, AgentStoppedError
from .backoff import backoff_delay, jitter
from .client import PlatformClient, PlatformError
from .env import agent_from_env, env_token_source
from .error_window import ErrorWindow
from .spend import SpendMeter
from .wedge import (
    WEDGE_ERROR_PATTERNS,
    WedgeDetector,
    error_text,
    is_wedged,
    mark_wedged,
    process_wedge,
    reset_wedge_for_tests,
    wedge_reason,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_HEARTBEAT_INTERVAL",
    "EXIT_FOR_RESTART",
    "WEDGED",
    "WEDGE_ERROR_PATTERNS",
    "Agent",
    "AgentStoppedError",
    "ErrorWindow",
    "PlatformClient",
    "PlatformError",
    "SpendMeter",
    "WedgeDetector",
    "agent_from_env",
    "backoff_delay",
    "env_token_source",
    "error_text",
    "is_wedged",
    "jitter",
    "mark_wedged",
    "process_wedge",
    "reset_wedge_for_tests",
    "wedge_reason",
]
