"""Each channel is sent on its own and recorded: a server that is down is retried without
sending anything twice, and other apps can notify through `notification_send`."""

import pytest
from simulators.mail import free_port

from motcua.core.models import OutboxMessage
from motcua.notifications.models import Delivery, DeliveryStatus, Notification
from motcua.notifications.services import EMAIL_TOPIC, SMS_TOPIC, notification_send
from tests.notifications.conftest import deliver, make_due_now

pytestmark = pytest.mark.django_db


def test_smtp_down_is_retried_recorded_and_never_duplicated(flow, smtp, sms_gateway, settings):
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nothing listens there: connection refused
    dossier = flow.submit()
    deliver()

    email = Delivery.objects.get(channel="email")
    assert email.status == DeliveryStatus.FAILED and email.attempts == 1
    assert "Connection" in email.last_error or "refused" in email.last_error.lower()
    message = OutboxMessage.objects.get(topic=EMAIL_TOPIC)
    assert message.state == OutboxMessage.State.PENDING and message.last_error
    # The SMS went out by itself, once.
    assert len(sms_gateway.messages()) == 1
    assert Delivery.objects.get(channel="sms").status == DeliveryStatus.SENT

    # The relay is back but refuses for a while (451): still recorded, still pending.
    settings.EMAIL_PORT = working_port
    smtp.mode = "reject"
    make_due_now(EMAIL_TOPIC)
    deliver()
    email.refresh_from_db()
    assert email.status == DeliveryStatus.FAILED and email.attempts == 2
    assert "451" in email.last_error
    assert smtp.snapshot() == []

    smtp.mode = "normal"
    make_due_now(EMAIL_TOPIC)
    deliver()
    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT and email.attempts == 3 and email.sent_at is not None
    mails = smtp.wait_for(1)
    assert len(mails) == 1 and dossier.code in mails[0]["subject"]
    assert OutboxMessage.objects.get(topic=EMAIL_TOPIC).state == OutboxMessage.State.DELIVERED

    # Nothing more goes out however often the outbox runs.
    make_due_now(EMAIL_TOPIC)
    make_due_now(SMS_TOPIC)
    deliver()
    assert len(smtp.snapshot()) == 1
    assert len(sms_gateway.messages()) == 1
    assert Notification.objects.count() == 1


def test_sms_gateway_trouble_never_resends_the_email(flow, smtp, sms_gateway):
    sms_gateway.control(mode="fail")
    flow.submit()
    deliver()
    sms = Delivery.objects.get(channel="sms")
    assert sms.status == DeliveryStatus.FAILED and "503" in sms.last_error
    assert len(smtp.wait_for(1)) == 1

    sms_gateway.control(mode="garbage")  # a 200 that is not the gateway's answer
    make_due_now(SMS_TOPIC)
    deliver()
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.FAILED and sms.attempts == 2 and "unreadable" in sms.last_error

    sms_gateway.control(mode="normal")
    make_due_now(SMS_TOPIC)
    deliver()
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENT and sms.attempts == 3
    assert len(sms_gateway.messages()) == 1
    assert len(smtp.snapshot()) == 1


def test_a_slow_gateway_times_out_and_is_retried(flow, smtp, sms_gateway, settings):
    settings.SMS_TIMEOUT_SECONDS = 0.5
    sms_gateway.control(mode="slow", delay_seconds=1.5)
    flow.submit()
    deliver()
    sms = Delivery.objects.get(channel="sms")
    assert sms.status == DeliveryStatus.FAILED and "Timeout" in sms.last_error


def test_delivery_gives_up_after_the_outbox_limit(flow, smtp, sms_gateway, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    sms_gateway.control(mode="fail")
    flow.submit()
    deliver()
    make_due_now(SMS_TOPIC)
    deliver()
    sms = Delivery.objects.get(channel="sms")
    assert sms.status == DeliveryStatus.DEAD and sms.attempts == 2
    assert OutboxMessage.objects.get(topic=SMS_TOPIC).state == OutboxMessage.State.DEAD


def test_feedback_answered_is_sent_by_the_service_other_apps_call(citizen, smtp, sms_gateway):
    citizen.email = "nguyen.van.an@example.vn"
    citizen.save()
    sent = notification_send(
        user=citizen,
        event="feedback_answered",
        context={
            "agency": "Ủy ban nhân dân phường Bến Thành",
            "topic": "Đèn đường hỏng trên đường Lê Lợi",
            "answer": "Đèn đã được thay ngày 20/11/2026. Cảm ơn bạn đã phản ánh.",
        },
        link="/phan-anh/12/",
        dedupe_key="feedback:12:answered",
    )
    again = notification_send(
        user=citizen, event="feedback_answered", context={}, link="/phan-anh/12/", dedupe_key="feedback:12:answered"
    )
    assert again.pk == sent.pk
    deliver()
    mails = smtp.wait_for(1)
    assert len(mails) == 1
    assert mails[0]["subject"] == "Phản ánh, kiến nghị của bạn đã được trả lời"
    text = mails[0]["text"]
    assert (
        "Ủy ban nhân dân phường Bến Thành đã trả lời phản ánh, kiến nghị của bạn "
        "“Đèn đường hỏng trên đường Lê Lợi”." in text
    )
    assert "Nội dung trả lời:\nĐèn đã được thay ngày 20/11/2026." in text
    assert "https://dichvucong.example.vn/phan-anh/12/" in text
    assert sms_gateway.messages() == []  # no phone number on the account


def test_unknown_event_is_refused(citizen):
    with pytest.raises(ValueError, match="unknown notification event"):
        notification_send(user=citizen, event="nonsense", context={}, dedupe_key="x")
