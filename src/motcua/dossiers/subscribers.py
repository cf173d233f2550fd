"""Fan-out of dossier messages (changed, late, due soon) to the systems that follow dossiers.

The national-portal sync and notifications subscribe here when they start; each
subscriber gets the outbox's idempotency key, suffixed with its name, so a redelivery is
recognised on its side.
"""

from collections.abc import Callable
from typing import Any

Subscriber = Callable[[dict[str, Any], str], None]
TOPICS = ("dossier.changed", "dossier.late", "dossier.due_soon", "dossier.message")
_SUBSCRIBERS: dict[str, dict[str, Subscriber]] = {topic: {} for topic in TOPICS}


def subscribe(topic: str, name: str, subscriber: Subscriber) -> None:
    _SUBSCRIBERS[topic][name] = subscriber


def dispatcher(topic: str) -> Callable[[dict[str, Any], str], None]:
    def dispatch(payload: dict[str, Any], key: str) -> None:
        for name, subscriber in _SUBSCRIBERS[topic].items():
            subscriber(payload, f"{key}:{name}")

    return dispatch
