"""One agent's link to the platform (SPEC §7): register, the heartbeat loop, task tracking, the
wedge detector, spend, and the operator's directives. Every heartbeat carries the full payload built
from the agent's own state, so nothing but a fresh runtime can clear a wedge. Same behaviour as the
TypeScript SDK (packages/agent-sdk/src/agent.ts); durations are seconds here, milliseconds there."""

from __future__ import annotations

import itertools
import logging
import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Mapping, TypeVar

from .backoff import backoff_delay, jitter
from .client import PlatformClient, PlatformError
from .error_window import ErrorWindow
from .spend import SpendMeter
from .wedge import WedgeDetector, error_text, process_wedge

T = TypeVar("T")

#: The platform's default cadence until its first answer says otherwise (HEARTBEAT_INTERVAL_MS).
DEFAULT_HEARTBEAT_INTERVAL = 10.0
#: EX_TEMPFAIL, "try again": what a supervisor restarting the process should do.
EXIT_FOR_RESTART = 75
#: The one runtime_state that degrades a workspace (SPEC §2).
WEDGED = "wedged"

Callback = Callable[["Agent"], Any]


class AgentStoppedError(Exception):
    """Why an agent gave up: its token was rejected (even after re-reading it) or it was refused."""

    def __init__(self, message: str, http_status: int | None) -> None:
        super().__init__(message)
        self.http_status = http_status


class Agent:
    def __init__(
        self,
        platform_url: str,
        workspace_id: str,
        token_source: Callable[[], str | None],
        *,
        url: str | None = None,
        agent_card: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
        model: str = "",
        wedge: WedgeDetector | None = None,
        errors: ErrorWindow | None = None,
        heartbeat_interval: float = DEFAULT_HEARTBEAT_INTERVAL,
        backoff_base: float = 1.0,
        max_backoff: float = 30.0,
        restart_runtime: Callable[[], Any] | None = None,
        on_restart: Callback | None = None,
        on_pause: Callback | None = None,
        on_resume: Callback | None = None,
        on_over_budget: Callback | None = None,
        on_stopped: Callable[[AgentStoppedError | None], Any] | None = None,
        exit_process: Callable[[int], Any] | None = None,
        logger: logging.Logger | None = None,
        timeout: float = 10.0,
    ) -> None:
        """
        ``token_source`` is read at start and once more after a 401 (the operator may have rotated
        the token): if that token is rejected too, the agent stops with an AgentStoppedError.
        ``restart_runtime`` restarts the runtime this agent reports on (the ``restart`` directive);
        afterwards the wedge and error window are cleared and the agent registers again. Without it
        the runtime cannot be replaced in place, so ``restart`` ends the process with code 75 for its
        supervisor to start a fresh one (``exit_process``, default ``os._exit``): clearing the wedge
        of a runtime that was never replaced would report a dead runtime as healthy.
        """
        self.workspace_id = workspace_id
        self.model = model
        self.wedge = wedge if wedge is not None else process_wedge
        self.errors = errors if errors is not None else ErrorWindow()
        self.spend = SpendMeter()
        self.log = logger or logging.getLogger("molecule_agent")
        self.interval = heartbeat_interval
        self._url = url
        self._agent_card = agent_card
        self._token_source = token_source
        self._backoff_base = backoff_base
        self._max_backoff = max_backoff
        self._restart_runtime = restart_runtime
        self._on_restart = on_restart
        self._on_pause = on_pause
        self._on_resume = on_resume
        self._on_over_budget = on_over_budget
        self._on_stopped = on_stopped
        self._exit_process = exit_process or _exit_now
        self._client = PlatformClient(platform_url, lambda: self._token, timeout)

        self._token = ""
        self._token_loaded = False
        self._started_at = time.monotonic()
        self._running = False
        self._registered = False
        self._stopped = threading.Event()
        self._stop_error: AgentStoppedError | None = None
        self._wake = threading.Event()
        self._suspended = False
        self._thread: threading.Thread | None = None
        # One call to the platform at a time: the loop and a caller's heartbeat() never interleave,
        # and a restart directive's register() happens inside the heartbeat that carried it.
        self._call_lock = threading.RLock()
        self._restarting = False
        self._paused = False
        self._over_budget = False
        self._last_status: str | None = None
        self._task_ids = itertools.count(1)
        self._active: dict[int, str] = {}
        self._active_lock = threading.Lock()

    # ─── Lifecycle ──────────────────────────────────────────────────────────────────────────────

    def start(self) -> None:
        """Registers (retrying with backoff while the platform is unreachable), then heartbeats from
        a daemon thread. Raises AgentStoppedError when the platform refuses this agent for good."""
        if self._running or self._stopped.is_set():
            return
        self._running = True
        attempt = 0
        while self._running:
            attempt += 1
            try:
                self.register()
                break
            except AgentStoppedError:
                raise
            except PlatformError as error:
                if not self._running:
                    raise
                delay = self._retry_delay(error, attempt)
                self.log.warning("register failed (%s); retrying in %.1f s", error, delay)
                if self._stopped.wait(delay):
                    return
        if not self._running:
            return
        self._thread = threading.Thread(target=self._loop, name=f"molecule-heartbeat-{self.workspace_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stops heartbeats for good (e.g. on SIGTERM)."""
        self._finish(None)

    def wait(self, timeout: float | None = None) -> AgentStoppedError | None:
        """Blocks until the agent stops: None after stop(), the error when it gave up."""
        self._stopped.wait(timeout)
        return self._stop_error

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    @property
    def stop_error(self) -> AgentStoppedError | None:
        return self._stop_error

    def register(self) -> dict[str, Any]:
        """Registers this (fresh) runtime: the platform marks it online and clears the old wedge."""
        card = self._agent_card() if callable(self._agent_card) else (self._agent_card or {})
        with self._call_lock:
            out = self._authed(lambda: self._client.register(self.workspace_id, self._url, card))
            self._apply_answer(out)
            self._registered = True
        return out

    def heartbeat(self) -> dict[str, Any]:
        """Sends one heartbeat now and applies its directives. Returns the platform's answer."""
        with self._call_lock:
            out = self._authed(lambda: self._client.heartbeat(self.heartbeat_payload()))
            self._apply_answer(out)
            self._apply_directives(list(out.get("directives") or []))
        return out

    def update_card(self, agent_card: Mapping[str, Any]) -> None:
        """Replaces the agent card the platform shows (an unchanged card writes nothing)."""
        with self._call_lock:
            self._authed(lambda: self._client.update_card(self.workspace_id, agent_card))
        self._agent_card = agent_card

    def check_access(self, target_id: str) -> dict[str, Any]:
        """Whether this workspace may talk to ``target_id``: ``{"allowed": bool, "reason": str}``."""
        with self._call_lock:
            return self._authed(lambda: self._client.check_access(self.workspace_id, target_id))

    def heartbeat_soon(self) -> None:
        """Sends the next heartbeat as soon as possible (e.g. right after the runtime wedged)."""
        # Before the first register a heartbeat would race it; register itself reports the state.
        if self._running and self._registered and not self._suspended:
            self._wake.set()

    def suspend_heartbeats(self) -> None:
        """Stops sending heartbeats while the process stays alive (demo "hang"): the platform will
        see silence and mark the workspace offline."""
        with self._call_lock:
            self._suspended = True

    # ─── What the runtime reports ───────────────────────────────────────────────────────────────

    @contextmanager
    def task(self, name: str) -> Iterator[None]:
        """``with agent.task("Answer #42"): ...`` — tracked as active/current, counted in the error
        rate, checked for a wedge. Works inside async code too (``with``, not ``async with``)."""
        task_id = next(self._task_ids)
        with self._active_lock:
            self._active[task_id] = name
        try:
            yield
        except Exception as error:
            self.record_error(error)
            raise
        else:
            self.errors.record_success()
        finally:
            with self._active_lock:
                self._active.pop(task_id, None)

    def run_task(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Runs ``fn(*args, **kwargs)`` as one task (see ``task``) and returns its result."""
        with self.task(name):
            return fn(*args, **kwargs)

    def record_error(self, error: object) -> None:
        """Counts a failure outside ``task`` (and marks the runtime wedged when it matches)."""
        self.errors.record_failure(error_text(error))
        if self.wedge.observe(error):
            self.log.error("runtime wedged: %s", self.wedge.wedge_reason())
            self.heartbeat_soon()

    def mark_wedged(self, reason: str) -> None:
        """Marks the runtime wedged (the first reason sticks) and reports it with a heartbeat, soon."""
        if self.wedge.mark_wedged(reason):
            self.heartbeat_soon()

    def is_wedged(self) -> bool:
        return self.wedge.is_wedged()

    def wedge_reason(self) -> str:
        return self.wedge.wedge_reason()

    def add_spend(self, cents: float) -> None:
        """Adds to this month's spend (cents, calendar month UTC), reported with every heartbeat."""
        self.spend.add(cents)

    def active_tasks(self) -> int:
        with self._active_lock:
            return len(self._active)

    def current_task(self) -> str:
        """The most recently started task still running, or ""."""
        with self._active_lock:
            return next(reversed(self._active.values()), "")

    def is_paused(self) -> bool:
        return self._paused

    def is_over_budget(self) -> bool:
        return self._over_budget

    def status(self) -> str | None:
        """The status the platform last reported for this workspace."""
        return self._last_status

    def uptime_seconds(self) -> int:
        return int(time.monotonic() - self._started_at)

    def heartbeat_payload(self) -> dict[str, Any]:
        """The full heartbeat, always every field, so a wedged runtime can never send a "clean" one."""
        wedged = self.wedge.is_wedged()
        return {
            "workspace_id": self.workspace_id,
            "error_rate": self.errors.rate(),
            "sample_error": self.wedge.wedge_reason() if wedged else self.errors.last_error(),
            "active_tasks": self.active_tasks(),
            "uptime_seconds": self.uptime_seconds(),
            "current_task": self.current_task(),
            "monthly_spend": self.spend.total(),
            "runtime_state": WEDGED if wedged else "",
        }

    # ─── Directives ─────────────────────────────────────────────────────────────────────────────

    def _apply_answer(self, out: Mapping[str, Any]) -> None:
        interval_ms = out.get("heartbeat_interval_ms")
        if isinstance(interval_ms, (int, float)) and interval_ms > 0:
            self.interval = interval_ms / 1000
        if isinstance(out.get("status"), str):
            self._last_status = out["status"]

    def _apply_directives(self, directives: list[str]) -> None:
        pause = "pause" in directives
        if pause != self._paused:
            self._paused = pause
            self._callback(self._on_pause if pause else self._on_resume, "paused by the operator" if pause else "resumed")
        over = "over_budget" in directives
        if over != self._over_budget:
            self._over_budget = over
            if over:
                self._callback(self._on_over_budget, "over budget")
        if "restart" in directives and not self._restarting:
            self._restarting = True
            try:
                self.log.info("restart requested by the operator")
                if self._on_restart:
                    self._on_restart(self)
                else:
                    self.restart_runtime()
            except AgentStoppedError:
                raise
            except Exception as error:  # a failed hook must not kill the heartbeat loop
                self.log.error("restart failed: %s", error_text(error))
            finally:
                self._restarting = False

    def restart_runtime(self) -> None:
        """The default ``restart`` handling: restart the runtime (``restart_runtime``), forget what
        described the old runtime (wedge, errors, uptime), and register again as a fresh process."""
        if self._restart_runtime is None:
            self.log.error(
                "restart requested, but this runtime cannot be restarted in place (no restart_runtime hook): "
                "exiting so its supervisor starts a fresh process"
            )
            self.stop()
            self._exit_process(EXIT_FOR_RESTART)
            return
        self._restart_runtime()
        self.wedge.reset()
        self.errors.clear()
        self._started_at = time.monotonic()
        self.register()

    def _callback(self, callback: Callback | None, what: str) -> None:
        if callback is None:
            self.log.info(what)
            return
        try:
            callback(self)
        except Exception as error:
            self.log.error("callback for %s failed: %s", what, error_text(error))

    # ─── Loop, auth, backoff ────────────────────────────────────────────────────────────────────

    def _loop(self) -> None:
        failures = 0
        # A runtime that wedged while registering reports it at once (register cannot say so).
        delay = 0.0 if self.wedge.is_wedged() else jitter(self.interval)
        while not self._stopped.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stopped.is_set():
                return
            try:
                # Checked under the call lock: once suspend_heartbeats() returns, no heartbeat starts.
                with self._call_lock:
                    if self._suspended:
                        delay = 3600.0
                        continue
                    self.heartbeat()
                failures = 0
                delay = jitter(self.interval)
            except AgentStoppedError:
                return
            except PlatformError as error:
                failures += 1
                delay = self._retry_delay(error, failures)
                self.log.warning("heartbeat failed (%s); retrying in %.1f s", error, delay)
            except Exception as error:  # a bug in a callback must not end the heartbeats silently
                failures += 1
                delay = self._retry_delay(error, failures)
                self.log.exception("heartbeat failed (%s); retrying in %.1f s", error_text(error), delay)

    def _retry_delay(self, error: Exception, failures: int) -> float:
        retry_after = getattr(error, "retry_after", None)
        delay = backoff_delay(failures, min(self._backoff_base, self.interval), self._max_backoff)
        return max(delay, retry_after) if retry_after is not None else delay

    def _read_token(self) -> str:
        try:
            return (self._token_source() or "").strip()
        except Exception as error:  # an unreadable token file is "no token", reported below
            self.log.warning("could not read the workspace token: %s", error_text(error))
            return ""

    def _authed(self, call: Callable[[], T]) -> T:
        """Runs a call with the current token. On 401 the token is read again from its source, once:
        a new token is retried; the same token (or a second 401) stops the agent with a clear error.
        403/404 (token of another workspace, workspace removed) stop it too."""
        if self._stopped.is_set():
            raise AgentStoppedError("The agent was stopped.", None)
        if not self._token_loaded:
            self._token = self._read_token()
            self._token_loaded = True
        try:
            return call()
        except PlatformError as error:
            if error.status == 401:
                fresh = self._read_token()
                if fresh and fresh != self._token:
                    self.log.warning("workspace token rejected (401); retrying once with the token re-read from its source")
                    self._token = fresh
                    try:
                        return call()
                    except PlatformError as again:
                        if again.status != 401:
                            raise
                        raise self._give_up(401, "the re-read workspace token was rejected too (401)") from again
                raise self._give_up(
                    401,
                    "the workspace token was rejected (401: invalid, rotated or revoked) and its source has no newer one",
                ) from error
            if error.status in (403, 404):
                why = (
                    "this token belongs to another workspace (403)"
                    if error.status == 403
                    else "the workspace no longer exists (404)"
                )
                raise self._give_up(error.status, why) from error
            raise

    def _give_up(self, status: int, why: str) -> AgentStoppedError:
        error = AgentStoppedError(f"Agent for workspace {self.workspace_id} stopped: {why}.", status)
        self.log.error(str(error))
        self._finish(error)
        return error

    def _finish(self, error: AgentStoppedError | None) -> None:
        if self._stopped.is_set():
            return
        self._stop_error = error
        self._running = False
        self._stopped.set()
        self._wake.set()
        if self._on_stopped:
            self._on_stopped(error)


def _exit_now(code: int) -> None:
    # The heartbeat thread cannot end the process with sys.exit (that only ends the thread).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
