"""The SMTP sink's HTTP side, the SMS gateway stand-in's protocol and MotCua's SMS client."""

import httpx
import pytest
from django.core.mail import send_mail
from simulators import make_server, start_in_thread
from simulators.mail import MailSimulator, free_port

from motcua.notifications.rendering import EVENTS, SMS_MAX_CHARS, render, sms_text
from motcua.notifications.sms import SmsGatewayError, normalize_phone, sms_send


@pytest.fixture
def mail_http(smtp):
    server = make_server([MailSimulator(smtp)], "127.0.0.1", 0)
    start_in_thread(server)
    try:
        yield f"http://127.0.0.1:{server.server_port}/mail"
    finally:
        server.shutdown()
        server.server_close()


def test_caught_mails_can_be_read_over_http(smtp, mail_http):
    send_mail("Hồ sơ đã được tiếp nhận", "Kính gửi Nguyễn Văn An,\nhẹn trả 14/09/2026", None, ["an@example.vn"])
    smtp.wait_for(1)
    messages = httpx.get(f"{mail_http}/api/messages", timeout=10).json()["messages"]
    assert [(m["subject"], m["rcpt_tos"]) for m in messages] == [("Hồ sơ đã được tiếp nhận", ["an@example.vn"])]
    assert messages[0]["text"] == "Kính gửi Nguyễn Văn An,\nhẹn trả 14/09/2026\n"
    page = httpx.get(f"{mail_http}/", timeout=10)
    assert page.status_code == 200 and "Hồ sơ đã được tiếp nhận" in page.text
    assert httpx.post(f"{mail_http}/_control", json={"smtp": "reject"}, timeout=10).json()["smtp"] == "reject"
    assert httpx.post(f"{mail_http}/_control/reset", timeout=10).status_code == 200
    assert smtp.snapshot() == [] and smtp.mode == "normal"


def test_the_gateway_checks_key_number_and_drops_duplicates(sms_gateway, settings):
    first = sms_send(to="+84901234567", text="MotCua: thu", client_ref="ref-1")
    again = sms_send(to="+84901234567", text="MotCua: thu", client_ref="ref-1")
    assert first.message_id == again.message_id and len(sms_gateway.messages()) == 1
    with pytest.raises(SmsGatewayError, match="HTTP 400"):
        sms_send(to="+8412", text="x", client_ref="ref-2")
    settings.SMS_API_KEY = "wrong"
    with pytest.raises(SmsGatewayError, match="HTTP 401"):
        sms_send(to="+84901234567", text="x", client_ref="ref-3")


def test_an_unreachable_gateway_is_an_error(settings):
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{free_port()}/sms"
    with pytest.raises(SmsGatewayError, match="unreachable"):
        sms_send(to="+84901234567", text="x", client_ref="ref-4")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0901234567", "+84901234567"),
        ("090 123 4567", "+84901234567"),
        ("+84 90 123 4567", "+84901234567"),
        ("84901234567", "+84901234567"),
        ("0389.123.456", "+84389123456"),
        ("028 3829 6052", None),  # a landline
        ("090123456", None),
        ("", None),
    ],
)
def test_phone_numbers(raw, expected):
    assert normalize_phone(raw) == expected


def test_sms_text_is_unaccented_and_at_most_two_segments():
    assert sms_text("Hồ sơ đã được tiếp nhận. ĐÀ NẴNG") == "Ho so da duoc tiep nhan. DA NANG"
    long = sms_text("Thủ tục " * 100)
    assert len(long) == SMS_MAX_CHARS and long.endswith("...") and long.isascii()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_event_renders_in_both_languages(language):
    context = {
        "name": "Nguyễn Văn An",
        "code": "000.00.31.H29-260907-0001",
        "procedure": "Cấp giấy phép",
        "agency": "Sở Nội vụ",
        "due_at": "14/09/2026 17:00",
        "link": "https://dichvucong.example.vn/ho-so-cua-toi/000.00.31.H29-260907-0001/",
        "preferences_url": "https://dichvucong.example.vn/tai-khoan/thong-bao/",
    }
    for event in EVENTS:
        rendered = render(event, language, context)
        assert rendered.subject and "\n" not in rendered.subject, event
        assert rendered.body.startswith("Kính gửi" if language == "vi" else "Dear"), event
        assert "{{" not in rendered.body and "{%" not in rendered.body, event
        assert rendered.sms.startswith("MotCua: ") and rendered.sms.isascii(), event
