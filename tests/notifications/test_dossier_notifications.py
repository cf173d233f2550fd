"""Dossier events reach the applicant: the inbox, a real SMTP server and the SMS gateway stand-in."""

import re
from datetime import timedelta

import pytest

from motcua.catalog.models import Fee
from motcua.core.timeutil import format_vn
from motcua.dossiers.lateness import dossiers_flag_late, dossiers_remind_due_soon
from motcua.dossiers.messages import dossier_message_post
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.notifications.models import Delivery, DeliveryStatus, Notification
from motcua.notifications.services import notification_preferences_update, on_dossier_changed
from motcua.payments.services import dossier_request_payment
from tests.notifications.conftest import MONDAY_9, deliver

pytestmark = pytest.mark.django_db

PERSONAL_ID = "079090001234"  # the citizen's, also in the submitted form: never in a message
SITE = "https://dichvucong.example.vn"


def _received(flow) -> Dossier:
    dossier = flow.submit()
    return flow.act(dossier, "receive", now=MONDAY_9.replace(minute=15))


def test_received_mail_arrives_at_the_smtp_server_in_vietnamese(flow, smtp, sms_gateway):
    dossier = _received(flow)
    assert deliver() > 0

    mails = smtp.wait_for(2)
    assert len(mails) == 2  # "submitted", then "received"
    mail = mails[-1]
    due = format_vn(dossier.due_at)
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", due)
    assert due == "14/09/2026 17:00"  # 5 working days after Monday 09:15: the end of that working day
    assert mail["rcpt_tos"] == ["nguyen.van.an@example.vn"]
    assert mail["subject"] == f"Hồ sơ {dossier.code} đã được tiếp nhận – hẹn trả 14/09/2026 17:00"
    text = mail["text"]
    assert text.startswith("Kính gửi Nguyễn Văn An,")
    assert "Sở Nội vụ Thành phố Hồ Chí Minh đã tiếp nhận hồ sơ “Cấp giấy phép hoạt động dịch vụ việc làm”" in text
    assert f"Mã hồ sơ: {dossier.code}" in text
    assert "Ngày hẹn trả kết quả: 14/09/2026 17:00 (giờ Việt Nam)" in text
    assert f"{SITE}/ho-so-cua-toi/{dossier.code}/" in text
    assert f"{SITE}/tai-khoan/thong-bao/" in text
    assert "Dịch vụ công MotCua" in mail["from"]
    for caught in mails:
        assert PERSONAL_ID not in caught["text"] and PERSONAL_ID not in caught["subject"]

    # The same text is in the inbox, and the delivery is recorded with the Message-ID sent.
    notification = Notification.objects.get(recipient=flow.citizen, event="received")
    assert notification.title == mail["subject"]
    assert notification.dossier_code == dossier.code
    assert notification.read_at is None
    email = Delivery.objects.get(notification=notification, channel="email")
    assert email.status == DeliveryStatus.SENT and email.attempts == 1 and email.sent_at is not None
    assert email.provider_message_id == mail["message_id"]


def test_sms_is_short_and_unaccented(flow, smtp, sms_gateway):
    dossier = _received(flow)
    deliver()
    messages = sms_gateway.messages()
    assert [m["to"] for m in messages] == ["+84901234567", "+84901234567"]
    text = messages[-1]["text"]
    assert text == (
        f"MotCua: Ho so {dossier.code} da duoc tiep nhan, hen tra ket qua 14/09/2026 17:00. "
        f"Xem: {SITE}/ho-so-cua-toi/{dossier.code}/"
    )
    assert text.isascii() and len(text) <= 306
    assert all(PERSONAL_ID not in m["text"] for m in messages)
    sms = Delivery.objects.get(notification__event="received", channel="sms")
    assert sms.status == DeliveryStatus.SENT and sms.provider_message_id == messages[-1]["id"]


def test_english_for_a_person_who_prefers_english(flow, smtp, sms_gateway):
    notification_preferences_update(user=flow.citizen, email=True, sms=True, language="en")
    dossier = _received(flow)
    deliver()
    mail = smtp.wait_for(2)[-1]
    assert mail["subject"] == f"Application {dossier.code} received – result due 14/09/2026 17:00"
    assert mail["text"].startswith("Dear Nguyễn Văn An,")
    assert "Result due by: 14/09/2026 17:00 (Vietnam time)" in mail["text"]
    assert mail["headers"].get("Content-Language") == "en"
    assert sms_gateway.messages()[-1]["text"].startswith(f"MotCua: Application {dossier.code} received")


def test_preferences_are_respected(flow, smtp, sms_gateway):
    notification_preferences_update(user=flow.citizen, email=False, sms=True, language="vi")
    dossier = flow.submit()
    deliver()
    assert smtp.snapshot() == []
    assert len(sms_gateway.messages()) == 1

    notification_preferences_update(user=flow.citizen, email=False, sms=False, language="vi")
    flow.act(dossier, "receive")
    deliver()
    assert smtp.snapshot() == []
    assert len(sms_gateway.messages()) == 1
    received = Notification.objects.get(event="received")  # the inbox always has it
    assert not received.deliveries.exists()


def test_no_address_no_delivery(flow, smtp, sms_gateway):
    flow.citizen.email = ""
    flow.citizen.phone = "028 3829 6052"  # a landline: no SMS
    flow.citizen.save()
    flow.submit()
    deliver()
    assert smtp.snapshot() == [] and sms_gateway.messages() == []
    assert Notification.objects.filter(recipient=flow.citizen, event="submitted").count() == 1
    assert not Delivery.objects.exists()


def test_a_redelivered_outbox_message_makes_no_second_notification(flow, smtp, sms_gateway):
    dossier = _received(flow)
    deliver()
    payload = {"code": dossier.code, "action": "receive", "status": 2, "version": dossier.version}
    key = f"dossier:{dossier.code}:v{dossier.version}:notifications"
    on_dossier_changed(payload, key)  # at-least-once: the same message again
    on_dossier_changed(payload, key)
    deliver()
    assert Notification.objects.filter(event="received").count() == 1
    assert len(smtp.snapshot()) == 2
    assert len(sms_gateway.messages()) == 2


def test_supplement_request_says_what_to_bring(flow, smtp, sms_gateway):
    dossier = _received(flow)
    flow.act(dossier, "request_supplement", note="Bản sao có chứng thực giấy chứng nhận đăng ký doanh nghiệp.")
    deliver()
    mail = smtp.wait_for(3)[-1]
    assert mail["subject"] == f"Hồ sơ {dossier.code}: cần nộp thêm giấy tờ"
    assert "Cần nộp thêm:\nBản sao có chứng thực giấy chứng nhận đăng ký doanh nghiệp." in mail["text"]
    assert "Thời gian giải quyết tạm dừng" in mail["text"]


def test_payment_due_links_to_the_payment_page(flow, smtp, sms_gateway):
    Fee.objects.create(version=flow.version, order=1, case="Cấp mới", amount_vnd=1_500_000)
    dossier = _received(flow)
    invoice = dossier_request_payment(actor=flow.receiver, code=dossier.code, version=dossier.version, now=MONDAY_9)
    deliver()
    mail = smtp.wait_for(3)[-1]
    assert mail["subject"] == f"Hồ sơ {dossier.code}: cần đóng phí, lệ phí 1.500.000 đ"
    assert "Số tiền: 1.500.000 đ" in mail["text"]
    assert f"Đóng phí trực tuyến: {SITE}/thanh-toan/{invoice.reference}/" in mail["text"]
    assert sms_gateway.messages()[-1]["text"].startswith(f"MotCua: Ho so {dossier.code} can dong phi 1.500.000 d.")


def test_extension_sends_an_apology_with_the_new_date(flow, smtp, sms_gateway):
    dossier = _received(flow)
    dossier = flow.act(
        dossier, "extend", actor=flow.leader, note="Cần xác minh thêm với cơ quan thuế.", now=MONDAY_9.replace(day=9)
    )
    deliver()
    mail = smtp.wait_for(3)[-1]
    assert mail["subject"] == f"Xin lỗi: hồ sơ {dossier.code} chậm so với ngày hẹn"
    assert "không kịp giải quyết đúng ngày hẹn 14/09/2026 17:00" in mail["text"]
    assert "Lý do: Cần xác minh thêm với cơ quan thuế." in mail["text"]
    assert f"Ngày hẹn trả kết quả mới: {format_vn(dossier.due_at)} (giờ Việt Nam)." in mail["text"]


def test_a_late_dossier_brings_an_apology(flow, smtp, sms_gateway):
    dossier = _received(flow)
    assert dossiers_flag_late(now=dossier.due_at.replace(day=15)) == 1
    deliver()
    notification = Notification.objects.get(event="late_apology")
    assert notification.title == f"Xin lỗi: hồ sơ {dossier.code} chậm so với ngày hẹn"
    assert "không kịp giải quyết đúng ngày hẹn 14/09/2026 17:00" in notification.body
    assert "Cơ quan sẽ gửi bạn văn bản xin lỗi và hẹn lại ngày trả kết quả." in notification.body
    assert smtp.wait_for(3)[-1]["subject"] == notification.title


def test_result_ready_online_or_to_collect(flow, smtp, sms_gateway):
    dossier = _received(flow)
    payload = {"code": dossier.code, "action": "resolve", "status": 9, "version": dossier.version + 1}
    on_dossier_changed(payload, "test:resolve:1")
    notification = Notification.objects.get(event="resolved")
    assert notification.title == f"Hồ sơ {dossier.code} đã có kết quả"
    assert "Bạn xem và tải về trong tài khoản" in notification.body

    flow.version.result_type = "paper"
    flow.version.save(update_fields=["result_type"])
    on_dossier_changed(payload, "test:resolve:2")
    collect = Notification.objects.get(event="ready_to_collect")
    assert collect.title == f"Hồ sơ {dossier.code}: mời bạn đến nhận kết quả"
    assert "86 Lê Thánh Tôn, phường Sài Gòn" in collect.body
    assert "Điện thoại: 028 3829 6052" in collect.body


def test_the_officer_handling_a_dossier_is_reminded_before_it_is_due(flow, specialist, smtp, sms_gateway):
    specialist.email = "chuyen.vien@soNoiVu.example.vn"
    specialist.save()
    dossier = flow.act(_received(flow), "assign")
    assert dossier.current_handler == specialist
    assert dossiers_remind_due_soon(now=dossier.due_at - timedelta(hours=2)) == 1
    deliver()
    reminder = Notification.objects.get(event="due_soon")
    assert reminder.recipient == specialist
    assert reminder.title == f"Sắp đến hạn: hồ sơ {dossier.code} hẹn trả 14/09/2026 17:00"
    assert smtp.wait_for(3)[-1]["rcpt_tos"] == ["chuyen.vien@soNoiVu.example.vn"]
    assert reminder.link == f"{SITE}/can-bo/ho-so/{dossier.code}/"
    assert not Notification.objects.filter(recipient=flow.citizen, event="due_soon").exists()


def test_the_receipt_form_01_is_linked_when_issued(flow, smtp, sms_gateway):
    dossier = _received(flow)
    receipt = DossierDocument.objects.create(
        dossier=dossier, kind=DossierDocument.Kind.NOTICE, form_number="01", name="Giấy tiếp nhận hồ sơ"
    )
    payload = {"code": dossier.code, "action": "receive", "status": 2, "version": dossier.version}
    on_dossier_changed(payload, "test:receipt")
    body = Notification.objects.get(dedupe_key__startswith="test:receipt").body
    assert (
        f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả (mẫu 01): {SITE}/ho-so-cua-toi/{dossier.code}/giay-to/{receipt.pk}/"
        in body
    )


def test_messages_tell_the_other_party_without_their_text(flow, specialist, smtp, sms_gateway):
    dossier = flow.act(_received(flow), "assign")
    secret = "Số định danh của tôi là 079090001234, xin kiểm tra lại."
    dossier_message_post(user=flow.receiver, dossier=dossier, text="Vui lòng bổ sung bản sao hợp đồng lao động.")
    dossier_message_post(user=flow.citizen, dossier=dossier, text=secret)
    deliver()
    to_citizen = Notification.objects.get(event="message_received")
    assert to_citizen.recipient == flow.citizen
    assert to_citizen.title == f"Hồ sơ {dossier.code}: Sở Nội vụ Thành phố Hồ Chí Minh gửi bạn tin nhắn"
    assert "hợp đồng lao động" not in to_citizen.body
    to_officer = Notification.objects.get(event="message_from_applicant")
    assert to_officer.recipient == specialist
    assert to_officer.link == f"{SITE}/can-bo/ho-so/{dossier.code}/"
    assert PERSONAL_ID not in to_officer.body
    for mail in smtp.wait_for(3):
        assert PERSONAL_ID not in mail["text"]
