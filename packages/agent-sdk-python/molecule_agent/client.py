"""The platform's agent-facing wire protocol (SPEC §3): snake_case JSON over plain HTTP, the
workspace token as ``Authorization: Bearer <token>``, errors as ``{"error": "..."}``."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Callable, Mapping

USER_AGENT = "molecule-agent-python/0.1.0"


class PlatformError(Exception):
    """A call the platform answered with an error (``status``), or could not be reached (``None``)."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        #: Seconds from the ``Retry-After`` header of a 429 or 503, when the platform sent one.
        self.retry_after = retry_after


class PlatformClient:
    """One method per wire endpoint. ``get_token`` is called for every request, so a re-read token
    is used at once."""

    def __init__(self, platform_url: str, get_token: Callable[[], str], timeout: float = 10.0) -> None:
        self.base = platform_url.rstrip("/")
        self._get_token = get_token
        self._timeout = timeout

    def register(self, workspace_id: str, url: str | None, agent_card: Mapping[str, Any]) -> dict[str, Any]:
        return self.post("/registry/register", {"id": workspace_id, "url": url, "agent_card": dict(agent_card)})

    def heartbeat(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        return self.post("/registry/heartbeat", dict(payload))

    def update_card(self, workspace_id: str, agent_card: Mapping[str, Any]) -> dict[str, Any]:
        return self.post("/registry/update-card", {"workspace_id": workspace_id, "agent_card": dict(agent_card)})

    def check_access(self, caller_id: str, target_id: str) -> dict[str, Any]:
        return self.post("/registry/check-access", {"caller_id": caller_id, "target_id": target_id})

    def post(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(body).encode("utf-8"),
            method="POST",
            headers={
                "content-type": "application/json",
                "accept": "application/json",
                "authorization": f"Bearer {self._get_token()}",
                "user-agent": USER_AGENT,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return _json_object(response.read())
        except urllib.error.HTTPError as error:
            raw = error.read()
            message = _error_message(raw) or f"HTTP {error.code}"
            raise PlatformError(
                f"{path}: {message} ({error.code})", error.code, _retry_after(error.headers.get("retry-after"))
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            # Unreachable, refused, reset, timed out, or not JSON: worth retrying with backoff.
            reason = getattr(error, "reason", error)
            raise PlatformError(f"{path}: {reason}") from error


def _json_object(raw: bytes) -> dict[str, Any]:
    value = json.loads(raw.decode("utf-8") or "{}")
    if not isinstance(value, dict):
        raise ValueError("the platform answered with something other than a JSON object")
    return value


def _error_message(raw: bytes) -> str:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return raw.decode("utf-8", "replace").strip()[:200]
    if isinstance(value, dict) and isinstance(value.get("error"), str):
        return value["error"]
    return ""


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
