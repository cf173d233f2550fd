"""Fees paid at the counter, refunds when a dossier is stopped, and who may do what."""

import pytest
from django.test import Client

from motcua.core.errors import Conflict, NotFound, PermissionDenied
from motcua.core.models import OutboxMessage
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent
from motcua.dossiers.services import dossier_act
from motcua.payments.models import Invoice
from motcua.payments.services import invoice_refund, payment_record_at_counter, payment_start
from tests.payments.conftest import payment_due

pytestmark = pytest.mark.django_db(transaction=True)


def token(username: str) -> str:
    response = Client().post(
        "/api/v1/auth/token", {"username": username, "password": "motcua-demo-2026"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return f"Bearer {response.json()['access_token']}"


def test_counter_payment_by_the_receiver(demo, platform, motcua):
    dossier, invoice = payment_due(demo)
    with pytest.raises(PermissionDenied):
        payment_record_at_counter(actor=demo.specialist, invoice=invoice, receipt_number="0001234")
    with pytest.raises(NotFound):  # another agency's officer does not even see it
        payment_record_at_counter(actor=demo.ward_receiver, invoice=invoice, receipt_number="0001234")
    api = Client()
    refused = api.post(
        f"/api/v1/payments/invoices/{invoice.reference}/counter",
        {"receipt_number": "0001234"},
        content_type="application/json",
        HTTP_AUTHORIZATION=token("demo.citizen"),
    )
    assert refused.status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).state == "created"

    response = api.post(
        f"/api/v1/payments/invoices/{invoice.reference}/counter",
        {"receipt_number": "0001234"},
        content_type="application/json",
        HTTP_AUTHORIZATION=token("demo.receiver"),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["channel"], body["amount_text"]) == ("success", "counter", "1.500.000 đ")
    invoice.refresh_from_db()
    assert (invoice.counter_receipt_number, invoice.recorded_by_id) == ("0001234", demo.receiver.pk)
    dossier_now = Dossier.objects.get(pk=dossier.pk)
    assert (dossier_now.status, dossier_now.clock) == (2, "running")
    pay = DossierEvent.objects.get(dossier=dossier, action="pay")
    assert (pay.role, pay.actor_id) == ("receiver", demo.receiver.pk)
    assert "0001234" in pay.note
    assert DossierDocument.objects.filter(dossier=dossier, kind="notice", pk=invoice.receipt_id).exists()

    with pytest.raises(Conflict):
        payment_record_at_counter(actor=demo.receiver, invoice=invoice, receipt_number="0001235")
    with pytest.raises(Conflict):
        payment_start(invoice=invoice, return_url=f"{motcua}/x/", actor=demo.citizen)
    assert platform.state()["transactions"] == {}


def test_refund_after_the_dossier_is_stopped(demo, platform, motcua):
    dossier, invoice = payment_due(demo)
    platform.press(payment_start(invoice=invoice, return_url=f"{motcua}/ket-qua/"), "pay")
    invoice.refresh_from_db()
    assert invoice.state == "success"
    with pytest.raises(Conflict):  # the dossier is still being handled
        invoice_refund(actor=demo.receiver, invoice=invoice, reason="Dừng xử lý")

    dossier = Dossier.objects.get(pk=dossier.pk)
    dossier_act(
        actor=demo.receiver, code=dossier.code, action="stop", version=dossier.version, note="Người nộp xin dừng"
    )
    with pytest.raises(PermissionDenied):
        invoice_refund(actor=demo.citizen, invoice=invoice, reason="Tôi muốn lấy lại tiền")
    assert platform.state()["refund_requests"] == 0

    response = Client().post(
        f"/api/v1/payments/invoices/{invoice.reference}/refund",
        {"reason": "Hồ sơ đã dừng giải quyết theo đề nghị của người nộp"},
        content_type="application/json",
        HTTP_AUTHORIZATION=token("demo.receiver"),
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "refunded"
    invoice.refresh_from_db()
    assert invoice.refunded_at is not None and invoice.refund_id.startswith("RF")
    assert invoice.refunded_by_id == demo.receiver.pk
    at_platform = platform.state()["transactions"][invoice.platform_transaction_id]
    assert (at_platform["status"], at_platform["refund_id"]) == ("refunded", invoice.refund_id)
    event = DossierEvent.objects.filter(dossier=dossier, action="refund").get()
    assert event.data["reference"] == invoice.reference
    # The refund is a change like any other: the national portal and the notifications hear of it.
    refunded = Dossier.objects.get(pk=dossier.pk)
    (message,) = OutboxMessage.objects.filter(topic="dossier.changed", payload__action="refund")
    assert message.payload == {"code": dossier.code, "action": "refund", "status": 8, "version": refunded.version}

    with pytest.raises(Conflict):
        invoice_refund(actor=demo.receiver, invoice=invoice, reason="lần nữa")
    assert platform.state()["refund_requests"] == 1
