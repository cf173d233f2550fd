"""The outbox: claims, backoff with jitter and a cap, dead letters, per-subscriber fan-out, admin retry."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from motcua.core import outbox
from motcua.core.models import OutboxMessage
from motcua.dossiers import subscribers

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """Handlers under test topics; restored afterwards."""
    monkeypatch.setattr(outbox, "_HANDLERS", dict(outbox._HANDLERS))
    monkeypatch.setattr(subscribers, "_SUBSCRIBERS", {topic: {} for topic in subscribers.TOPICS})
    for topic in subscribers.TOPICS:
        outbox.register(topic, subscribers.dispatcher(topic))
    return []


def make_due(**fields):
    return OutboxMessage.objects.filter(**fields).update(available_at=timezone.now() - timedelta(seconds=1))


def test_backoff_is_exponential_capped_and_jittered(settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 2
    settings.OUTBOX_BACKOFF_CAP_SECONDS = 60
    rng = random.Random(1)
    for attempts, step in [(1, 2), (2, 4), (3, 8), (5, 32), (6, 60), (20, 60)]:
        delays = [outbox.backoff_seconds(attempts, rng=rng) for _ in range(50)]
        assert all(step / 2 <= d <= step for d in delays)
        assert len(set(delays)) > 1  # jitter: workers retrying together spread out


def test_delivered_once_and_marked(calls):
    outbox.register("t.ok", lambda payload, key: calls.append((payload, key)))
    outbox.enqueue(topic="t.ok", payload={"n": 1}, key="k1")
    outbox.enqueue(topic="t.ok", payload={"n": 1}, key="k1")  # same key: one message
    assert outbox.deliver_pending() == 1
    assert outbox.deliver_pending() == 0
    assert calls == [({"n": 1}, "k1")]
    message = OutboxMessage.objects.get(idempotency_key="k1")
    assert (message.state, message.attempts, message.claimed_until) == ("delivered", 1, None)


def test_failures_back_off_then_dead_letter(calls, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3

    def failing(payload, key):
        calls.append(key)
        raise ConnectionError("remote down")

    outbox.register("t.fail", failing)
    outbox.enqueue(topic="t.fail", payload={}, key="k2")
    outbox.deliver_pending()
    message = OutboxMessage.objects.get(idempotency_key="k2")
    assert (message.state, message.attempts) == ("pending", 1)
    assert "remote down" in message.last_error
    assert message.available_at > timezone.now()  # not due again before the backoff
    assert outbox.deliver_pending() == 0 and len(calls) == 1
    for attempt in (2, 3):
        make_due(idempotency_key="k2")
        outbox.deliver_pending()
        assert OutboxMessage.objects.get(idempotency_key="k2").attempts == attempt
    message.refresh_from_db()
    assert message.state == "dead" and len(calls) == 3
    make_due(idempotency_key="k2")
    assert outbox.deliver_pending() == 0 and len(calls) == 3  # dead stays dead

    # The administrator's retry gives it its tries back; now the remote answers.
    outbox.register("t.fail", lambda payload, key: calls.append("ok"))
    assert outbox.retry_now([message.pk]) == 1
    assert outbox.deliver_pending() == 1
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == ("delivered", 1, "")


def test_a_claimed_message_is_not_sent_by_another_worker(calls, settings):
    outbox.register("t.claim", lambda payload, key: calls.append(key))
    message = outbox.enqueue(topic="t.claim", payload={}, key="k3")
    token = outbox.claim(message.pk)
    assert token is not None
    assert outbox.claim(message.pk) is None  # a second worker cannot take it
    assert outbox.deliver_pending() == 0 and calls == []
    # The first worker dies without a word; once its claim expires the message is retaken.
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert outbox.deliver_pending() == 1
    assert calls == ["k3"]
    message.refresh_from_db()
    assert message.attempts == 2  # the killed try counts: a message that kills workers ends up dead
    # The dead worker's late result does not overwrite anything.
    assert outbox._mark_delivered(message.pk, token) is False


def test_fan_out_gives_each_subscriber_its_own_message(calls, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    broken = {"on": True}

    def portal(payload, key):
        calls.append(("portal", key))
        if broken["on"]:
            raise ConnectionError("portal down")

    subscribers.subscribe("dossier.changed", "portal", portal)
    subscribers.subscribe("dossier.changed", "mail", lambda payload, key: calls.append(("mail", key)))
    outbox.enqueue(topic="dossier.changed", payload={"code": "X", "version": 2}, key="dossier:X:v2")
    outbox.deliver_pending()
    children = dict(OutboxMessage.objects.filter(topic__startswith="dossier.changed>").values_list("topic", "state"))
    assert children == {"dossier.changed>mail": "delivered", "dossier.changed>portal": "pending"}
    assert OutboxMessage.objects.get(idempotency_key="dossier:X:v2").state == "delivered"
    make_due(topic="dossier.changed>portal")
    outbox.deliver_pending()
    assert OutboxMessage.objects.get(topic="dossier.changed>portal").state == "dead"
    broken["on"] = False
    outbox.retry_now(OutboxMessage.objects.filter(state="dead").values_list("id", flat=True))
    outbox.deliver_pending()
    # The mail went out exactly once although the portal failed twice.
    assert calls.count(("mail", "dossier:X:v2:mail")) == 1
    assert calls.count(("portal", "dossier:X:v2:portal")) == 3
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"delivered"}


def test_fan_out_rolls_back_with_its_delivery(calls, monkeypatch):
    """If marking the fan-out delivered fails, no subscriber message is left behind."""
    subscribers.subscribe("dossier.changed", "mail", lambda payload, key: calls.append(key))
    outbox.enqueue(topic="dossier.changed", payload={}, key="dossier:Y:v1")
    monkeypatch.setattr(outbox, "_mark_delivered", lambda *args: False)
    outbox.deliver_pending(rounds=1)
    assert not OutboxMessage.objects.filter(topic="dossier.changed>mail").exists()
    assert calls == []


def test_unknown_topic_is_retried_not_lost(calls):
    outbox.enqueue(topic="t.nobody", payload={}, key="k4")
    outbox.deliver_pending()
    message = OutboxMessage.objects.get(idempotency_key="k4")
    assert message.state == "pending" and "no handler" in message.last_error


def test_admin_lists_filters_shows_and_retries(admin_client, calls):
    outbox.register("t.admin", lambda payload, key: None)
    message = OutboxMessage.objects.create(
        topic="t.admin",
        payload={"code": "Hồ sơ"},
        idempotency_key="k5",
        state="dead",
        attempts=8,
        available_at=timezone.now(),
        last_error="IntegrationUnavailable: HTTP 503",
    )
    page = admin_client.get("/quan-tri/core/outboxmessage/?state__exact=dead")
    assert page.status_code == 200 and b"t.admin" in page.content
    detail = admin_client.get(f"/quan-tri/core/outboxmessage/{message.pk}/change/")
    assert detail.status_code == 200
    assert "HTTP 503" in detail.content.decode() and "Hồ sơ" in detail.content.decode()
    response = admin_client.post(
        "/quan-tri/core/outboxmessage/", {"action": "retry_now", "_selected_action": [message.pk]}, follow=True
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("pending", 0)
