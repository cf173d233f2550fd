"""An administrator's retry of a dead notification really sends it again, and the delivery's
try counter follows the outbox's, also when a worker dies in the middle of a send."""

from datetime import timedelta

import pytest
from django.utils import timezone
from simulators.mail import free_port

from motcua.core import outbox
from motcua.core.models import OutboxMessage
from motcua.notifications import services
from motcua.notifications.models import Delivery, DeliveryStatus
from motcua.notifications.services import EMAIL_TOPIC
from tests.notifications.conftest import deliver, make_due_now

pytestmark = pytest.mark.django_db


def test_retrying_a_dead_email_sends_it_again(flow, smtp, sms_gateway, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # the relay is down
    dossier = flow.submit()
    deliver()
    make_due_now(EMAIL_TOPIC)
    deliver()
    email = Delivery.objects.get(channel="email")
    message = OutboxMessage.objects.get(topic=EMAIL_TOPIC)
    assert email.status == DeliveryStatus.DEAD and email.attempts == 2
    assert message.state == OutboxMessage.State.DEAD and message.attempts == 2

    # The relay is back; the administrator presses "retry now" in the outbox admin.
    settings.EMAIL_PORT = working_port
    assert outbox.retry_now([message.pk]) == 1
    deliver()

    mails = smtp.wait_for(1)
    assert len(mails) == 1 and dossier.code in mails[0]["subject"]
    email.refresh_from_db()
    message.refresh_from_db()
    assert email.status == DeliveryStatus.SENT and email.sent_at is not None
    assert email.attempts == 3  # every try ever made
    assert message.state == OutboxMessage.State.DELIVERED and message.attempts == 1  # this round's

    # Retrying a delivered message changes nothing and sends nothing.
    assert outbox.retry_now([message.pk]) == 0
    deliver()
    assert len(smtp.snapshot()) == 1


def test_a_dead_retry_that_fails_again_is_dead_again_after_its_new_budget(flow, smtp, sms_gateway, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.EMAIL_PORT = free_port()
    flow.submit()
    deliver()
    make_due_now(EMAIL_TOPIC)
    deliver()
    message = OutboxMessage.objects.get(topic=EMAIL_TOPIC)
    outbox.retry_now([message.pk])
    deliver()
    email = Delivery.objects.get(channel="email")
    # One failure of the new round is not yet the end: retried with backoff, not dead.
    assert email.status == DeliveryStatus.FAILED and email.attempts == 3
    make_due_now(EMAIL_TOPIC)
    deliver()
    email.refresh_from_db()
    assert email.status == DeliveryStatus.DEAD and email.attempts == 4
    assert OutboxMessage.objects.get(pk=message.pk).state == OutboxMessage.State.DEAD


class _WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, no `except Exception` catches it."""


def test_a_worker_killed_mid_send_counts_the_try_in_both_places(flow, smtp, sms_gateway, monkeypatch):
    flow.submit()
    real_send = services._send_email

    def killed(delivery):
        raise _WorkerKilled

    monkeypatch.setattr(services, "_send_email", killed)
    with pytest.raises(_WorkerKilled):
        deliver()
    message = OutboxMessage.objects.get(topic=EMAIL_TOPIC)
    email = Delivery.objects.get(channel="email")
    assert message.state == OutboxMessage.State.PENDING and message.claimed_until is not None
    assert message.attempts == 1 and email.attempts == 1
    assert smtp.snapshot() == []

    # The dead worker's claim expires; another worker sends it, both counters say two tries.
    monkeypatch.setattr(services, "_send_email", real_send)
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    deliver()
    message.refresh_from_db()
    email.refresh_from_db()
    assert message.state == OutboxMessage.State.DELIVERED and email.status == DeliveryStatus.SENT
    assert message.attempts == email.attempts == 2
    assert len(smtp.wait_for(1)) == 1
