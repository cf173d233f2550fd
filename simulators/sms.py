"""Stand-in for a brand-name SMS gateway, mounted at /sms/.

The protocol (implemented on MotCua's side by `motcua.notifications.sms`):

    POST /sms/api/messages            Authorization: Bearer <key>
         {"to": "+84901234567", "text": "...", "sender": "MOTCUA", "client_ref": "..."}
      → 202 {"id": "SMS-000001", "status": "accepted", "segments": n}
        the same client_ref again → 200 with the first id (nothing sent twice)
      → 400 {"error": ...} for a bad number or text, 401 for a wrong key

Switches for tests (`POST /sms/_control`): {"mode": "normal" | "fail" | "slow" | "garbage",
"delay_seconds": n}: `fail` answers 503, `slow` waits `delay_seconds` before answering,
`garbage` answers 200 with a body that is not JSON. `GET /sms/_control` shows the switches
and every message received; `POST /sms/_control/reset` forgets everything; `GET /sms/`
lists the messages for a developer.
"""

import html
import os
import re
import threading
import time
from datetime import UTC, datetime
from typing import Any

from simulators import Request, Response

DEVELOPMENT_API_KEY = "motcua-development-sms-key-NOT-FOR-PRODUCTION"
MODES = ("normal", "fail", "slow", "garbage")
_PHONE = re.compile(r"^\+84[35789]\d{8}$")
MAX_TEXT = 612  # four GSM-7 segments


def _api_key() -> str:
    file_name = os.environ.get("SMS_API_KEY_FILE")
    if file_name:
        with open(file_name, encoding="utf-8") as handle:
            return handle.read().strip()
    return os.environ.get("SMS_API_KEY", DEVELOPMENT_API_KEY)


class SmsSimulator:
    name = "sms"

    def __init__(self, api_key: str | None = None):
        self.api_key = api_key or _api_key()
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.messages: list[dict[str, Any]] = []
            self.by_ref: dict[str, dict[str, Any]] = {}
            self.mode = "normal"
            self.delay_seconds = 3.0
            self.requests = 0

    def handle(self, request: Request) -> Response:
        if request.path == "/api/messages" and request.method == "POST":
            return self._send(request)
        if request.path == "/_control" and request.method == "GET":
            return Response.json(self.state())
        if request.path == "/_control" and request.method == "POST":
            return self._control(request)
        if request.path == "/_control/reset" and request.method == "POST":
            self.reset()
            return Response.json({"status": "reset"})
        if request.path == "/" and request.method == "GET":
            return Response.html(self._page())
        return Response.json({"error": "not_found"}, 404)

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "mode": self.mode,
                "delay_seconds": self.delay_seconds,
                "requests": self.requests,
                "messages": list(self.messages),
            }

    def _control(self, request: Request) -> Response:
        try:
            switches = request.json() or {}
        except ValueError:
            return Response.json({"error": "bad_json"}, 400)
        with self._lock:
            if "mode" in switches:
                if switches["mode"] not in MODES:
                    return Response.json({"error": "bad_mode", "modes": list(MODES)}, 400)
                self.mode = switches["mode"]
            if "delay_seconds" in switches:
                self.delay_seconds = float(switches["delay_seconds"])
        return Response.json(self.state())

    def _send(self, request: Request) -> Response:
        with self._lock:
            self.requests += 1
            mode, delay = self.mode, self.delay_seconds
        if request.headers.get("authorization", "") != f"Bearer {self.api_key}":
            return Response.json({"error": "unauthorized"}, 401)
        if mode == "fail":
            return Response.json({"error": "unavailable", "detail": "gateway overloaded"}, 503)
        if mode == "slow":
            time.sleep(delay)
        if mode == "garbage":
            return Response(200, b"<html><body>Service Temporarily Unavailable", {"Content-Type": "text/html"})
        try:
            data = request.json()
        except ValueError:
            return Response.json({"error": "bad_json"}, 400)
        if not isinstance(data, dict):
            return Response.json({"error": "bad_json"}, 400)
        to, text, ref = str(data.get("to", "")), str(data.get("text", "")), str(data.get("client_ref", ""))
        if not _PHONE.match(to):
            return Response.json({"error": "bad_number", "detail": "to must be +84 and 9 digits"}, 400)
        if not text or len(text) > MAX_TEXT:
            return Response.json({"error": "bad_text", "detail": f"1 to {MAX_TEXT} characters"}, 400)
        with self._lock:
            if ref and ref in self.by_ref:
                first = self.by_ref[ref]
                return Response.json({"id": first["id"], "status": "accepted", "duplicate": True})
            gsm = text.isascii()
            message = {
                "id": f"SMS-{len(self.messages) + 1:06d}",
                "to": to,
                "text": text,
                "sender": str(data.get("sender", "")),
                "client_ref": ref,
                "unicode": not gsm,
                "segments": 1 if len(text) <= (160 if gsm else 70) else -(-len(text) // (153 if gsm else 67)),
                "received_at": datetime.now(UTC).isoformat(),
            }
            self.messages.append(message)
            if ref:
                self.by_ref[ref] = message
        return Response.json({"id": message["id"], "status": "accepted", "segments": message["segments"]}, 202)

    def _page(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(m['received_at'])}</td><td>{html.escape(m['to'])}</td>"
            f"<td>{html.escape(m['text'])}</td></tr>"
            for m in reversed(self.state()["messages"])
        )
        return (
            '<!doctype html><html lang="vi"><meta charset="utf-8"><title>SMS (giả lập)</title>'
            "<h1>Tin nhắn SMS đã nhận (giả lập)</h1>"
            "<table><tr><th>Lúc</th><th>Đến</th><th>Nội dung</th></tr>" + rows + "</table></html>"
        )
