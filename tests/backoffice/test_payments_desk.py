"""The payments desk of the workspace: fees listed, paid at the counter, refunded after a stop."""

import pytest
from django.urls import reverse

from motcua.catalog.models import Fee
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_act
from motcua.payments.models import Invoice
from motcua.payments.services import dossier_request_payment
from tests.backoffice.conftest import counter_dossier

pytestmark = pytest.mark.django_db

FEE_VND = 50_000


def _url(dossier):
    return reverse("backoffice:dossier", args=[dossier.code])


def _payment_due(office):
    """A received counter dossier asked for a 50.000 đ fee (status 6)."""
    Fee.objects.filter(version=office.version).delete()
    Fee.objects.create(version=office.version, order=1, case="Cấp mới", amount_vnd=FEE_VND)
    dossier = counter_dossier(office)
    invoice = dossier_request_payment(actor=office.receiver, code=dossier.code, version=dossier.version)
    return Dossier.objects.get(pk=dossier.pk), invoice


def _pay(client, dossier, **data):
    data.setdefault("version", Dossier.objects.get(pk=dossier.pk).version)
    return client.post(
        reverse("backoffice:counter_payment", args=[dossier.code]), {f"pay-{k}": v for k, v in data.items()}
    )


def _refund(client, dossier, invoice, **data):
    data.setdefault("version", Dossier.objects.get(pk=dossier.pk).version)
    return client.post(
        reverse("backoffice:fee_refund", args=[dossier.code, invoice.reference]),
        {f"{invoice.reference}-{k}": v for k, v in data.items()},
    )


def test_fees_are_listed_and_paid_at_the_counter(client, office):
    dossier, invoice = _payment_due(office)
    assert dossier.status == Status.PAYMENT_DUE
    client.force_login(office.receiver)
    html = client.get(_url(dossier)).content.decode()
    assert "Phí, lệ phí" in html
    assert invoice.reference in html and "50.000 đ" in html and "Chờ thanh toán" in html
    assert "Ghi nhận đã thu tại quầy" in html

    response = _pay(client, dossier, receipt_number="  BL/2026-0015 ")
    assert response.status_code == 302
    assert response["Location"] == _url(dossier)
    invoice.refresh_from_db()
    assert (invoice.state, invoice.channel, invoice.counter_receipt_number) == ("success", "counter", "BL/2026-0015")
    assert invoice.recorded_by_id == office.receiver.pk and invoice.paid_at is not None
    after = Dossier.objects.get(pk=dossier.pk)
    assert after.status != Status.PAYMENT_DUE and after.version > dossier.version

    page = client.get(_url(dossier))
    html = page.content.decode()
    assert "Đã ghi nhận nộp 50.000 đ tại quầy (biên lai số BL/2026-0015)." in html
    assert "Đã thanh toán" in html and "BL/2026-0015" in html
    assert "Ghi nhận đã thu tại quầy" not in html  # no longer due
    assert "Hoàn phí" not in html  # the dossier is still being handled


def test_missing_or_malformed_receipt_number_is_explained_and_nothing_changes(client, office):
    dossier, invoice = _payment_due(office)
    client.force_login(office.receiver)
    response = _pay(client, dossier, receipt_number="   ")
    assert response.status_code == 400
    assert "Vui lòng nhập số biên lai thu tại quầy." in response.content.decode()
    assert 'href="#counter-payment"' in response.content.decode()
    response = _pay(client, dossier, receipt_number="<script>")
    assert response.status_code == 400
    assert "Số biên lai chỉ gồm chữ, chữ số" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.state == "created" and invoice.counter_receipt_number == ""
    assert Dossier.objects.get(pk=dossier.pk).version == dossier.version


def test_stale_page_gets_the_conflict_explanation(client, office):
    dossier, invoice = _payment_due(office)
    stale_version = dossier.version
    # A colleague stops the dossier while this page is open.
    dossier_act(
        actor=office.receiver, code=dossier.code, action="stop", version=dossier.version, note="Người nộp xin dừng"
    )
    client.force_login(office.receiver)
    response = _pay(client, dossier, version=stale_version, receipt_number="0001234")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Hồ sơ đã thay đổi trong lúc bạn xem" in html and "Tải lại trang" in html
    assert Invoice.objects.get(pk=invoice.pk).state == "created"


def test_officer_of_another_agency_gets_404(client, office):
    dossier, invoice = _payment_due(office)
    client.force_login(office.ward_receiver)
    assert _pay(client, dossier, receipt_number="0001234").status_code == 404
    assert _refund(client, dossier, invoice, reason="Không rõ").status_code == 404
    assert Invoice.objects.get(pk=invoice.pk).state == "created"


def test_specialist_sees_fees_but_cannot_record_a_counter_payment(client, office):
    dossier, invoice = _payment_due(office)
    client.force_login(office.specialist)
    html = client.get(_url(dossier)).content.decode()
    assert invoice.reference in html and "Ghi nhận đã thu tại quầy" not in html
    assert _pay(client, dossier, receipt_number="0001234").status_code == 403
    assert Invoice.objects.get(pk=invoice.pk).state == "created"


def test_refund_after_the_dossier_is_stopped_is_recorded_and_shown(client, office):
    dossier, invoice = _payment_due(office)
    client.force_login(office.receiver)
    assert _pay(client, dossier, receipt_number="0001234").status_code == 302
    dossier = Dossier.objects.get(pk=dossier.pk)
    dossier_act(
        actor=office.receiver, code=dossier.code, action="stop", version=dossier.version, note="Người nộp xin dừng"
    )

    client.force_login(office.leader)
    html = client.get(_url(dossier)).content.decode()
    assert "Hoàn phí 50.000 đ" in html
    response = _refund(client, dossier, invoice, reason="  ")
    assert response.status_code == 400
    assert "Vui lòng ghi rõ lý do hoàn trả." in response.content.decode()
    assert f'href="#refund-{invoice.reference}"' in response.content.decode()
    assert Invoice.objects.get(pk=invoice.pk).state == "success"

    response = _refund(client, dossier, invoice, reason="Hồ sơ đã dừng giải quyết theo đề nghị của người nộp")
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.state == "refunded" and invoice.refunded_by_id == office.leader.pk
    assert invoice.refund_reason == "Hồ sơ đã dừng giải quyết theo đề nghị của người nộp"
    assert DossierEvent.objects.filter(dossier=dossier, action="refund").count() == 1
    html = client.get(_url(dossier)).content.decode()
    assert "Đã hoàn trả 50.000 đ phí, lệ phí." in html
    assert "Đã hoàn trả" in html and "Hoàn trả lúc" in html
    assert "Hoàn phí 50.000 đ" not in html  # nothing left to give back
