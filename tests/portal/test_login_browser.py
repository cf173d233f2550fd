"""A person signs in on a phone, in Debian's Chromium, against the live server."""

import re

import pytest
from django.core.management import call_command

from tests.browser import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(db):
    call_command("seed_demo", verbosity=0)


def test_demo_citizen_signs_in_on_a_phone(live_server, phone_page, demo_data):
    page = phone_page
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.get_by_role("link", name="Đăng nhập").first.click()
    page.get_by_label("Tên đăng nhập").fill("demo.citizen")
    page.get_by_label("Mật khẩu").fill("motcua-demo-2026")
    page.get_by_role("button", name="Đăng nhập").click()
    # A citizen lands on "Hồ sơ của tôi" when that page is installed, else on the home page.
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/(ho-so-cua-toi/)?$"))
    assert page.get_by_role("link", name="Nguyễn Văn An").is_visible()
    # Nothing wider than the phone: no sideways scrolling at 360 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_wrong_password_says_how_to_fix_and_keeps_the_username(live_server, phone_page, demo_data):
    page = phone_page
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("demo.citizen")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    alert = page.get_by_role("alert")
    assert "mật khẩu chưa đúng" in alert.inner_text()
    assert page.get_by_label("Tên đăng nhập").input_value() == "demo.citizen"


def test_home_and_login_pages_have_no_serious_accessibility_violations(live_server, phone_page, db):
    page = phone_page
    for path in ("/", "/tai-khoan/dang-nhap/"):
        page.goto(f"{live_server.url}{path}")
        violations = axe_violations(page)
        assert violations == [], f"{path}: {format_violations(violations)}"
