"""Every document MotCua issues (forms, results, payment receipts) is signed by the agency and its
QR code leads to the public verification page of its dossier, which lists what was issued —
name, signing agency, signing time, SHA-256 — and nothing personal."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.timeutil import format_vn
from motcua.dossiers import forms
from motcua.dossiers.files import file_read
from motcua.dossiers.models import DossierDocument
from motcua.payments import receipt
from motcua.payments.models import Invoice, InvoiceState, PaymentChannel
from motcua.payments.services import invoice_issue_receipt
from motcua.signing import services
from tests.dossiers import conftest as flow
from tests.dossiers.conftest import at

# The dossier flow of the forms tests (a procedure with three steps, driven through the services).
_media_in_tmp, city, flow_version, dossier_flow = flow._media_in_tmp, flow.city, flow.flow_version, flow.dossier_flow

pytestmark = pytest.mark.django_db


def _paid_invoice(dossier, *, channel=PaymentChannel.COUNTER) -> Invoice:
    now = at(hours=2)
    return Invoice.objects.create(
        dossier=dossier,
        reference=f"{dossier.code}-P1",
        number=1,
        fee_case="Cấp mới",
        amount_vnd=1_500_000,
        items=[{"name": "Lệ phí cấp giấy phép lao động", "case": "Cấp mới", "amount_vnd": 1_500_000}],
        state=InvoiceState.SUCCESS,
        channel=channel,
        created_at=now - timedelta(minutes=30),
        paid_at=now,
        counter_receipt_number="0001234",
    )


def test_the_payment_receipt_is_signed_by_the_agency_and_verifies_valid(dossier_flow):
    dossier = dossier_flow.act(dossier_flow.receiver, "receive", when=at(hours=0.25))
    document = invoice_issue_receipt(invoice=_paid_invoice(dossier))
    assert document.signed and document.kind == DossierDocument.Kind.NOTICE
    verdict = services.verify_pdf(file_read(document.file))
    assert verdict.valid and not verdict.altered, verdict.reason_text
    assert verdict.dossier_code == dossier.code
    assert verdict.agency_code == dossier.current_agency.code
    assert verdict.signer == dossier.current_agency.name
    # Issued once: asking again returns the same signed document.
    assert invoice_issue_receipt(invoice=Invoice.objects.get(dossier=dossier)).pk == document.pk


def test_the_receipt_qr_leads_to_verification(dossier_flow):
    dossier = dossier_flow.act(dossier_flow.receiver, "receive", when=at(hours=0.25))
    invoice = _paid_invoice(dossier)
    context = receipt.receipt_context(invoice)
    url = f"https://dichvucong.example.vn/xac-thuc-van-ban/?ma={dossier.code}"
    assert context["verification_url"] == url
    assert context["qr"] == forms.qr_data_uri(url)
    assert forms.qr_data_uri(url) in receipt.render_receipt_html(invoice)


def test_every_issued_document_qr_is_made_from_the_verification_url(dossier_flow, monkeypatch):
    seen: list[str] = []
    real = forms.qr_data_uri

    def spy(text: str) -> str:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(forms, "qr_data_uri", spy)
    dossier_flow.run_to_resolved()
    dossier_flow.act(dossier_flow.receiver, "return_result", when=at(days=4), channel=2)
    url = forms.verification_url(dossier_flow.code)
    # Forms 01 and 07 (the register extract) and the result, each with the verification address only.
    assert len(seen) >= 3 and set(seen) == {url}


def test_the_verification_page_lists_issued_documents_and_nothing_personal(client, dossier_flow):
    dossier = dossier_flow.run_to_resolved()
    invoice_issue_receipt(invoice=_paid_invoice(dossier))
    issued = list(
        DossierDocument.objects.filter(dossier=dossier, signed=True)
        .exclude(kind=DossierDocument.Kind.INPUT)
        .select_related("file")
    )
    assert {doc.form_number for doc in issued} >= {"01"}
    assert any(doc.kind == DossierDocument.Kind.RESULT for doc in issued)
    assert any(doc.name.startswith("Biên lai") for doc in issued)

    response = client.get("/xac-thuc-van-ban/", {"ma": dossier.code})
    assert response.status_code == 200
    html = response.content.decode()
    for doc in issued:
        assert doc.name in html
        assert doc.file.sha256 in html
        signed_at = services.verify_pdf(file_read(doc.file)).signed_at
        assert format_vn(signed_at) in html
    assert html.count(dossier.current_agency.name) >= len(issued)
    assert f'href="/tra-cuu/{dossier.code}/"' in html
    assert 'type="file" id="verify-file" name="file"' in html
    # Nothing personal: not the name, the ID, the address, the phone or the e-mail.
    for private in (
        dossier.applicant_name,
        dossier.applicant_id_number,
        "12 Nguyễn Huệ",
        dossier.applicant_phone,
        dossier.applicant_email,
    ):
        assert private and private not in html, private
    # Input documents (the applicant's uploads) are never listed.
    upload = DossierDocument.objects.filter(dossier=dossier, kind=DossierDocument.Kind.INPUT).first()
    assert upload is not None and upload.file.sha256 not in html


def test_a_copy_from_the_list_checks_valid_and_matches_the_issued_one(client, dossier_flow):
    dossier = dossier_flow.run_to_resolved()
    result = DossierDocument.objects.get(dossier=dossier, kind=DossierDocument.Kind.RESULT)
    upload = SimpleUploadedFile("ket-qua.pdf", file_read(result.file), content_type="application/pdf")
    response = client.post(f"/xac-thuc-van-ban/?ma={dossier.code}", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200 and "Văn bản hợp lệ" in html
    assert "trùng khớp hoàn toàn với bản hệ thống đã cấp" in html
    assert re.search(r"card verdict verdict-valid", html)
