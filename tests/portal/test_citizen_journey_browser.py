# ruff: noqa: F811 (fixtures imported from tests.portal.apply_fixtures are used as arguments)
"""The citizen's whole journey on a 360-px phone, as a new user would (issue 5's done criteria).

Register through the sign-up page (verified against the population database's stand-in),
keep a paper in My documents, apply online to a full-online procedure with one upload and one
reused document (saving a draft and resuming it on the way), see the receipt (form 01) once an
officer receives it and look the dossier up without login, answer a supplement request, pay
through the payment platform's stand-in, download the signed result and rate it (a bad rating
opens the complaint path). The officers' steps go through the services (the back office is
tested on its own). Screenshots of every step are kept in test-artifacts/; axe runs on every
citizen page.
"""

import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from simulators import make_server, start_in_thread
from simulators.payment import PaymentSimulator
from simulators.population import SIGNUP_PEOPLE

from motcua.accounts.models import User
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.messages import dossier_messages_for_user
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.payments.services import dossier_request_payment
from tests.browser import axe_violations, format_violations, screenshot
from tests.portal.apply_fixtures import APPLY_CODE, PDF, act, apply_version  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PERSON = SIGNUP_PEOPLE[0]
PASSWORD = "mat-khau-rat-dai-2026"
STEP = {"n": 0}


@pytest.fixture
def payment_platform(settings) -> Iterator[str]:
    simulator = PaymentSimulator(secret=settings.PAYMENT_SECRET, merchant=settings.PAYMENT_MERCHANT_ID)
    server = make_server([simulator], "127.0.0.1", 0)
    start_in_thread(server)
    url = f"http://127.0.0.1:{server.server_port}/payment"
    settings.PAYMENT_PLATFORM_URL = url
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(settings, live_server, payment_platform, population_db, tmp_path) -> str:
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    return live_server.url


def check(page, name: str) -> None:
    """A screenshot for people to look at, no serious/critical axe violation, no sideways scrolling."""
    STEP["n"] += 1
    screenshot(page, f"citizen_journey_{STEP['n']:02d}_{name}")
    violations = axe_violations(page)
    assert violations == [], f"{name}: {format_violations(violations)}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} scrolls sideways"


def pdf_file(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_bytes(PDF.replace(b"% test", f"% {text}".encode()))
    return path


def pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        return subprocess.run(["pdftotext", handle.name, "-"], capture_output=True, check=True, text=True).stdout


def test_new_citizen_applies_pays_and_rates_on_a_phone(
    site, phone_page, apply_version, receiver, specialist, leader, tmp_path, chromium
):
    page = phone_page
    STEP["n"] = 0

    # 1. Register and get verified against the population database.
    page.goto(f"{site}/tai-khoan/dang-ky/cong-dan/")
    page.get_by_label("Số định danh cá nhân").fill(PERSON.id_number)
    page.get_by_label("Họ và tên").fill(PERSON.full_name)
    page.get_by_label("Ngày sinh").fill(PERSON.date_of_birth.isoformat())
    page.get_by_label("E-mail").fill("minh.le@example.vn")
    page.get_by_label("Số điện thoại di động (không bắt buộc)").fill("0901234567")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_url(f"{site}/tai-khoan/")
    check(page, "registered_and_verified")
    citizen = User.objects.get(username=PERSON.id_number)
    assert citizen.profile.is_verified

    # 2. Keep a paper in My documents (to reuse it below).
    page.get_by_role("link", name="Hồ sơ của tôi").first.click()
    page.wait_for_url(f"{site}/ho-so-cua-toi/")
    check(page, "my_dossiers_empty")
    page.get_by_role("link", name="Giấy tờ của tôi").click()
    page.get_by_label("Tên giấy tờ").fill("Quyết định thôi việc")
    page.get_by_label(re.compile("^Tệp")).set_input_files(str(pdf_file(tmp_path, "thoi-viec.pdf", "thoi viec")))
    page.get_by_role("button", name="Lưu vào Giấy tờ của tôi").click()
    assert page.get_by_role("link", name="Quyết định thôi việc").is_visible()
    check(page, "my_documents")

    # 3. From the procedure page, start the application: identity prefilled and locked.
    page.goto(f"{site}/thu-tuc/{APPLY_CODE}/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_url(f"{site}/nop-ho-so/{APPLY_CODE}/")
    name_box = page.get_by_label("Họ và tên", exact=True)
    assert name_box.input_value() == PERSON.full_name and name_box.get_attribute("readonly") is not None
    assert page.get_by_label("Số điện thoại di động").input_value() == "0901234567"
    check(page, "apply_form_prefilled")

    # A wrong value is explained next to the field, in Vietnamese.
    page.get_by_label("Mã số bảo hiểm xã hội").fill("79123")
    page.get_by_role("button", name="Tiếp tục: giấy tờ").click()
    error = page.locator("#id_so_bhxh_error")
    assert "“Mã số bảo hiểm xã hội” chưa đúng định dạng, ví dụ 7912345678." in error.inner_text()
    assert "id_so_bhxh_error" in page.get_by_label("Mã số bảo hiểm xã hội").get_attribute("aria-describedby")
    check(page, "apply_form_inline_error")

    # Save a draft, leave, and come back to it from My dossiers.
    page.get_by_label("Mã số bảo hiểm xã hội").fill("7912345678")
    page.get_by_role("button", name="Lưu nháp").click()
    assert "Đã lưu nháp" in page.get_by_role("status").inner_text()
    page.goto(f"{site}/ho-so-cua-toi/")
    check(page, "my_dossiers_with_draft")
    page.get_by_role("link", name=re.compile("^Tiếp tục soạn")).click()
    assert page.get_by_label("Mã số bảo hiểm xã hội").input_value() == "7912345678"
    page.get_by_label("Ngày chấm dứt hợp đồng lao động").fill("2026-01-31")
    page.get_by_label("Cách nhận kết quả").select_option("Bản điện tử trong tài khoản")
    page.get_by_role("button", name="Tiếp tục: giấy tờ").click()

    # 4. Documents: one upload, one from My documents; the insurance book comes from state data.
    page.wait_for_url(f"{site}/nop-ho-so/{APPLY_CODE}/giay-to/")
    from_state = page.get_by_role("region", name="Không cần nộp: lấy từ dữ liệu nhà nước")
    assert "Sổ bảo hiểm xã hội" in from_state.inner_text()
    page.locator("#id_file_TP01").set_input_files(str(pdf_file(tmp_path, "de-nghi.pdf", "de nghi")))
    page.locator("#id_pick_TP02").select_option(label="Quyết định thôi việc")
    check(page, "apply_documents")
    page.get_by_role("button", name="Tiếp tục: xem lại").click()

    # 5. Review and submit: the code at once.
    page.wait_for_url(f"{site}/nop-ho-so/{APPLY_CODE}/xem-lai/")
    review = page.locator("main").inner_text()
    assert "de-nghi.pdf" in review and "từ Giấy tờ của tôi" in review and "31/01/2026" in review
    check(page, "apply_review")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(rf"{re.escape(site)}/ho-so-cua-toi/[^/]+/$"))
    dossier = Dossier.objects.get(applicant=citizen)
    assert dossier.code in page.get_by_role("status").inner_text()
    inputs = {d.requirement_code: d.reused_from for d in DossierDocument.objects.filter(dossier=dossier)}
    assert inputs == {"TP01": "", "TP02": "my_documents", "TP03": "insurance_db"}
    check(page, "submitted")

    # 6. An officer receives it: the receipt (form 01) with its QR to the public tracking page.
    act(receiver, dossier.code, "receive")
    page.reload()
    receipt = page.get_by_role("link", name=re.compile("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"))
    check(page, "received_with_receipt")
    response = page.request.get(site + receipt.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF-")
    tracking_url = f"{site}/tra-cuu/{dossier.code}/"
    assert tracking_url in pdf_text(response.body()).replace("\n", "")
    anonymous = chromium.new_context(viewport={"width": 360, "height": 780}, locale="vi-VN")
    public = anonymous.new_page()
    public.goto(tracking_url)
    public_text = public.locator("main").inner_text()
    assert "Đã tiếp nhận" in public_text and PERSON.full_name not in public_text and "L* H**** M***" in public_text
    screenshot(public, "citizen_journey_public_tracking_from_qr")
    anonymous.close()

    # 7. A supplement request, answered from the phone with a new paper and a note.
    act(receiver, dossier.code, "request_supplement", note="Vui lòng bổ sung bản sao hợp đồng lao động.")
    page.reload()
    assert "Vui lòng bổ sung bản sao hợp đồng lao động." in page.locator("#bo-sung").inner_text()
    check(page, "supplement_requested")
    page.get_by_label(re.compile("^Giấy tờ bổ sung")).set_input_files(str(pdf_file(tmp_path, "hop-dong.pdf", "hd")))
    page.get_by_label(re.compile("^Ghi chú cho cán bộ")).fill("Em gửi bản sao hợp đồng ạ.")
    page.get_by_role("button", name="Nộp bổ sung").click()
    assert "Đã nộp bổ sung" in page.get_by_role("status").inner_text()
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert DossierDocument.objects.filter(dossier=dossier, requirement_code="BO_SUNG").count() == 1

    # A message to the officers, with an attachment.
    page.get_by_label("Tin nhắn cho cán bộ").fill("Cho em hỏi khi nào có kết quả ạ?")
    page.get_by_label(re.compile("^Đính kèm")).set_input_files(str(pdf_file(tmp_path, "anh-chup.pdf", "anh")))
    page.get_by_role("button", name="Gửi tin nhắn").click()
    assert page.get_by_role("link", name=re.compile("anh-chup.pdf")).is_visible()
    assert [m.text for m in dossier_messages_for_user(receiver, dossier)] == ["Cho em hỏi khi nào có kết quả ạ?"]
    check(page, "supplemented_and_messaged")

    # 8. The fee: paid through the payment platform.
    act(receiver, dossier.code, "assign")
    dossier.refresh_from_db()
    dossier_request_payment(actor=receiver, code=dossier.code, version=dossier.version)
    page.reload()
    check(page, "payment_due")
    page.get_by_role("link", name="Đóng phí trực tuyến").click()
    check(page, "invoice")
    page.get_by_role("button", name="Thanh toán trực tuyến").click()
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    page.wait_for_url(re.compile(r".*/thanh-toan/.+/ket-qua/.*"))
    assert page.get_by_role("heading", name="Thanh toán thành công").is_visible()
    check(page, "paid")
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING

    # 9. Resolved, signed and returned: the signed result to download, then the rating.
    act(specialist, dossier.code, "forward")
    act(leader, dossier.code, "approve")
    act(leader, dossier.code, "resolve")
    act(receiver, dossier.code, "return_result")
    page.goto(f"{site}/ho-so-cua-toi/{dossier.code}/")
    result = page.get_by_role("link", name=re.compile("^Kết quả: Quyết định hưởng trợ cấp thất nghiệp"))
    assert "có chữ ký số" in page.locator("li", has=result).inner_text()
    check(page, "returned_with_signed_result")
    download = page.request.get(site + result.get_attribute("href"))
    assert download.ok and download.body().startswith(b"%PDF-") and b"/ByteRange" in download.body()
    assert "có chữ ký số" in page.locator("main").inner_text()

    page.get_by_role("link", name="Đánh giá", exact=True).click()
    check(page, "rating_form")
    for criterion in (
        "total_time",
        "agency_time",
        "contacts",
        "agencies_contacted",
        "desk_organisation",
        "publicity",
        "feedback_handling",
        "online_service",
    ):
        page.locator(f"#id_{criterion}_2").check()
    page.locator("#id_attitude_0").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    assert "16/18 điểm" in page.locator("main").inner_text()
    # Any criterion at 0 counts as not satisfied: the complaint path opens.
    check(page, "rated_complaint_path")
    page.get_by_label("Nội dung phản ánh").fill("Cán bộ trả lời tin nhắn chậm và thiếu nhiệt tình.")
    page.get_by_role("button", name="Gửi phản ánh").click()
    assert "Đã gửi phản ánh" in page.get_by_role("status").inner_text()
    complaints = [m for m in dossier_messages_for_user(receiver, dossier) if m.kind == "complaint"]
    assert [m.text for m in complaints] == ["Cán bộ trả lời tin nhắn chậm và thiếu nhiệt tình."]
    check(page, "complaint_sent")
