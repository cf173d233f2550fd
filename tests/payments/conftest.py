"""A payment platform simulator on a free port, MotCua on pytest-django's live server, and a
dossier of the demo catalogue waiting for its fee (status 6)."""

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from simulators import make_server, start_in_thread
from simulators.payment import PaymentSimulator

from motcua.accounts.models import User
from motcua.catalog.eforms import form_example
from motcua.catalog.models import Fee, ProcedureVersion
from motcua.directory.seed import HOME_AFFAIRS_CODE
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, StoredFile
from motcua.dossiers.services import dossier_act, dossier_submit
from motcua.payments.models import Invoice
from motcua.payments.services import dossier_request_payment

FEE_VND = 1_500_000


@dataclass
class Platform:
    """The running simulator: its base URL, switches over HTTP, and its state."""

    url: str
    simulator: PaymentSimulator

    def control(self, **switches: Any) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_control", json=switches, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def state(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/_control", timeout=10).json()

    def press(self, pay_url: str, action: str) -> httpx.Response:
        """The payer presses one of the three buttons on the platform's page."""
        page = httpx.get(pay_url, timeout=10)
        assert page.status_code == 200, page.text
        return httpx.post(pay_url, data={"action": action}, follow_redirects=False, timeout=60)

    def wait_for_callbacks(self, count: int, timeout: float = 15) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            delivered = [c for c in self.state()["callbacks"] if c["http_status"] is not None]
            if len(delivered) >= count:
                return delivered
            time.sleep(0.1)
        raise AssertionError(f"fewer than {count} callbacks delivered: {self.state()['callbacks']}")


@pytest.fixture
def platform(settings) -> Iterator[Platform]:
    simulator = PaymentSimulator(secret=settings.PAYMENT_SECRET, merchant=settings.PAYMENT_MERCHANT_ID)
    server = make_server([simulator], "127.0.0.1", 0)
    start_in_thread(server)
    url = f"http://127.0.0.1:{server.server_port}/payment"
    settings.PAYMENT_PLATFORM_URL = url
    try:
        yield Platform(url=url, simulator=simulator)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def motcua(settings, live_server, platform, tmp_path, monkeypatch) -> str:
    """MotCua on the live server, receiving the platform's callbacks; returns its base URL."""
    settings.SITE_URL = live_server.url
    settings.ROOT_URLCONF = "tests.payments.urls"
    settings.MEDIA_ROOT = tmp_path / "media"
    # The official forms (01, 05, …) are another suite's subject: do not render them here.
    monkeypatch.setattr(dossier_services, "_issue_form", lambda *args, **kwargs: None)
    return live_server.url


@dataclass
class Demo:
    citizen: User
    receiver: User
    specialist: User
    leader: User
    ward_receiver: User
    citizen2: User
    version: ProcedureVersion


@pytest.fixture
def demo(motcua) -> Demo:
    call_command("seed_demo", verbosity=0)
    version = (
        ProcedureVersion.objects.filter(
            online_mode="full", agency_links__agency__code=HOME_AFFAIRS_CODE, status="active", valid_to__isnull=True
        )
        .order_by("procedure__code")
        .first()
    )
    assert version is not None, "the seed catalogue has a full-online Home Affairs procedure"
    # The seed's Home Affairs procedures are free: give this one a fee schedule.
    Fee.objects.filter(version=version).delete()
    Fee.objects.create(version=version, order=1, case="Không thu phí đối với người có công", amount_vnd=0)
    Fee.objects.create(version=version, order=2, case="Cấp mới", amount_vnd=FEE_VND)
    Fee.objects.create(version=version, order=3, case="Cấp lại", amount_vnd=750_000)
    users = {user.username: user for user in User.objects.filter(username__startswith="demo.")}
    return Demo(
        citizen=users["demo.citizen"],
        receiver=users["demo.receiver"],
        specialist=users["demo.specialist"],
        leader=users["demo.leader"],
        ward_receiver=users["demo.ward.receiver"],
        citizen2=users["demo.citizen2"],
        version=version,
    )


def submitted(demo: Demo) -> Dossier:
    documents = []
    for requirement in demo.version.documents.filter(required=True, state_data_source=""):
        upload = StoredFile.objects.create(
            sha256=f"{requirement.pk:064d}", name="don.pdf", content_type="application/pdf", size=10, owner=demo.citizen
        )
        documents.append({"requirement_code": requirement.code, "file_id": upload.pk})
    dossier, _ = dossier_submit(
        actor=demo.citizen,
        procedure_code=demo.version.procedure.code,
        form=form_example(demo.version.form_schema),
        documents=documents,
    )
    return dossier


def payment_due(demo: Demo, *, from_status: int = 2) -> tuple[Dossier, Invoice]:
    """A dossier received (status 2) or in processing (4), then asked for its fee (status 6)."""
    dossier = submitted(demo)
    dossier = dossier_act(actor=demo.receiver, code=dossier.code, action="receive", version=dossier.version)
    if from_status == 4:
        dossier = dossier_act(actor=demo.receiver, code=dossier.code, action="assign", version=dossier.version)
    assert dossier.status == from_status
    invoice = dossier_request_payment(actor=demo.receiver, code=dossier.code, version=dossier.version)
    return Dossier.objects.get(pk=dossier.pk), invoice


def pdf_title(content: bytes) -> str:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return str(PdfFileReader(io.BytesIO(content)).trailer["/Info"]["/Title"])
