"""The inbox on a phone in a real browser: the badge, the list, opening a message, the settings;
no serious accessibility issue and nothing wider than the screen."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from motcua.notifications.services import notification_send
from tests.browser import axe_violations, format_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "000.00.31.H29-260907-0001"


def _sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def _check(page, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(page, name)


def test_inbox_on_a_phone(phone_page, live_server, citizen):
    citizen.email = "nguyen.van.an@example.vn"
    citizen.phone = "0901234567"
    citizen.save()
    context = {
        "code": CODE,
        "procedure": "Cấp giấy phép hoạt động dịch vụ việc làm",
        "agency": "Sở Nội vụ Thành phố Hồ Chí Minh",
        "due_at": "14/09/2026 17:00",
        "amount": "1.500.000 đ",
        "payment_link": f"https://dichvucong.example.vn/thanh-toan/{CODE}-P1/",
    }
    for n, event in enumerate(("submitted", "received", "payment_due")):
        notification_send(
            user=citizen,
            event=event,
            context=context,
            link=f"/ho-so-cua-toi/{CODE}/",
            dossier_code=CODE,
            dedupe_key=f"browser:{n}",
        )
    page = phone_page
    _sign_in(page, live_server, citizen)

    page.goto(f"{live_server.url}/hop-thu/")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    assert "Hộp thư 3 chưa đọc" in " ".join(nav.get_by_role("link", name="Hộp thư").inner_text().split())
    page.get_by_role("heading", name="Hộp thư").wait_for()
    assert "Bạn có 3 thông báo chưa đọc." in page.inner_text("main")
    _check(page, "notifications-inbox-phone")

    page.get_by_role("link", name=f"Hồ sơ {CODE}: cần đóng phí, lệ phí 1.500.000 đ").click()
    page.get_by_role("heading", name=f"Hồ sơ {CODE}: cần đóng phí, lệ phí 1.500.000 đ").wait_for()
    assert "Số tiền: 1.500.000 đ" in page.inner_text("main")
    _check(page, "notifications-message-phone")

    page.goto(f"{live_server.url}/hop-thu/")
    assert "Bạn có 2 thông báo chưa đọc." in page.inner_text("main")

    page.get_by_role("link", name="Cách nhận thông báo (thư điện tử, SMS, ngôn ngữ)").click()
    page.get_by_role("heading", name="Cách nhận thông báo").wait_for()
    _check(page, "notifications-preferences-phone")
    page.get_by_label("Tin nhắn SMS").uncheck()
    page.get_by_label("English").check()
    page.get_by_role("button", name="Lưu").click()
    page.get_by_text("Đã lưu cách nhận thông báo.").wait_for()
    assert not page.get_by_label("Tin nhắn SMS").is_checked()
    assert page.get_by_label("English").is_checked()
