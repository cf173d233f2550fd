"""A new person signs up on a 360-px phone, is verified, and finds their locked data; axe on every
account page (sign-up, login, two-step login, password reset, profile)."""

import re

import pytest
from simulators.population import SIGNUP_PEOPLE

from motcua.accounts import totp
from motcua.accounts.models import User
from motcua.accounts.two_factor import two_factor_begin, two_factor_confirm
from tests.accounts.fixtures import business_registry  # noqa: F401
from tests.browser import axe_violations, format_violations
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PERSON = SIGNUP_PEOPLE[0]
NEW_PASSWORD = "mat-khau-rat-dai-2026"


def assert_accessible(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {format_violations(violations)}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{where} scrolls sideways"


def test_citizen_signs_up_is_verified_and_sees_locked_data(live_server, phone_page, population_db):
    page = phone_page
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_role("link", name="Tạo tài khoản mới").click()
    assert_accessible(page, "sign-up chooser")
    page.get_by_role("link", name="Công dân").click()
    page.get_by_label("Số định danh cá nhân").fill(PERSON.id_number)
    page.get_by_label("Họ và tên").fill(PERSON.full_name)
    page.get_by_label("Ngày sinh").fill(PERSON.date_of_birth.strftime("%d/%m/%Y"))
    page.get_by_label("E-mail").fill("minh.le@example.vn")
    page.get_by_label("Số điện thoại di động (không bắt buộc)").fill("0901234567")
    page.get_by_label("Mật khẩu", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(NEW_PASSWORD)
    assert_accessible(page, "citizen sign-up form")
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.wait_for_url(f"{live_server.url}/tai-khoan/")
    assert page.get_by_role("heading", name="Tài khoản của tôi").is_visible()
    identity = page.locator("section", has=page.get_by_role("heading", name="Thông tin định danh"))
    text = identity.inner_text()
    assert "Đã xác thực từ Cơ sở dữ liệu quốc gia về dân cư" in text
    assert PERSON.full_name in text and PERSON.permanent_address in text
    assert PERSON.date_of_birth.strftime("%d/%m/%Y") in text
    assert PERSON.id_number not in page.content()
    assert PERSON.id_number[:4] + "******" + PERSON.id_number[-2:] in text
    # Locked: shown as text, with no box to edit them.
    assert page.get_by_role("textbox", name="Họ và tên").count() == 0
    assert page.get_by_label("E-mail").input_value() == "minh.le@example.vn"
    # The name in the header leads to the account page.
    assert page.get_by_role("link", name=PERSON.full_name).get_attribute("href") == "/tai-khoan/"
    assert_accessible(page, "profile")
    assert User.objects.get(username=PERSON.id_number).profile.is_verified


def test_no_match_on_a_phone_keeps_the_form_and_says_what_to_check(live_server, phone_page, population_db):
    page = phone_page
    page.goto(f"{live_server.url}/tai-khoan/dang-ky/cong-dan/")
    page.get_by_label("Số định danh cá nhân").fill(PERSON.id_number)
    page.get_by_label("Họ và tên").fill("Le Hoang Minh")
    page.get_by_label("Ngày sinh").fill(PERSON.date_of_birth.strftime("%d/%m/%Y"))
    page.get_by_label("E-mail").fill("minh.le@example.vn")
    page.get_by_label("Mật khẩu", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Tạo tài khoản").click()
    alert = page.get_by_role("alert")
    assert "chưa khớp với Cơ sở dữ liệu quốc gia về dân cư" in alert.inner_text()
    assert page.get_by_label("Họ và tên").input_value() == "Le Hoang Minh"
    assert page.get_by_label("Mật khẩu", exact=True).input_value() == ""
    assert_accessible(page, "sign-up with errors")


def test_account_pages_have_no_serious_accessibility_violations(live_server, phone_page, citizen):
    page = phone_page
    base = live_server.url
    for path in (
        "/tai-khoan/dang-nhap/",
        "/tai-khoan/dang-ky/doanh-nghiep/",
        "/tai-khoan/dang-ky/to-chuc/",
        "/tai-khoan/quen-mat-khau/",
        "/tai-khoan/quen-mat-khau/da-gui/",
        "/tai-khoan/dat-lai-mat-khau/xx/yy/",
        "/ngoai-tuyen/",
    ):
        page.goto(base + path)
        assert_accessible(page, path)
    # Errors on the reset form, then signed in: profile, two-step set-up, recovery codes, password change.
    page.goto(base + "/tai-khoan/quen-mat-khau/")
    page.get_by_role("button", name="Gửi đường dẫn đặt lại mật khẩu").click()
    assert "E-mail" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "reset with errors")
    page.goto(base + "/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("citizen")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    for path in ("/tai-khoan/", "/tai-khoan/dang-nhap-hai-buoc/", "/tai-khoan/doi-mat-khau/"):
        page.goto(base + path)
        assert_accessible(page, path)
    page.goto(base + "/tai-khoan/dang-nhap-hai-buoc/cai-dat/")
    assert page.get_by_role("img", name=re.compile("Mã QR")).is_visible()
    assert_accessible(page, "two-step set-up")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Mã xác thực").fill(totp.code_at(secret, totp.current_step()))
    page.get_by_role("button", name="Xác nhận và bật").click()
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    assert_accessible(page, "recovery codes")
    page.goto(base + "/tai-khoan/dang-nhap-hai-buoc/")
    assert_accessible(page, "two-step on")


def test_two_step_login_on_a_phone(live_server, phone_page, citizen):
    device = two_factor_begin(user=citizen)
    two_factor_confirm(user=citizen, code=totp.code_at(device.secret, totp.current_step() - 1))
    page = phone_page
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("citizen")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/tai-khoan/dang-nhap/ma-xac-thuc/")
    assert_accessible(page, "code page")
    page.get_by_label("Mã xác thực").fill("000000")
    page.get_by_role("button", name="Xác nhận").click()
    assert "Mã xác thực chưa đúng" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "code page with error")
    page.get_by_label("Mã xác thực").fill(totp.code_at(device.secret, totp.current_step()))
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Nguyễn Văn An").is_visible()


def test_business_signs_up_and_a_second_try_points_to_login(live_server, phone_page, business_registry):  # noqa: F811
    from simulators.business_registry import SIGNUP_BUSINESSES

    enterprise = SIGNUP_BUSINESSES[1]
    page = phone_page

    def fill_and_submit() -> None:
        page.goto(f"{live_server.url}/tai-khoan/dang-ky/doanh-nghiep/")
        page.get_by_label("Mã số thuế (mã số doanh nghiệp)").fill(enterprise.tax_code)
        page.get_by_label("Tên doanh nghiệp").fill("Phú Mỹ")
        page.get_by_label("Họ và tên người đại diện theo pháp luật").fill(enterprise.legal_representative)
        page.get_by_label("E-mail").fill("phumy@example.vn")
        page.get_by_label("Mật khẩu", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Nhập lại mật khẩu").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Tạo tài khoản").click()

    fill_and_submit()
    page.wait_for_url(f"{live_server.url}/tai-khoan/")
    text = page.locator("section", has=page.get_by_role("heading", name="Thông tin định danh")).inner_text()
    assert enterprise.name in text and enterprise.address in text and enterprise.tax_code in text
    assert "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp" in text
    assert_accessible(page, "business profile")
    page.get_by_role("button", name="Đăng xuất").click()
    fill_and_submit()
    alert = page.get_by_role("alert")
    assert "đã có tài khoản" in alert.inner_text()
    assert alert.get_by_role("link", name="Lấy lại mật khẩu").is_visible()
    assert_accessible(page, "account exists")
