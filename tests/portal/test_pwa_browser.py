"""The installable app in Chromium on a phone: the service worker registers, takes control, serves
the offline page when the network is gone, and never keeps a signed-in person's pages."""

import pytest

from tests.browser import axe_violations, format_violations
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for_worker(page) -> None:
    state = page.evaluate("async () => (await navigator.serviceWorker.ready).active.state")
    assert state in ("activating", "activated")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(
        "async () => { for (const key of await caches.keys()) {"
        " if (key.startsWith('motcua-static-') && await (await caches.open(key)).match('/ngoai-tuyen/')) return true;"
        " } return false; }"
    )


def test_service_worker_serves_the_offline_page_and_public_copies(live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/")
    wait_for_worker(page)
    manifest = page.evaluate("document.querySelector('link[rel=manifest]').href")
    assert manifest == f"{live_server.url}/manifest.webmanifest"
    page.goto(f"{live_server.url}/thu-tuc/")  # a public page, now cached by the worker
    page.context.set_offline(True)
    try:
        page.goto(f"{live_server.url}/tra-cuu/")
        assert page.get_by_role("heading", name="Không có kết nối mạng").is_visible()
        violations = axe_violations(page)
        assert violations == [], format_violations(violations)
        page.goto(f"{live_server.url}/thu-tuc/")
        assert page.get_by_role("heading", name="Không có kết nối mạng").count() == 0
    finally:
        page.context.set_offline(False)


def test_signed_in_pages_are_not_kept_for_offline_use(live_server, phone_page, citizen):
    page = phone_page
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    wait_for_worker(page)
    page.get_by_label("Tên đăng nhập").fill("citizen")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/tai-khoan/")
    assert page.get_by_role("heading", name="Tài khoản của tôi").is_visible()
    cached = page.evaluate(
        "async () => { const urls = []; for (const key of await caches.keys()) {"
        " for (const request of await (await caches.open(key)).keys()) urls.push(request.url); } return urls; }"
    )
    assert f"{live_server.url}/tai-khoan/" not in cached
    page.context.set_offline(True)
    try:
        page.goto(f"{live_server.url}/tai-khoan/")
        assert page.get_by_role("heading", name="Không có kết nối mạng").is_visible()
        assert "Nguyễn Văn An" not in page.content()
    finally:
        page.context.set_offline(False)
