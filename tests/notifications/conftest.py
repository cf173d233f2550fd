"""A real SMTP sink (aiosmtpd on a free loopback port), the SMS gateway stand-in over HTTP,
and a procedure with a citizen, a receiver and a leader, driven through the real services."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from simulators import make_server, start_in_thread
from simulators.mail import MailStore, SmtpSink
from simulators.sms import SmsSimulator

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.core import outbox
from motcua.core.models import OutboxMessage
from motcua.directory.models import Agency
from motcua.dossiers.models import Dossier
from tests.dossiers.helpers import act, make_procedure, record_forms, submit, vn

# Monday 7/9/2026 09:00, Vietnam time: an ordinary working week.
MONDAY_9 = vn(2026, 9, 7, 9, 0)


@pytest.fixture
def smtp(settings) -> Iterator[MailStore]:
    """A real SMTP server on loopback catching every mail; Django's SMTP backend points at it."""
    store = MailStore()
    sink = SmtpSink(store, "127.0.0.1", 0).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.server_port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield store
    finally:
        sink.stop()


@dataclass
class Gateway:
    url: str
    simulator: SmsSimulator

    def control(self, **switches: Any) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_control", json=switches, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def messages(self) -> list[dict[str, Any]]:
        return httpx.get(f"{self.url}/_control", timeout=10).json()["messages"]


@pytest.fixture
def sms_gateway(settings) -> Iterator[Gateway]:
    simulator = SmsSimulator(api_key="test-sms-key")
    server = make_server([simulator], "127.0.0.1", 0)
    start_in_thread(server)
    url = f"http://127.0.0.1:{server.server_port}/sms"
    settings.SMS_GATEWAY_URL = url
    settings.SMS_API_KEY = "test-sms-key"
    settings.SMS_TIMEOUT_SECONDS = 2
    try:
        yield Gateway(url=url, simulator=simulator)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.SITE_URL = "https://dichvucong.example.vn"
    settings.MEDIA_ROOT = tmp_path / "media"


def deliver() -> int:
    """Run the outbox until nothing is due (fan-out, then each subscriber, then each channel)."""
    total = 0
    for _ in range(10):
        delivered = outbox.deliver_pending()
        total += delivered
        if not delivered:
            break
    return total


def make_due_now(topic: str) -> int:
    """The backoff has passed: messages of `topic` waiting for a retry become due now."""
    return OutboxMessage.objects.filter(topic=topic, state=OutboxMessage.State.PENDING).update(
        available_at=datetime(2000, 1, 1, tzinfo=MONDAY_9.tzinfo)
    )


@dataclass
class Flow:
    version: ProcedureVersion
    agency: Agency
    citizen: User
    receiver: User
    leader: User

    def submit(self) -> Dossier:
        return submit(self.citizen, self.version, now=MONDAY_9)

    def act(self, dossier: Dossier, action: str, actor: User | None = None, **kwargs: Any) -> Dossier:
        return act(actor or self.receiver, dossier, action, now=kwargs.pop("now", MONDAY_9), **kwargs)


@pytest.fixture
def flow(agency, citizen, receiver, leader, monkeypatch) -> Flow:
    """A 5-working-day procedure at `agency`; the citizen has an e-mail address and a mobile number.

    Official forms are recorded instead of rendered (their own suite renders them).
    """
    record_forms(monkeypatch)
    agency.address = "86 Lê Thánh Tôn, phường Sài Gòn, Thành phố Hồ Chí Minh"
    agency.phone = "028 3829 6052"
    agency.save()
    citizen.email = "nguyen.van.an@example.vn"
    citizen.phone = "0901 234 567"
    citizen.save()
    version = make_procedure(agency=agency)
    version.name = "Cấp giấy phép hoạt động dịch vụ việc làm"
    version.save()
    return Flow(version=version, agency=agency, citizen=citizen, receiver=receiver, leader=leader)
