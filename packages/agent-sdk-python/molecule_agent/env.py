"""The environment the platform gives a workspace process (SPEC §7), read in one place:
MOLECULE_PLATFORM_URL, MOLECULE_WORKSPACE_ID, MOLECULE_WORKSPACE_TOKEN, MOLECULE_MODEL;
MOLECULE_REQUEST_TIMEOUT_MS (optional) bounds each call to the platform (default 10,000 ms).
MOLECULE_WORKSPACE_TOKEN_FILE (optional, for external agents) names a file holding the token: it is
read again after a 401, so rotating the token is "write the file"."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Mapping

from .agent import Agent


def env_token_source(env: Mapping[str, str] | None = None, token_file: str | None = None) -> Callable[[], str | None]:
    """Reads the token file when one is named, else the environment variable (at call time)."""
    source = os.environ if env is None else env

    def read() -> str | None:
        path = token_file or source.get("MOLECULE_WORKSPACE_TOKEN_FILE")
        if path:
            return Path(path).read_text(encoding="utf-8").strip()
        return source.get("MOLECULE_WORKSPACE_TOKEN")

    return read


def agent_from_env(env: Mapping[str, str] | None = None, **options: Any) -> Agent:
    """An Agent configured from the environment; keyword options override it (see Agent)."""
    source = os.environ if env is None else env
    platform_url = options.pop("platform_url", None) or source.get("MOLECULE_PLATFORM_URL")
    workspace_id = options.pop("workspace_id", None) or source.get("MOLECULE_WORKSPACE_ID")
    token_file = options.pop("token_file", None)
    token_source = options.pop("token_source", None)
    missing = [
        name
        for name, value in (("MOLECULE_PLATFORM_URL", platform_url), ("MOLECULE_WORKSPACE_ID", workspace_id))
        if not value
    ]
    if not (token_source or token_file or source.get("MOLECULE_WORKSPACE_TOKEN") or source.get("MOLECULE_WORKSPACE_TOKEN_FILE")):
        missing.append("MOLECULE_WORKSPACE_TOKEN")
    if missing:
        raise ValueError(f"Missing environment for the agent: {', '.join(missing)}.")
    options.setdefault("model", source.get("MOLECULE_MODEL", ""))
    if "timeout" not in options:
        timeout = _request_timeout(source.get("MOLECULE_REQUEST_TIMEOUT_MS"))
        if timeout is not None:
            options["timeout"] = timeout
    return Agent(
        str(platform_url),
        str(workspace_id),
        token_source or env_token_source(source, token_file),
        **options,
    )


def _request_timeout(value: str | None) -> float | None:
    """MOLECULE_REQUEST_TIMEOUT_MS (as the TypeScript SDK reads it) in seconds; unset → the default."""
    if value is None or value.strip() == "":
        return None
    try:
        ms = float(value)
    except ValueError:
        ms = float("nan")
    if not (ms > 0 and ms != float("inf")):
        raise ValueError(f'MOLECULE_REQUEST_TIMEOUT_MS must be a positive number of milliseconds, not "{value}".')
    return ms / 1000
