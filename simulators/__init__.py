"""Stand-ins for the national systems MotCua talks to, as real HTTP services on 127.0.0.1.

Standard library only (no Django, nothing to install): each simulator is a small object
with a `handle(request) -> Response` method, mounted under its own first path segment of
one `ThreadingHTTPServer` (`/payment/...` for the payment platform). A simulator that must
live on a port of its own (e.g. an SMTP or SOAP stand-in) is started by `__main__.py` on
an extra port instead. See README.md.
"""

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

logger = logging.getLogger("simulators")
MAX_BODY_BYTES = 1024 * 1024


@dataclass
class Request:
    method: str
    path: str  # below the simulator's mount point, always starting with "/"
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    base_url: str  # scheme://host:port/<mount> as the client reached it

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8") or "null")

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> "Response":
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})

    @classmethod
    def html(cls, text: str, status: int = 200) -> "Response":
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})

    @classmethod
    def redirect(cls, location: str) -> "Response":
        return cls(HTTPStatus.SEE_OTHER, b"", {"Location": location})


class Simulator(Protocol):
    name: str  # the mount point: /<name>/...

    def handle(self, request: Request) -> Response: ...

    def reset(self) -> None: ...


def make_server(simulators: list[Simulator], host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """One threaded HTTP server with every simulator under `/<name>/`; port 0 picks a free port."""
    mounted = {simulator.name: simulator for simulator in simulators}

    class Handler(BaseHTTPRequestHandler):
        server_version = "MotCuaSimulators/1"
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._dispatch()

        def do_POST(self) -> None:
            self._dispatch()

        def _dispatch(self) -> None:
            parts = urlsplit(self.path)
            segments = parts.path.lstrip("/").split("/", 1)
            name, rest = segments[0], "/" + (segments[1] if len(segments) > 1 else "")
            if name in ("", "healthz"):
                self._send(Response.json({"status": "ok", "simulators": sorted(mounted)}))
                return
            simulator = mounted.get(name)
            if simulator is None:
                self._send(Response.json({"error": "not_found", "detail": f"no simulator at /{name}/"}, 404))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._send(Response.json({"error": "too_large"}, 413))
                return
            body = self.rfile.read(length) if length else b""
            host = self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
            request = Request(
                method=self.command,
                path=rest,
                query=dict(parse_qsl(parts.query, keep_blank_values=True)),
                headers={key.lower(): value for key, value in self.headers.items()},
                body=body,
                base_url=f"http://{host}/{name}",
            )
            try:
                response = simulator.handle(request)
            except Exception:  # a simulator bug must show up as a 500, not a dropped connection
                logger.exception("simulator %s failed on %s %s", name, self.command, self.path)
                response = Response.json({"error": "server_error"}, 500)
            self._send(response)

        def _send(self, response: Response) -> None:
            self.send_response(response.status)
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def log_message(self, format: str, *args: Any) -> None:
            logger.info("%s %s", self.address_string(), format % args)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def start_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve in a daemon thread (tests); stop with `server.shutdown(); server.server_close()`."""
    thread = threading.Thread(target=server.serve_forever, name="simulators", daemon=True)
    thread.start()
    return thread
