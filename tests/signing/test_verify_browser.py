"""The verification page in a real browser on a phone: upload, answer, no serious accessibility issue."""

import pytest

from motcua.signing import services
from tests.browser import axe_violations, format_violations, screenshot
from tests.signing.pdfs import tamper_in_signed_range

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "000.00.31.H29-260115-0006"


def test_upload_a_signed_result_and_an_altered_copy(phone_page, live_server, agency, result_pdf, tmp_path):
    signed = services.document_sign(pdf=result_pdf, agency=agency, dossier_code=CODE, signer_name="Lãnh đạo Sở")
    genuine, altered = tmp_path / "ket-qua.pdf", tmp_path / "ban-sua.pdf"
    genuine.write_bytes(signed)
    altered.write_bytes(tamper_in_signed_range(signed))
    page = phone_page

    page.goto(f"{live_server.url}/xac-thuc-van-ban/")
    assert axe_violations(page) == [], format_violations(axe_violations(page))
    page.get_by_label("Chọn tệp PDF cần kiểm tra").set_input_files(str(genuine))
    page.get_by_role("button", name="Kiểm tra văn bản").click()
    verdict = page.get_by_role("status").filter(has_text="Văn bản hợp lệ")
    verdict.wait_for()
    assert agency.name in verdict.inner_text()
    assert page.get_by_role("link", name="xem tình trạng hồ sơ").get_attribute("href") == f"/tra-cuu/{CODE}/"
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(page, "signing-verify-page-valid")

    page.get_by_label("Kiểm tra tệp khác").set_input_files(str(altered))
    page.get_by_role("button", name="Kiểm tra văn bản").click()
    page.get_by_role("heading", name="Văn bản đã bị chỉnh sửa sau khi ký").wait_for()
