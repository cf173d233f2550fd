# ruff: noqa: F811 (fixtures imported from tests.portal.apply_fixtures are used as arguments)
"""Every citizen page of applying and My dossiers, in their error states too, on a 360-px phone:
axe finds no serious or critical violation. And the wizard works with JavaScript switched off."""

import re

import pytest

from motcua.dossiers import services as dossier_services
from tests.browser import CHROMIUM_ARGS, PHONE, axe_violations, format_violations, screenshot  # noqa: F401
from tests.factories import PASSWORD
from tests.portal.apply_fixtures import ANSWERS, APPLY_CODE, act, applicant, apply_version, submit  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_script_page(chromium, request):
    context = chromium.new_context(viewport=PHONE, locale="vi-VN", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    try:
        screenshot(page, request.node.name)
    finally:
        context.close()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, monkeypatch, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    monkeypatch.setattr(dossier_services, "_issue_form", lambda *args, **kwargs: None)


def accessible(page, name: str) -> None:
    screenshot(page, f"my_pages_{name}")
    violations = axe_violations(page)
    assert violations == [], f"{name}: {format_violations(violations)}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} scrolls sideways"


def test_pages_and_error_states_are_accessible(
    live_server, phone_page, applicant, apply_version, receiver, specialist, leader
):
    base = live_server.url
    page = phone_page
    open_dossier = submit(applicant, 1)
    returned = submit(applicant, 2)
    for action, user in (
        ("receive", receiver),
        ("assign", receiver),
        ("forward", specialist),
        ("approve", leader),
        ("resolve", leader),
        ("return_result", receiver),
    ):
        act(user, returned.code, action)

    page.goto(f"{base}/tai-khoan/dang-nhap/?next=/ho-so-cua-toi/")
    page.get_by_label("Tên đăng nhập").fill(applicant.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/ho-so-cua-toi/")
    assert "Đã nhận kết quả" in page.locator("main").inner_text()
    accessible(page, "list")

    # The wizard, with errors at each step.
    page.goto(f"{base}/nop-ho-so/{APPLY_CODE}/")
    page.get_by_role("button", name="Tiếp tục: giấy tờ").click()
    assert "Vui lòng nhập “Mã số bảo hiểm xã hội”." in page.get_by_role("alert").inner_text()
    accessible(page, "apply_form_errors")
    page.get_by_label("Mã số bảo hiểm xã hội").fill(ANSWERS["so_bhxh"])
    page.get_by_label("Ngày chấm dứt hợp đồng lao động").fill(ANSWERS["ngay_nghi_viec"])
    page.get_by_label("Cách nhận kết quả").select_option(ANSWERS["nhan_ket_qua"])
    page.get_by_role("button", name="Tiếp tục: giấy tờ").click()
    page.wait_for_url(f"{base}/nop-ho-so/{APPLY_CODE}/giay-to/")
    page.get_by_role("button", name="Tiếp tục: xem lại").click()
    assert "Vui lòng tải lên hoặc chọn" in page.get_by_role("alert").inner_text()
    accessible(page, "apply_documents_errors")
    page.locator("#id_pick_TP01").select_option(index=1)
    page.locator("#id_pick_TP02").select_option(index=1)
    page.get_by_role("button", name="Tiếp tục: xem lại").click()
    page.wait_for_url(f"{base}/nop-ho-so/{APPLY_CODE}/xem-lai/")
    accessible(page, "apply_review")

    # A dossier waiting for the officer; withdrawing asks to confirm.
    page.goto(f"{base}/ho-so-cua-toi/{open_dossier.code}/")
    accessible(page, "detail_submitted")
    page.get_by_role("link", name="Rút hồ sơ").click()
    page.get_by_role("button", name="Rút hồ sơ").click()
    assert "đánh dấu ô xác nhận" in page.get_by_role("alert").inner_text()
    accessible(page, "withdraw_error")
    page.get_by_label("Tôi chắc chắn muốn rút hồ sơ này").check()
    page.get_by_role("button", name="Rút hồ sơ").click()
    assert "Đã gửi yêu cầu rút hồ sơ" in page.get_by_role("status").inner_text()

    # The message form's error, then the rating form's.
    page.get_by_role("button", name="Gửi tin nhắn").click()
    assert "Vui lòng nhập nội dung tin nhắn" in page.locator("#message-error").inner_text()
    accessible(page, "detail_message_error")
    page.goto(f"{base}/ho-so-cua-toi/{returned.code}/danh-gia/")
    page.locator("#id_total_time_2").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    assert "Còn tiêu chí chưa đánh giá" in page.get_by_role("alert").inner_text()
    accessible(page, "rating_errors")

    # My documents: results issued and uploads; an upload without a title.
    page.goto(f"{base}/giay-to-cua-toi/")
    assert re.search("Kết quả: Quyết định hưởng trợ cấp", page.locator("main").inner_text())
    page.get_by_role("button", name="Lưu vào Giấy tờ của tôi").click()
    assert "Vui lòng chọn tệp" in page.get_by_role("alert").inner_text()
    accessible(page, "my_documents_error")


def test_applying_works_without_javascript(live_server, no_script_page, applicant, apply_version):
    base = live_server.url
    page = no_script_page
    page.goto(f"{base}/tai-khoan/dang-nhap/?next=/nop-ho-so/{APPLY_CODE}/")
    page.get_by_label("Tên đăng nhập").fill(applicant.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/nop-ho-so/{APPLY_CODE}/")
    page.get_by_label("Mã số bảo hiểm xã hội").fill(ANSWERS["so_bhxh"])
    page.get_by_label("Ngày chấm dứt hợp đồng lao động").fill(ANSWERS["ngay_nghi_viec"])
    page.get_by_label("Cách nhận kết quả").select_option(ANSWERS["nhan_ket_qua"])
    page.get_by_role("button", name="Tiếp tục: giấy tờ").click()
    page.wait_for_url(f"{base}/nop-ho-so/{APPLY_CODE}/giay-to/")
    page.locator("#id_file_TP01").set_input_files(
        files=[{"name": "a.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% a\n%%EOF\n"}]
    )
    page.locator("#id_file_TP02").set_input_files(
        files=[{"name": "b.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% b\n%%EOF\n"}]
    )
    page.get_by_role("button", name="Tiếp tục: xem lại").click()
    page.wait_for_url(f"{base}/nop-ho-so/{APPLY_CODE}/xem-lai/")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(rf"{re.escape(base)}/ho-so-cua-toi/[^/]+/$"))
    assert "Đã nộp hồ sơ. Mã hồ sơ của bạn là" in page.get_by_role("status").inner_text()
