"""Signing a result for an agency and verifying it: genuine, altered, forged, unsigned, not a PDF."""

import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from motcua.core.timeutil import VN_TZ
from motcua.signing import pki, services, stamp
from motcua.signing.models import SigningCertificate
from tests.factories import make_agency
from tests.signing.pdfs import append_content_change, make_pdf, self_signed, sign_with, tamper_in_signed_range

CODE = "000.00.31.H29-260115-0001"
AGENCY_NAME = "Sở Nội vụ Thành phố Hồ Chí Minh"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def signed(agency, result_pdf) -> bytes:
    return services.document_sign(
        pdf=result_pdf,
        agency=agency,
        dossier_code=CODE,
        signer_name="Lê Văn Lãnh Đạo",
        now=datetime(2026, 1, 15, 9, 30, tzinfo=VN_TZ),
    )


def test_signed_result_is_valid_for_pyhanko_against_the_development_ca(signed, result_pdf):
    # The original bytes are kept: the signature is an incremental update.
    assert signed.startswith(result_pdf)
    ca = pki.dev_ca()
    assert ca is not None
    [signature] = PdfFileReader(io.BytesIO(signed)).embedded_regular_signatures
    context = ValidationContext(trust_roots=[pki.to_asn1(ca.certificate)], allow_fetching=False)
    status = validate_pdf_signature(signature, context)
    assert status.bottom_line
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert str(signature.sig_object["/SubFilter"]) == "/ETSI.CAdES.detached"
    assert status.md_algorithm == "sha256"
    assert str(signature.sig_object["/Location"]) == "Thành phố Hồ Chí Minh"
    assert str(signature.sig_object["/Reason"]).endswith(f"Mã hồ sơ: {CODE}")
    assert str(signature.sig_object["/Name"]) == "Lê Văn Lãnh Đạo"
    # The visible box is on the page, with an appearance stream.
    assert signature.sig_field["/Rect"] is not None and "/AP" in signature.sig_field


def test_verify_reports_signer_agency_time_and_dossier(signed, agency):
    result = services.verify_pdf(signed)
    assert result.valid is True
    assert result.altered is False
    assert result.signer == AGENCY_NAME
    assert result.agency_code == agency.code
    assert result.dossier_code == CODE
    assert result.signed_at == datetime(2026, 1, 15, 9, 30, tzinfo=VN_TZ)
    assert result.signer_name == "Lê Văn Lãnh Đạo"
    assert "hợp lệ" in result.reason_text and CODE in result.reason_text
    # The certificate is in the register, for the agency.
    registered = SigningCertificate.objects.get()
    assert registered.agency == agency and registered.source == "development"


def test_a_byte_changed_inside_the_signed_range_is_altered(signed, agency):
    result = services.verify_pdf(tamper_in_signed_range(signed))
    assert result.valid is False
    assert result.altered is True
    assert "chỉnh sửa" in result.reason_text
    # The certificate still names the agency (its key did sign), but nothing from the changed dictionary.
    assert result.signer == AGENCY_NAME
    assert result.dossier_code is None


def test_an_incremental_update_changing_page_content_is_altered(signed):
    forged = append_content_change(signed)
    assert forged.startswith(signed)
    result = services.verify_pdf(forged)
    assert result.valid is False
    assert result.altered is True


def test_a_signature_by_a_foreign_self_signed_key_is_not_valid(agency, result_pdf):
    services.document_sign(pdf=result_pdf, agency=agency, dossier_code=CODE, signer_name="x")  # dev CA exists
    key, certificate = self_signed(AGENCY_NAME, agency.code)
    forged = sign_with(result_pdf, key, certificate, reason=f"Ký số kết quả. Mã hồ sơ: {CODE}")
    result = services.verify_pdf(forged)
    assert result.valid is False
    assert result.altered is False
    # An untrusted certificate names no agency and no dossier, whatever it claims.
    assert (result.signer, result.agency_code, result.dossier_code) == (None, None, None)
    assert "không thuộc hệ thống MotCua" in result.reason_text


def test_a_document_signed_again_after_a_foreign_signature_is_not_valid(agency, signed):
    key, certificate = self_signed("Kẻ giả mạo", "X")
    result = services.verify_pdf(sign_with(signed, key, certificate, reason="thêm chữ ký"))
    assert result.valid is False


def test_unsigned_pdf_and_non_pdf_and_broken_pdf_are_not_valid_without_raising(result_pdf):
    unsigned = services.verify_pdf(result_pdf)
    assert (unsigned.valid, unsigned.altered) == (False, False)
    assert "không có chữ ký số" in unsigned.reason_text
    not_pdf = services.verify_pdf(b"\x89PNG\r\n\x1a\nnot a pdf")
    assert (not_pdf.valid, not_pdf.reason_text) == (False, services.NOT_PDF)
    broken = services.verify_pdf(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    assert broken.valid is False and broken.reason_text == services.UNREADABLE


def test_without_the_development_ca_in_the_trust_list_nothing_is_valid(signed, settings):
    settings.SIGNING_TRUST_DEV_CA = "0"
    result = services.verify_pdf(signed)
    assert result.valid is False and result.altered is False and result.signer is None


def test_signing_twice_keeps_both_signatures_valid(agency, signed):
    again = services.document_sign(pdf=signed, agency=agency, dossier_code=CODE, signer_name="Người thứ hai")
    result = services.verify_pdf(again)
    assert result.valid is True and result.signature_count == 2
    assert result.signer_name == "Người thứ hai"


def test_the_stamp_goes_to_the_templates_anchor_when_there_is_one(agency):
    pdf = make_pdf(
        '<p>Kết quả</p><div style="margin: 40mm 0 0 90mm">'
        '<div id="motcua-signature" style="width: 80mm; height: 22mm"></div></div>'
    )
    placement = stamp.placement(services.IncrementalPdfFileWriter(io.BytesIO(pdf)))
    x1, y1, x2, y2 = placement.box
    assert placement.page_index == 0
    assert 300 < x1 < 330 and y2 > 600  # page margin + 90 mm from the left, near the top
    assert round((x2 - x1) / stamp.POINTS_PER_MM) == stamp.STAMP_WIDTH_MM
    signed = services.document_sign(pdf=pdf, agency=agency, dossier_code=CODE, signer_name="x")
    [signature] = PdfFileReader(io.BytesIO(signed)).embedded_regular_signatures
    assert [round(float(v)) for v in signature.sig_field["/Rect"]] == [x1, y1, x2, y2]


def test_without_an_anchor_the_stamp_sits_bottom_right_of_the_last_page(result_pdf):
    two_pages = make_pdf('<p>Trang 1</p><p style="page-break-before: always">Trang 2</p>')
    placement = stamp.placement(services.IncrementalPdfFileWriter(io.BytesIO(two_pages)))
    _, y1, x2, _ = placement.box
    assert placement.page_index == 1
    assert x2 > 500 and y1 < 60


def test_signed_stamp_renders_vietnamese(signed):
    """Render the signed page to PNG (test-artifacts/) and read the stamp's text back."""
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / "signing-signed-result.pdf"
    pdf_path.write_bytes(signed)
    if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils is not installed")
    subprocess.run(
        ["pdftoppm", "-r", "110", "-png", "-singlefile", str(pdf_path), str(ARTIFACTS / "signing-signed-result")],
        check=True,
        timeout=60,
    )
    assert (ARTIFACTS / "signing-signed-result.png").stat().st_size > 1000
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")
    assert f"Ký bởi: {AGENCY_NAME}" in text
    assert "Thời gian ký: 15/01/2026 09:30" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert "Văn bản đã được ký số" in text


def test_a_long_agency_name_fits_the_certificate_and_the_stamp_keeps_it_whole(db, result_pdf):
    long_name = "Ban Quản lý các Khu chế xuất và công nghiệp Thành phố Hồ Chí Minh (tên thử nghiệm dài)"
    agency = make_agency(code="000.00.42.H29", name=long_name)
    signed = services.document_sign(pdf=result_pdf, agency=agency, dossier_code=CODE, signer_name="x")
    result = services.verify_pdf(signed)
    assert result.valid is True
    assert result.signer == long_name  # from the register; the certificate's CN is cut
    [signature] = PdfFileReader(io.BytesIO(signed)).embedded_regular_signatures
    common_name = signature.signer_cert.subject.native["common_name"]
    assert len(common_name.encode()) <= 64 and common_name.endswith("…")
    assert result.agency_code == "000.00.42.H29"


def test_pyhanko_calls_work_when_the_thread_already_runs_an_event_loop(signed):
    """Playwright's sync API runs a loop in the test thread; pyHanko's asyncio.run must not clash with it."""
    import asyncio

    async def inside_a_loop() -> services.VerificationResult:
        # (Django gives a coroutine its own database connection, so the test signs outside.)
        return services.verify_pdf(signed)

    result = asyncio.run(inside_a_loop())
    assert result.valid is True and result.dossier_code == CODE
