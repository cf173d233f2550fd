"""Forged callbacks and returns are refused and recorded; nothing else changes."""

import json

import httpx
import pytest
from django.test import Client

from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent
from motcua.payments.client import sign
from motcua.payments.models import CallbackOutcome, CallbackSource, Invoice, PaymentCallback
from motcua.payments.services import payment_start
from tests.payments.conftest import FEE_VND, payment_due

pytestmark = pytest.mark.django_db(transaction=True)


def _snapshot(dossier: Dossier, invoice: Invoice) -> tuple:
    dossier = Dossier.objects.get(pk=dossier.pk)
    invoice = Invoice.objects.get(pk=invoice.pk)
    return (
        dossier.status,
        dossier.clock,
        dossier.version,
        DossierEvent.objects.filter(dossier=dossier).count(),
        DossierDocument.objects.filter(dossier=dossier).count(),
        invoice.state,
        invoice.paid_at,
    )


def _post(motcua: str, payload: dict, signature: str) -> httpx.Response:
    return httpx.post(
        f"{motcua}/api/v1/payments/callback",
        content=json.dumps(payload),
        headers={"Content-Type": "application/json", "X-Signature": signature},
        timeout=30,
    )


def test_forged_callbacks_are_refused_recorded_and_change_nothing(demo, platform, motcua, settings):
    dossier, invoice = payment_due(demo)
    payment_start(invoice=invoice, return_url=f"{motcua}/thanh-toan/{invoice.reference}/ket-qua/")
    invoice.refresh_from_db()
    before = _snapshot(dossier, invoice)
    genuine = {
        "merchant": settings.PAYMENT_MERCHANT_ID,
        "transaction_id": invoice.platform_transaction_id,
        "reference": invoice.reference,
        "amount": FEE_VND,
        "status": "success",
        "paid_at": "2026-09-07T02:00:00+00:00",
    }

    wrong_key = _post(motcua, genuine, sign(genuine, secret="not-the-shared-secret"))
    assert wrong_key.status_code == 403
    assert wrong_key.json()["error"] == "forbidden"
    tampered = {**genuine, "amount": 1000}
    assert _post(motcua, tampered, sign(genuine)).status_code == 403
    assert _post(motcua, genuine, "").status_code == 403

    assert _snapshot(dossier, invoice) == before
    forged = PaymentCallback.objects.filter(source=CallbackSource.CALLBACK).order_by("id")
    assert [(row.signature_ok, row.outcome) for row in forged] == [(False, CallbackOutcome.FORGED)] * 3
    assert forged[1].payload["amount"] == 1000  # the raw payload is kept as received
    assert all(row.invoice_id == invoice.pk for row in forged)

    # A correctly signed message that does not match the invoice is refused too.
    assert _post(motcua, tampered, sign(tampered)).status_code == 400
    assert PaymentCallback.objects.order_by("-id").first().outcome == CallbackOutcome.MISMATCH
    assert _snapshot(dossier, invoice) == before

    # The genuine one is accepted.
    accepted = _post(motcua, genuine, sign(genuine))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"result": "applied"}
    assert Dossier.objects.get(pk=dossier.pk).status == 2


def test_forged_browser_return_does_not_settle(demo, platform, motcua):
    dossier, invoice = payment_due(demo)
    payment_start(invoice=invoice, return_url=f"{motcua}/thanh-toan/{invoice.reference}/ket-qua/")
    invoice.refresh_from_db()
    before = _snapshot(dossier, invoice)
    client = Client()
    client.force_login(demo.citizen)
    query = {
        "transaction_id": invoice.platform_transaction_id,
        "reference": invoice.reference,
        "amount": str(FEE_VND),
        "status": "success",
        "signature": "0" * 64,
    }
    page = client.get(f"/thanh-toan/{invoice.reference}/ket-qua/", query, follow=True)
    text = page.content.decode()
    assert "Thanh toán thành công" not in text
    assert "Đang chờ xác nhận" in text  # the platform says it is still pending
    assert _snapshot(dossier, invoice) == before
    record = PaymentCallback.objects.get(source=CallbackSource.RETURN)
    assert (record.signature_ok, record.outcome) == (False, CallbackOutcome.FORGED)


def test_unknown_transaction_is_not_found(demo, platform, motcua, settings):
    payload = {"merchant": settings.PAYMENT_MERCHANT_ID, "transaction_id": "TXNOPE", "reference": "x", "amount": 1}
    payload["status"] = "success"
    response = _post(motcua, payload, sign(payload))
    assert response.status_code == 404
    assert PaymentCallback.objects.get().outcome == CallbackOutcome.UNKNOWN
