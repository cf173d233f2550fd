"""Invoices from the fee schedule, the invoices API, starting a payment, the platform being down."""

import pytest
from django.test import Client

from motcua.catalog.models import Fee
from motcua.core.errors import Conflict
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_act
from motcua.payments.models import Invoice
from motcua.payments.services import dossier_request_payment
from tests.payments.conftest import FEE_VND, payment_due, submitted
from tests.payments.test_counter_and_refund import token

pytestmark = pytest.mark.django_db(transaction=True)


def test_no_fee_no_payment_request(demo, motcua):
    Fee.objects.filter(version=demo.version, amount_vnd__gt=0).delete()
    dossier = submitted(demo)
    dossier = dossier_act(actor=demo.receiver, code=dossier.code, action="receive", version=dossier.version)
    with pytest.raises(Conflict):
        dossier_request_payment(actor=demo.receiver, code=dossier.code, version=dossier.version)
    # One transaction: without an invoice the dossier did not move to status 6.
    assert Dossier.objects.get(pk=dossier.pk).status == 2
    assert not Invoice.objects.exists()


def test_fee_case_chosen_by_the_officer(demo, motcua):
    dossier = submitted(demo)
    dossier = dossier_act(actor=demo.receiver, code=dossier.code, action="receive", version=dossier.version)
    invoice = dossier_request_payment(
        actor=demo.receiver, code=dossier.code, version=dossier.version, fee_case="Cấp lại"
    )
    assert (invoice.amount_vnd, invoice.fee_case, invoice.items[0]["amount_vnd"]) == (750_000, "Cấp lại", 750_000)
    assert "750.000 đ" in dossier.events.order_by("-seq").first().note


def test_invoices_api_and_start(demo, platform, motcua):
    dossier, invoice = payment_due(demo)
    api = Client()
    listing = api.get("/api/v1/payments/invoices", {"dossier": dossier.code}, HTTP_AUTHORIZATION=token("demo.citizen"))
    assert listing.status_code == 200, listing.content
    (item,) = listing.json()["items"]
    assert (item["reference"], item["amount_vnd"], item["state"]) == (invoice.reference, FEE_VND, "created")
    assert item["pay_page_url"].endswith(f"/thanh-toan/{invoice.reference}/")
    hidden = api.get("/api/v1/payments/invoices", {"dossier": dossier.code}, HTTP_AUTHORIZATION=token("demo.citizen2"))
    assert hidden.status_code == 404
    assert hidden.json()["error"] == "not_found"

    start_url = f"/api/v1/payments/invoices/{invoice.reference}/start"
    assert api.post(start_url, HTTP_AUTHORIZATION=token("demo.receiver")).status_code == 403
    assert api.post(start_url, HTTP_AUTHORIZATION=token("demo.citizen2")).status_code == 404

    platform.control(api="down")
    down = api.post(start_url, HTTP_AUTHORIZATION=token("demo.citizen"))
    assert down.status_code == 503
    assert down.json()["error"] == "payment_platform_unavailable"
    invoice.refresh_from_db()
    assert invoice.state == "created"

    platform.control(api="normal")
    started = api.post(start_url, HTTP_AUTHORIZATION=token("demo.citizen"))
    assert started.status_code == 200, started.content
    assert started.json()["redirect_url"].startswith(f"{platform.url}/pay/")
    assert Invoice.objects.get(pk=invoice.pk).state == "started"
