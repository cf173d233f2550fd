"""An SMTP sink: a real SMTP server on its own port that keeps every mail instead of sending it,
and shows what it caught over HTTP at /mail/.

The one simulator that is not standard library only: the SMTP side is aiosmtpd (a dev
dependency in pyproject.toml), run by `__main__.py` as an extra server on $EMAIL_PORT
(default 8925) — the same variable MotCua's SMTP settings read.

HTTP (mounted at /mail/ on the simulators' server):
    GET  /mail/                  the caught mails, newest first, for a developer to read
    GET  /mail/api/messages      the same as JSON (subject and text decoded)
    GET  /mail/_control          switches and counters
    POST /mail/_control          {"smtp": "normal" | "reject"}: `reject` answers every mail
                                 with 451 (a relay that is down for a while)
    POST /mail/_control/reset    forget everything
"""

import html
import logging
import socket
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from simulators import Request, Response

# aiosmtpd narrates every SMTP command at INFO; keep the console for what matters.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class MailStore:
    """What the sink caught, shared by its SMTP side and its HTTP side."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.changed = threading.Condition(self._lock)
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.messages: list[dict[str, Any]] = []
            self.mode = "normal"
            self.rejected = 0

    def add(self, *, mail_from: str, rcpt_tos: list[str], peer: str, content: bytes) -> dict[str, Any]:
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        part = parsed.get_body(preferencelist=("plain", "html"))
        text = (part.get_content() if part is not None else "").replace("\r\n", "\n")
        with self._lock:
            message = {
                "id": len(self.messages) + 1,
                "mail_from": mail_from,
                "rcpt_tos": list(rcpt_tos),
                "peer": peer,
                "received_at": datetime.now(UTC).isoformat(),
                "message_id": str(parsed.get("Message-ID", "")),
                "from": str(parsed.get("From", "")),
                "to": str(parsed.get("To", "")),
                # Long encoded subjects arrive folded; a mail reader shows them on one line.
                "subject": " ".join(str(parsed.get("Subject", "")).split()),
                "text": text,
                "headers": {key: str(value) for key, value in parsed.items()},
            }
            self.messages.append(message)
            self.changed.notify_all()
            return message

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.messages)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Block until at least `count` mails arrived (tests); returns them all."""
        with self.changed:
            self.changed.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
            return list(self.messages)


class _Handler:
    """aiosmtpd's handler: keep the mail, or refuse it while the switch says so."""

    def __init__(self, store: MailStore):
        self.store = store

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.store.mode == "reject":
            with self.store._lock:
                self.store.rejected += 1
            return "451 4.3.0 Mail server temporarily unavailable, try again later"
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        peer = session.peer[0] if session.peer else ""
        self.store.add(mail_from=envelope.mail_from, rcpt_tos=envelope.rcpt_tos, peer=peer, content=content)
        return "250 2.0.0 Message accepted"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class SmtpSink:
    """The SMTP side, with the small server interface `__main__.py` drives (serve_forever,
    shutdown, server_close, server_port). Port 0 picks a free port."""

    def __init__(self, store: MailStore, host: str = "127.0.0.1", port: int = 0):
        from aiosmtpd.controller import Controller

        self.store = store
        self.server_port = port or free_port(host)
        self.controller = Controller(_Handler(store), hostname=host, port=self.server_port, ready_timeout=10)
        self._stopped = threading.Event()

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def serve_forever(self) -> None:
        self.start()
        self._stopped.wait()

    def shutdown(self) -> None:
        self._stopped.set()
        self.stop()

    def server_close(self) -> None:
        pass


class MailSimulator:
    """The HTTP side: read and switch the sink."""

    name = "mail"

    def __init__(self, store: MailStore | None = None):
        self.store = store or MailStore()

    def reset(self) -> None:
        self.store.reset()

    def handle(self, request: Request) -> Response:
        if request.path == "/api/messages" and request.method == "GET":
            return Response.json({"messages": self.store.snapshot()})
        if request.path == "/_control" and request.method == "GET":
            return Response.json(self._state())
        if request.path == "/_control" and request.method == "POST":
            try:
                switches = request.json() or {}
            except ValueError:
                return Response.json({"error": "bad_json"}, 400)
            if switches.get("smtp") not in (None, "normal", "reject"):
                return Response.json({"error": "bad_switch", "smtp": ["normal", "reject"]}, 400)
            if switches.get("smtp"):
                self.store.mode = switches["smtp"]
            return Response.json(self._state())
        if request.path == "/_control/reset" and request.method == "POST":
            self.reset()
            return Response.json({"status": "reset"})
        if request.path == "/" and request.method == "GET":
            return Response.html(self._page())
        return Response.json({"error": "not_found"}, 404)

    def _state(self) -> dict[str, Any]:
        return {"smtp": self.store.mode, "rejected": self.store.rejected, "messages": len(self.store.snapshot())}

    def _page(self) -> str:
        items = "".join(
            "<article><h2>{subject}</h2><p><small>{at} · {sender} → {to}</small></p><pre>{text}</pre></article>".format(
                subject=html.escape(m["subject"]),
                at=html.escape(m["received_at"]),
                sender=html.escape(m["from"]),
                to=html.escape(", ".join(m["rcpt_tos"])),
                text=html.escape(m["text"]),
            )
            for m in reversed(self.store.snapshot())
        )
        return (
            '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Thư đã bắt (giả lập SMTP)</title>'
            "<style>pre{white-space:pre-wrap;font:inherit}article{border-bottom:1px solid #ccc}</style>"
            "<h1>Thư điện tử đã bắt được</h1>" + (items or "<p>Chưa có thư nào.</p>") + "</html>"
        )
