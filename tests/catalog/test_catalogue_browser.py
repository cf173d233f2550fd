"""A citizen finds a procedure on a phone, typing without diacritics, and opens its page."""

import pytest

from motcua.catalog import search
from motcua.catalog.seed import seed_catalog
from tests.browser import AXE_JS, axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(db):
    search.reset_index()
    seed_catalog()
    yield
    search.reset_index()


def test_search_without_diacritics_and_open_the_procedure(live_server, phone_page, catalogue):
    page = phone_page
    page.goto(f"{live_server.url}/")
    page.get_by_label("Bạn cần làm gì?").fill("lam giay khai sinh cho con")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_url("**/thu-tuc/?q=*")
    first = page.locator(".result-list .result h3 a").first
    assert first.inner_text() == "Đăng ký khai sinh"
    first.click()
    page.wait_for_url("**/thu-tuc/1.001193/")
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"
    before = page.get_by_role("region", name="Trước khi bắt đầu")
    text = before.inner_text()
    assert "Miễn phí" in text and "khoảng 1 ngày làm việc" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_catalogue_pages_have_no_serious_accessibility_violations(live_server, phone_page, catalogue):
    if not AXE_JS.exists():
        pytest.skip("axe-core is not installed (make setup installs it)")
    page = phone_page
    for path in ("/thu-tuc/?q=sao+y", "/thu-tuc/1.014199/"):
        page.goto(f"{live_server.url}{path}")
        violations = axe_violations(page)
        assert violations == [], f"{path}: {format_violations(violations)}"
