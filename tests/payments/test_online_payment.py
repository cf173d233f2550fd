"""Paying online through the platform: callbacks before, after, twice, never; failures; expiry."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from motcua.dossiers.files import file_read
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent
from motcua.payments.models import CallbackOutcome, CallbackSource, Invoice, PaymentCallback
from motcua.payments.services import payment_start, payments_reconcile
from tests.payments.conftest import FEE_VND, Demo, Platform, payment_due, pdf_title

pytestmark = pytest.mark.django_db(transaction=True)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _start(demo: Demo, invoice: Invoice, motcua: str) -> str:
    return payment_start(
        invoice=invoice, return_url=f"{motcua}/thanh-toan/{invoice.reference}/ket-qua/", actor=demo.citizen
    )


def _assert_settled(dossier_before: Dossier, invoice: Invoice, *, back_to: int) -> Dossier:
    invoice.refresh_from_db()
    assert invoice.state == "success"
    assert invoice.channel == "online"
    assert invoice.paid_at is not None
    assert invoice.platform_transaction_id
    dossier = Dossier.objects.get(pk=dossier_before.pk)
    assert dossier.status == back_to
    assert dossier.clock == "running"
    assert dossier.paused_at is None
    assert not dossier.pauses.filter(ended_at__isnull=True).exists()
    assert dossier.due_at >= dossier_before.due_at
    pays = DossierEvent.objects.filter(dossier=dossier, action="pay")
    assert pays.count() == 1
    assert (pays.get().role, pays.get().from_status, pays.get().to_status) == ("system", 6, back_to)
    receipts = DossierDocument.objects.filter(dossier=dossier, kind="notice", name__startswith="Biên lai")
    assert receipts.count() == 1
    receipt = receipts.get()
    assert receipt.name == f"Biên lai thu phí, lệ phí điện tử {invoice.reference}"
    assert invoice.receipt_id == receipt.pk
    content = file_read(receipt.file)
    assert content.startswith(b"%PDF-")
    assert invoice.reference in pdf_title(content)
    return dossier


def test_normal_payment_from_the_portal_callback_before_the_return(demo, platform: Platform, motcua):
    dossier, invoice = payment_due(demo, from_status=4)
    assert (dossier.status, dossier.clock, invoice.amount_vnd, invoice.fee_case) == (6, "paused", FEE_VND, "Cấp mới")
    assert invoice.reference == f"{dossier.code}-P1"
    citizen = _client(demo.citizen)

    page = citizen.get(f"/thanh-toan/{invoice.reference}/")
    assert page.status_code == 200
    assert "1.500.000 đ" in page.content.decode() and "Thanh toán trực tuyến" in page.content.decode()
    started = citizen.post(f"/thanh-toan/{invoice.reference}/")
    assert started.status_code == 302
    pay_url = started["Location"]
    assert pay_url.startswith(platform.url + "/pay/")
    invoice.refresh_from_db()
    assert invoice.state == "started"

    back = platform.press(pay_url, "pay")
    assert back.status_code == 303
    # The callback was delivered (and accepted) before the browser was sent back.
    assert [c["http_status"] for c in platform.state()["callbacks"]] == [200]
    _assert_settled(dossier, invoice, back_to=4)

    landing = citizen.get(_local(back.headers["Location"]))
    assert landing.status_code == 302
    result = citizen.get(landing["Location"])
    assert "Thanh toán thành công" in result.content.decode()
    # The callback had settled it: the return did not need to ask the platform.
    assert platform.state()["status_queries"] == 0
    returned = PaymentCallback.objects.get(source=CallbackSource.RETURN)
    assert (returned.signature_ok, returned.outcome) == (True, CallbackOutcome.DUPLICATE)


def test_duplicated_callback_changes_nothing(demo, platform: Platform, motcua):
    dossier, invoice = payment_due(demo, from_status=2)
    platform.control(callbacks="duplicate")
    platform.press(_start(demo, invoice, motcua), "pay")

    assert [c["http_status"] for c in platform.state()["callbacks"]] == [200, 200]
    _assert_settled(dossier, invoice, back_to=2)
    outcomes = list(
        PaymentCallback.objects.filter(source=CallbackSource.CALLBACK).order_by("id").values_list("outcome", flat=True)
    )
    assert outcomes == [CallbackOutcome.APPLIED, CallbackOutcome.DUPLICATE]
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version + 1


def test_return_before_a_late_callback(demo, platform: Platform, motcua):
    dossier, invoice = payment_due(demo)
    platform.control(callbacks="delay", delay_seconds=1.5)
    back = platform.press(_start(demo, invoice, motcua), "pay")
    assert platform.state()["callbacks"] == []  # not yet

    citizen = _client(demo.citizen)
    result = citizen.get(_local(back.headers["Location"]), follow=True)
    assert "Thanh toán thành công" in result.content.decode()
    assert platform.state()["status_queries"] == 1  # the return asked the platform
    _assert_settled(dossier, invoice, back_to=2)

    platform.wait_for_callbacks(1)
    late = PaymentCallback.objects.get(source=CallbackSource.CALLBACK)
    assert (late.signature_ok, late.outcome) == (True, CallbackOutcome.DUPLICATE)
    _assert_settled(dossier, invoice, back_to=2)


def test_missing_callback_is_settled_by_reconciliation(demo, platform: Platform, motcua):
    dossier, invoice = payment_due(demo)
    platform.control(callbacks="drop")
    platform.press(_start(demo, invoice, motcua), "pay")
    assert [c["http_status"] for c in platform.state()["callbacks"]] == [None]
    invoice.refresh_from_db()
    assert invoice.state == "started"
    assert Dossier.objects.get(pk=dossier.pk).status == 6

    assert payments_reconcile() == 0  # too recent to ask about
    assert payments_reconcile(now=timezone.now() + timedelta(minutes=11)) == 1
    _assert_settled(dossier, invoice, back_to=2)
    assert PaymentCallback.objects.get(source=CallbackSource.STATUS).outcome == CallbackOutcome.APPLIED
    assert payments_reconcile(now=timezone.now() + timedelta(minutes=11)) == 0


def test_failed_then_abandoned_then_paid(demo, platform: Platform, motcua):
    dossier, invoice = payment_due(demo)
    first = _start(demo, invoice, motcua)
    platform.press(first, "fail")
    invoice.refresh_from_db()
    assert invoice.state == "failed"
    second = _start(demo, invoice, motcua)
    assert second != first
    platform.press(second, "abandon")
    invoice.refresh_from_db()
    assert invoice.state == "cancelled"
    assert Dossier.objects.get(pk=dossier.pk).status == 6
    assert not DossierDocument.objects.filter(dossier=dossier, kind="notice").exists()

    third = _start(demo, invoice, motcua)
    assert third not in (first, second)
    assert _start(demo, invoice, motcua) == third  # still pending: the same page again
    platform.press(third, "pay")
    _assert_settled(dossier, invoice, back_to=2)
    assert list(invoice.attempts.order_by("number").values_list("state", flat=True)) == [
        "failed",
        "cancelled",
        "success",
    ]


def test_expired_payment(demo, platform: Platform, motcua):
    dossier, invoice = payment_due(demo)
    platform.control(ttl_seconds=0)
    pay_url = _start(demo, invoice, motcua)
    import httpx

    assert httpx.get(pay_url, timeout=10).status_code == 409  # the platform's page: expired

    assert payments_reconcile(now=timezone.now() + timedelta(minutes=11)) == 1
    invoice.refresh_from_db()
    assert invoice.state == "expired"
    assert invoice.expired_at is not None
    dossier_now = Dossier.objects.get(pk=dossier.pk)
    assert (dossier_now.status, dossier_now.clock) == (6, "paused")
    result = _client(demo.citizen).get(f"/thanh-toan/{invoice.reference}/ket-qua/")
    assert "Giao dịch đã hết hạn" in result.content.decode()

    platform.control(ttl_seconds=900)
    again = _start(demo, invoice, motcua)
    assert again != pay_url
    platform.press(again, "pay")
    _assert_settled(dossier, invoice, back_to=2)
