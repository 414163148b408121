"""The operator API over real HTTP (tRPC with the admin token), for the tests against a server.

scripts/test-against-server.ts starts a real server and sets MOLECULE_TEST_PLATFORM_URL and
MOLECULE_TEST_ADMIN_TOKEN; without them the server tests are skipped (unit tests still run)."""

from __future__ import annotations

import json
import os
import time
import urllib.parse
import urllib.request
from typing import Any, Callable, TypeVar

PLATFORM_URL = os.environ.get("MOLECULE_TEST_PLATFORM_URL", "")
ADMIN_TOKEN = os.environ.get("MOLECULE_TEST_ADMIN_TOKEN", "")
T = TypeVar("T")


def _call(request: urllib.request.Request) -> Any:
    request.add_header("authorization", f"Bearer {ADMIN_TOKEN}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["result"]["data"]


def mutate(procedure: str, payload: dict[str, Any]) -> Any:
    return _call(
        urllib.request.Request(
            f"{PLATFORM_URL}/api/trpc/{procedure}",
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"content-type": "application/json"},
        )
    )


def query(procedure: str, payload: dict[str, Any] | None = None) -> Any:
    suffix = "" if payload is None else "?input=" + urllib.parse.quote(json.dumps(payload))
    return _call(urllib.request.Request(f"{PLATFORM_URL}/api/trpc/{procedure}{suffix}"))


def create_external(name: str, **extra: Any) -> tuple[str, str]:
    """A new external workspace: (id, token)."""
    out = mutate("workspace.create", {"name": name, "external": True, **extra})
    return out["workspace"]["id"], out["token"]


def view(workspace_id: str) -> dict[str, Any]:
    for workspace in query("workspace.list"):
        if workspace["id"] == workspace_id:
            return workspace
    raise AssertionError(f"workspace {workspace_id} is not listed")


def wait_for(check: Callable[[], T], what: str, timeout: float = 10.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def wait_status(workspace_id: str, status: str, timeout: float = 10.0) -> dict[str, Any]:
    return wait_for(
        lambda: (lambda v: v if v["status"] == status else None)(view(workspace_id)),
        f"{workspace_id} to be {status}",
        timeout,
    )
