"""The pages a person meets when something goes wrong or when they forgot their password, in
Vietnamese and in English, on a 360-px phone: axe finds no serious or critical violation."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.browser import axe_violations, format_violations, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def accessible(page, name: str) -> None:
    screenshot(page, f"error_pages_{name}")
    violations = axe_violations(page)
    assert violations == [], f"{name}: {format_violations(violations)}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} scrolls sideways"


def test_not_found_and_forbidden_pages(live_server, phone_page, citizen):
    page = phone_page
    response = page.goto(f"{live_server.url}/khong-co-trang-nay/")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).is_visible()
    accessible(page, "404")

    # A citizen is not an officer: the back office refuses, with a page that says so.
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(citizen.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    response = page.goto(f"{live_server.url}/can-bo/")
    assert response.status in (403, 404)
    accessible(page, f"back_office_as_citizen_{response.status}")


def test_password_reset_pages_with_a_valid_link(live_server, phone_page, citizen):
    page = phone_page
    page.goto(f"{live_server.url}/tai-khoan/quen-mat-khau/")
    accessible(page, "reset_request")

    uid = urlsafe_base64_encode(force_bytes(citizen.pk))
    token = default_token_generator.make_token(citizen)
    page.goto(f"{live_server.url}/tai-khoan/dat-lai-mat-khau/{uid}/{token}/")
    # Django swaps the token for a session marker and shows the form under the same link.
    password_fields = page.locator("input[type=password]")
    assert password_fields.count() == 2
    accessible(page, "reset_form")

    # A mismatch is explained next to the field and the page stays accessible.
    password_fields.nth(0).fill("Mat-khau-moi-2026!")
    password_fields.nth(1).fill("Mat-khau-khac-2026!")
    page.locator("main form button[type=submit]").click()
    assert page.get_by_role("alert").count() >= 1
    accessible(page, "reset_form_errors")

    password_fields.nth(0).fill("Mat-khau-moi-2026!")
    password_fields.nth(1).fill("Mat-khau-moi-2026!")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/tai-khoan/dat-lai-mat-khau/xong/")
    accessible(page, "reset_complete")
    citizen.refresh_from_db()
    assert citizen.check_password("Mat-khau-moi-2026!")


@pytest.fixture
def english_page(chromium, request):
    context = chromium.new_context(viewport={"width": 360, "height": 780}, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_english_pages_are_accessible_too(live_server, english_page):
    page = english_page
    page.goto(f"{live_server.url}/")
    # Switch with the site's own language control, as a visitor would.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    for path in ("/", "/thu-tuc/", "/tai-khoan/dang-nhap/", "/tra-cuu/", "/xac-thuc-van-ban/", "/khong-co/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("lang") == "en", path
        accessible(page, f"en_{path.strip('/').replace('/', '_') or 'home'}")
