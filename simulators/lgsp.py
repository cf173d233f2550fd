"""The city's data-sharing bus' stand-in (Nền tảng tích hợp, chia sẻ dữ liệu LGSP, mô phỏng).

With `INTEGRATIONS_TRANSPORT=lgsp`, MotCua sends every call to a national system through the
bus: `<LGSP_URL>/<system>/<path>` with the bus' key in `X-LGSP-Key`. The bus checks its key
and forwards the call (method, body, `X-Api-Key`, `Idempotency-Key`, `Content-Type`) to the
system, then answers with the system's answer and an `X-LGSP-Trace-Id`. A system it cannot
reach, or one it does not know, is a 502.

Upstreams: by default `<the bus' own host>/<system>`, i.e. the other simulators on the same
server (`python -m simulators`); `LgspSimulator(upstreams={"dvcqg": "http://…"})` or
`POST /lgsp/_control {"upstreams": {...}}` points a system elsewhere.

Switches: `simulators/faults.py` on `_control` (the bus itself down, slow or garbling);
`GET /lgsp/_control` also shows how many calls were forwarded per system.
"""

import os
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from simulators import Request, Response
from simulators.faults import Faults, control_response

# DEVELOPMENT ONLY: the same default as motcua.settings.LGSP_API_KEY.
DEVELOPMENT_API_KEY = "motcua-development-lgsp-key-NOT-FOR-PRODUCTION"
SYSTEMS = ("population", "civil-status", "dvcqg", "business-registry", "social-insurance")
FORWARDED_HEADERS = ("x-api-key", "idempotency-key", "content-type", "accept")


def api_key_from_environment() -> str:
    file_name = os.environ.get("LGSP_API_KEY_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get("LGSP_API_KEY") or DEVELOPMENT_API_KEY


class LgspSimulator:
    name = "lgsp"

    def __init__(self, api_key: str | None = None, upstreams: dict[str, str] | None = None) -> None:
        self.api_key = api_key or api_key_from_environment()
        self.configured = dict(upstreams or {})
        self.faults = Faults()
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.faults.reset()
        with self._lock:
            self.upstreams = dict(self.configured)
            self.forwarded: dict[str, int] = {}
            self.timeout = 30.0

    def _state(self) -> dict[str, Any]:
        with self._lock:
            return {"forwarded": dict(self.forwarded), "upstreams": dict(self.upstreams)}

    def handle(self, request: Request) -> Response:
        parts = [part for part in request.path.split("/") if part]
        if parts[:1] == ["_control"]:
            if parts == ["_control"] and request.method == "POST":
                try:
                    body = request.json()
                except ValueError:
                    body = None
                if isinstance(body, dict) and isinstance(body.get("upstreams"), dict):
                    with self._lock:
                        self.upstreams.update({str(k): str(v) for k, v in body.pop("upstreams").items()})
            return control_response(self.faults, request, parts, self._state, self.reset)
        if request.headers.get("x-lgsp-key") != self.api_key:
            return Response.json({"error": "unauthorized", "detail": "missing or wrong X-LGSP-Key"}, 401)
        faulty = self.faults.intercept(request)
        if faulty is not None:
            return faulty
        if not parts or parts[0] not in SYSTEMS:
            # Not a 404: a client must never read "no such service" as "no such person".
            return Response.json({"error": "unknown_service", "detail": "no such service on the bus"}, 502)
        system, rest = parts[0], "/".join(parts[1:])
        with self._lock:
            base = self.upstreams.get(system) or f"{request.base_url.rsplit('/', 1)[0]}/{system}"
            self.forwarded[system] = self.forwarded.get(system, 0) + 1
        url = f"{base.rstrip('/')}/{rest}"
        if request.query:
            url += "?" + urlencode(request.query)
        headers = {key: value for key, value in request.headers.items() if key in FORWARDED_HEADERS}
        trace = uuid.uuid4().hex
        forward = urllib.request.Request(url, data=request.body or None, method=request.method, headers=headers)
        try:
            with urllib.request.urlopen(forward, timeout=self.timeout) as upstream:
                status, body, content_type = upstream.status, upstream.read(), upstream.headers.get("Content-Type")
        except urllib.error.HTTPError as error:
            status, body, content_type = error.code, error.read(), error.headers.get("Content-Type")
        except (urllib.error.URLError, OSError) as error:
            return Response.json(
                {"error": "bad_gateway", "detail": f"{system} unreachable: {error}"}, 502, {"X-LGSP-Trace-Id": trace}
            )
        return Response(
            status, body, {"Content-Type": content_type or "application/octet-stream", "X-LGSP-Trace-Id": trace}
        )
