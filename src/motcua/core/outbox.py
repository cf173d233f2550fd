"""The transactional outbox: enqueue in the caller's transaction, deliver after commit.

Apps register a handler per topic at start-up (`register`), so the kernel never imports
them. Delivery is at-least-once; handlers receive the idempotency key so the far side (or
the handler itself) drops duplicates.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.core.models import OutboxMessage

logger = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any], str], None]
_HANDLERS: dict[str, Handler] = {}
MAX_ATTEMPTS = 8


def register(topic: str, handler: Handler) -> None:
    _HANDLERS[topic] = handler


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


def deliver_pending(*, limit: int = 100) -> int:
    """Deliver due messages one by one, each in its own transaction with a row lock."""
    delivered = 0
    now = timezone.now()
    ids = list(
        OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING, available_at__lte=now)
        .order_by("available_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    for message_id in ids:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, state=OutboxMessage.State.PENDING)
                .first()
            )
            if message is None:
                continue
            handler = _HANDLERS.get(message.topic)
            message.attempts += 1
            try:
                if handler is None:
                    raise LookupError(f"no handler registered for topic {message.topic!r}")
                handler(message.payload, message.idempotency_key)
            except Exception as error:  # recorded on the row, retried with backoff, then dead-lettered
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                if message.attempts >= MAX_ATTEMPTS:
                    message.state = OutboxMessage.State.DEAD
                else:
                    message.available_at = timezone.now() + timedelta(seconds=2**message.attempts)
            else:
                message.state = OutboxMessage.State.DELIVERED
                message.delivered_at = timezone.now()
                delivered += 1
            message.save()
    return delivered
