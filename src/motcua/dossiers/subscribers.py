"""Fan-out of "a dossier changed" to the systems that follow dossiers.

The national-portal sync and notifications subscribe here when they start; each
subscriber gets the outbox's idempotency key so a redelivery is recognised.
"""

from collections.abc import Callable
from typing import Any

Subscriber = Callable[[dict[str, Any], str], None]
_SUBSCRIBERS: dict[str, Subscriber] = {}


def subscribe(name: str, subscriber: Subscriber) -> None:
    _SUBSCRIBERS[name] = subscriber


def dispatch_change(payload: dict[str, Any], key: str) -> None:
    for name, subscriber in _SUBSCRIBERS.items():
        subscriber(payload, f"{key}:{name}")
