"""Fault switches shared by the national-database and portal stand-ins.

Every simulator built on this answers `POST /<name>/_control` with any of:

* `mode`: `"normal"` | `"down"` (every API call answers 503) | `"garbage"` (200 with a body
  that is not the protocol: an HTML error page);
* `delay_seconds`: wait this long before answering each API call (a slow remote);
* `fail_next`: the next N API calls answer 503, then the simulator is normal again.

`GET /<name>/_control` shows the switches and counters; `POST /<name>/_control/reset`
forgets everything. `_control` itself is never delayed nor failed.
"""

import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

from simulators import Request, Response

MODES = ("normal", "down", "garbage")
GARBAGE = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@dataclass
class Switches:
    mode: str = "normal"
    delay_seconds: float = 0.0
    fail_next: int = 0


class Faults:
    """Holds the switches; `intercept(request)` returns the faulty answer or None to go on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.switches = Switches()
        self.received = 0  # API calls that arrived, before any delay or failure

    def reset(self) -> None:
        with self._lock:
            self.switches = Switches()
            self.received = 0

    def update(self, data: Any) -> tuple[dict[str, Any] | None, str]:
        """Apply switches from a JSON body; returns (switches, "") or (None, error)."""
        if not isinstance(data, dict):
            return None, "body must be a JSON object"
        with self._lock:
            new = Switches(**asdict(self.switches))
            if "mode" in data:
                if data["mode"] not in MODES:
                    return None, f"mode must be one of {MODES}"
                new.mode = data["mode"]
            if "delay_seconds" in data:
                new.delay_seconds = max(0.0, float(data["delay_seconds"]))
            if "fail_next" in data:
                new.fail_next = max(0, int(data["fail_next"]))
            self.switches = new
            return asdict(new), ""

    def state(self) -> dict[str, Any]:
        with self._lock:
            return asdict(self.switches)

    def intercept(self, request: Request) -> Response | None:
        with self._lock:
            self.received += 1
            switches = Switches(**asdict(self.switches))
            if self.switches.fail_next:
                self.switches.fail_next -= 1
        if switches.delay_seconds:
            time.sleep(switches.delay_seconds)
        if switches.mode == "down" or switches.fail_next:
            return Response.json({"error": "unavailable", "detail": "service temporarily unavailable"}, 503)
        if switches.mode == "garbage":
            return Response(200, GARBAGE, {"Content-Type": "text/html"})
        return None


def control_response(faults: Faults, request: Request, parts: list[str], extra_state: Any, reset: Any) -> Response:
    """The common `_control` endpoints; `extra_state()` adds the simulator's own state."""
    if parts == ["_control", "reset"] and request.method == "POST":
        reset()
        return Response.json({"status": "reset"})
    if parts == ["_control"] and request.method == "POST":
        try:
            body = request.json()
        except ValueError:
            return Response.json({"error": "bad_request", "detail": "body is not JSON"}, 400)
        try:
            switches, error = faults.update(body)
        except (TypeError, ValueError) as exc:
            switches, error = None, str(exc)
        if switches is None:
            return Response.json({"error": "bad_request", "detail": error}, 400)
        return Response.json({"switches": switches, **extra_state()})
    if parts == ["_control"] and request.method == "GET":
        return Response.json({"switches": faults.state(), **extra_state()})
    return Response.json({"error": "not_found"}, 404)
