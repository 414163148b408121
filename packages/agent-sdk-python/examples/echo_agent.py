#!/usr/bin/env python3
"""An example agent on molecule_agent: it echoes A2A ``message/send`` requests and runs a trickle of
background tasks, so the canvas shows active and current tasks.

    MOLECULE_PLATFORM_URL=http://127.0.0.1:3000 MOLECULE_WORKSPACE_ID=<id> \\
    MOLECULE_WORKSPACE_TOKEN=<token> python3 examples/echo_agent.py

ECHO_WEDGE_AFTER_SECONDS=N makes its "runtime" wedge after N seconds: every task then fails with
``Control request timeout: initialize``, the SDK marks itself wedged and the workspace turns
``degraded`` with that sample error. Restart on the canvas sends the ``restart`` directive: the
agent restarts its runtime (a fresh one is healthy), registers again and is ``online``.
Other settings: PORT (default: any free port), ECHO_TASK_INTERVAL_SECONDS (default 1).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

try:
    import molecule_agent
except ImportError:  # run from a checkout without installing the package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import molecule_agent

WEDGE_ERROR = "Control request timeout: initialize"


class EchoRuntime:
    """Stands in for a real model runtime that can wedge (and be replaced by a fresh one)."""

    def __init__(self, wedge_after: float | None) -> None:
        self._wedge_at = None if wedge_after is None else time.monotonic() + wedge_after

    def restart(self) -> None:
        self._wedge_at = None

    def echo(self, text: str) -> str:
        if self._wedge_at is not None and time.monotonic() >= self._wedge_at:
            raise RuntimeError(WEDGE_ERROR)
        return text


def serve(agent_ref: list, runtime: EchoRuntime, card: dict, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path == "/.well-known/agent-card.json":
                self._json(200, card)
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            try:
                request = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                parts = request.get("params", {}).get("message", {}).get("parts", [])
                text = " ".join(p.get("text", "") for p in parts if isinstance(p, dict))
                reply = agent_ref[0].run_task(f"message/send: {text[:80]}", runtime.echo, text)
                self._json(200, {"jsonrpc": "2.0", "id": request.get("id"), "result": {
                    "kind": "message", "role": "agent", "parts": [{"kind": "text", "text": reply}]}})
            except Exception as error:  # noqa: BLE001 - the JSON-RPC error carries it
                self._json(200, {"jsonrpc": "2.0", "id": None, "error": {"code": -32000, "message": str(error)}})

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    wedge_after = os.environ.get("ECHO_WEDGE_AFTER_SECONDS")
    runtime = EchoRuntime(float(wedge_after) if wedge_after else None)
    interval = float(os.environ.get("ECHO_TASK_INTERVAL_SECONDS") or 1)
    agent_ref: list = []
    card = {"name": os.environ.get("MOLECULE_WORKSPACE_NAME", "Echo agent"), "description": "Echoes messages",
            "skills": [{"id": "echo", "name": "Echo"}]}
    server = serve(agent_ref, runtime, card, int(os.environ.get("PORT") or 0))
    url = f"http://127.0.0.1:{server.server_address[1]}"
    card["url"] = url
    done = threading.Event()

    agent = molecule_agent.agent_from_env(
        url=url,
        agent_card=card,
        # The restart directive: replace the runtime; the SDK then clears the wedge and registers again.
        restart_runtime=runtime.restart,
        on_pause=lambda a: logging.info("paused by the operator: no new work"),
        on_resume=lambda a: logging.info("resumed"),
        on_over_budget=lambda a: logging.warning("over budget"),
        on_stopped=lambda error: done.set(),
    )
    agent_ref.append(agent)
    signal.signal(signal.SIGTERM, lambda *_: (agent.stop(), done.set()))
    signal.signal(signal.SIGINT, lambda *_: (agent.stop(), done.set()))

    try:
        agent.start()
    except molecule_agent.AgentStoppedError as error:
        logging.error("%s", error)
        return 78
    logging.info("echo agent %s registered, serving %s", agent.workspace_id, url)

    n = 0
    while not done.wait(interval):
        if agent.is_paused():
            continue
        n += 1
        try:
            agent.run_task(f"echo #{n}", runtime.echo, f"background task {n}")
            agent.add_spend(1)
        except RuntimeError:
            pass  # counted by the SDK (and, for a wedge, reported as one)
    server.shutdown()
    if agent.stop_error is not None:
        logging.error("%s", agent.stop_error)
        return 78
    return 0


if __name__ == "__main__":
    sys.exit(main())
