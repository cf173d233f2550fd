"""The transactional outbox: enqueue in the caller's transaction, deliver after commit.

Apps register a handler per topic at start-up (`register`), so the kernel never imports
them. Delivery is at-least-once; handlers receive the idempotency key so the far side (or
the handler itself) drops duplicates. Nothing is lost:

* a message is written in the same transaction as the change that causes it;
* a worker *claims* a due message (one conditional UPDATE: claim token, claim deadline and
  the attempt counted) before sending it, so two workers never send the same message at
  once; the claim is a short transaction, and the send runs outside any transaction (no
  database lock held while a remote is slow);
* success marks it delivered, failure records the error and sets the next try with
  exponential backoff (`OUTBOX_BACKOFF_BASE_SECONDS` · 2^(n−1), capped at
  `OUTBOX_BACKOFF_CAP_SECONDS`, with jitter); after `OUTBOX_MAX_ATTEMPTS` tries it is dead
  (an administrator retries it from the admin);
* a worker killed mid-send leaves its claim, which expires after
  `OUTBOX_CLAIM_TIMEOUT_SECONDS`; another worker then sends it again with the same
  idempotency key, and the remote drops the duplicate.

Handlers registered with `transactional=True` only write to the database (e.g. the fan-out
that enqueues one message per subscriber): they run inside the transaction that marks the
message delivered, so their writes and the delivery commit together or not at all.
"""

import logging
import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from motcua.core.models import OutboxMessage

logger = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any], str], None]


@dataclass(frozen=True)
class _Registration:
    handler: Handler
    transactional: bool


_HANDLERS: dict[str, _Registration] = {}
# Kept for callers that read it; the setting OUTBOX_MAX_ATTEMPTS is what delivery uses.
MAX_ATTEMPTS = 8


def register(topic: str, handler: Handler, *, transactional: bool = False) -> None:
    """`transactional` (or an `outbox_transactional = True` attribute on the handler): see above."""
    _HANDLERS[topic] = _Registration(handler, transactional or bool(getattr(handler, "outbox_transactional", False)))


def registered_topics() -> list[str]:
    return sorted(_HANDLERS)


def enqueue(*, topic: str, payload: dict[str, Any], key: str) -> OutboxMessage:
    """Write a message in the current transaction; a worker is nudged once it commits."""
    message, _ = OutboxMessage.objects.get_or_create(
        idempotency_key=key, defaults={"topic": topic, "payload": payload, "available_at": timezone.now()}
    )
    transaction.on_commit(_nudge_worker)
    return message


def _nudge_worker() -> None:
    # Imported late: the task module needs the app registry ready.
    from motcua.core.tasks import deliver_outbox

    try:
        deliver_outbox.enqueue()
    except Exception:  # the periodic sweep will deliver it; never fail the user's request
        logger.exception("could not enqueue outbox delivery")


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", MAX_ATTEMPTS))


def backoff_seconds(attempts: int, *, rng: random.Random | None = None) -> float:
    """Delay before try `attempts + 1`: exponential, capped, with "equal jitter" (½ to 1 × the step)."""
    base = float(getattr(settings, "OUTBOX_BACKOFF_BASE_SECONDS", 2.0))
    cap = float(getattr(settings, "OUTBOX_BACKOFF_CAP_SECONDS", 3600.0))
    step = min(cap, base * 2 ** max(0, attempts - 1))
    return step / 2 + (rng or random).uniform(0, step / 2)


def _due(now: datetime) -> Q:
    unclaimed = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    return Q(state=OutboxMessage.State.PENDING, available_at__lte=now) & unclaimed


def claim(message_id: int, *, now: datetime | None = None) -> str | None:
    """Take one due message for this worker; returns the claim token, or None if someone else has it."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    timeout = timedelta(seconds=float(getattr(settings, "OUTBOX_CLAIM_TIMEOUT_SECONDS", 120.0)))
    taken = OutboxMessage.objects.filter(_due(now), pk=message_id).update(
        claim_token=token, claimed_until=now + timeout, attempts=F("attempts") + 1, last_attempt_at=now
    )
    return token if taken else None


def deliver_pending(*, limit: int = 100, rounds: int = 3) -> int:
    """Deliver due messages one by one; returns how many were delivered.

    A few rounds, so that the per-subscriber messages a fan-out enqueues go out in the same
    sweep; a message that failed is not due again before its backoff.
    """
    delivered = 0
    for _round in range(rounds):
        now = timezone.now()
        ids = list(
            OutboxMessage.objects.filter(_due(now)).order_by("available_at", "id").values_list("id", flat=True)[:limit]
        )
        if not ids:
            break
        for message_id in ids:
            try:
                token = claim(message_id)
                if token is not None:
                    delivered += deliver_claimed(message_id, token)
            except Exception:  # e.g. the database busy: the claim expires and another sweep retries
                logger.exception("outbox message %s: delivery interrupted", message_id)
    return delivered


def deliver_claimed(message_id: int, token: str) -> bool:
    """Send one message this worker has claimed; True when delivered."""
    message = OutboxMessage.objects.get(pk=message_id)
    registration = _HANDLERS.get(message.topic)
    try:
        if registration is None:
            raise LookupError(f"no handler registered for topic {message.topic!r}")
        if registration.transactional:
            with transaction.atomic():
                registration.handler(message.payload, message.idempotency_key)
                if not _mark_delivered(message_id, token):
                    raise _ClaimLost
        else:
            registration.handler(message.payload, message.idempotency_key)
            _mark_delivered(message_id, token)
    except _ClaimLost:
        logger.warning("outbox message %s: claim expired before the result was saved", message_id)
        return False
    except Exception as error:  # recorded on the row, retried with backoff, then dead-lettered
        _mark_failed(message_id, token, error)
        return False
    return True


class _ClaimLost(Exception):
    pass


def _mark_delivered(message_id: int, token: str) -> bool:
    # Conditional on our claim: a worker that overran its claim does not overwrite another's.
    now = timezone.now()
    return bool(
        OutboxMessage.objects.filter(pk=message_id, claim_token=token, state=OutboxMessage.State.PENDING).update(
            state=OutboxMessage.State.DELIVERED, delivered_at=now, claimed_until=None, last_error=""
        )
    )


def _describe(error: Exception) -> str:
    extra = getattr(error, "extra", None)
    text = f"{type(error).__name__}: {error}"
    if extra:
        text += f" {extra}"
    return text[:2000]


def _mark_failed(message_id: int, token: str, error: Exception) -> None:
    message = OutboxMessage.objects.filter(pk=message_id, claim_token=token).first()
    if message is None:
        return
    logger.warning(
        "outbox message %s (%s) failed, attempt %s: %s", message_id, message.topic, message.attempts, _describe(error)
    )
    changes: dict[str, Any] = {"last_error": _describe(error), "claimed_until": None}
    if message.attempts >= max_attempts():
        changes["state"] = OutboxMessage.State.DEAD
    else:
        changes["available_at"] = timezone.now() + timedelta(seconds=backoff_seconds(message.attempts))
    OutboxMessage.objects.filter(pk=message_id, claim_token=token, state=OutboxMessage.State.PENDING).update(**changes)


def retry_now(message_ids: Iterable[int]) -> int:
    """Administrator's "retry now": dead or waiting messages become due at once (dead ones get
    their full number of tries again). Delivered messages are left alone."""
    now = timezone.now()
    ids = list(message_ids)
    with transaction.atomic():
        waiting = OutboxMessage.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk__in=ids, state=OutboxMessage.State.PENDING
        ).update(available_at=now)
        dead = OutboxMessage.objects.filter(pk__in=ids, state=OutboxMessage.State.DEAD).update(
            state=OutboxMessage.State.PENDING, attempts=0, available_at=now, claimed_until=None
        )
        if dead or waiting:
            transaction.on_commit(_nudge_worker)
    return dead + waiting
