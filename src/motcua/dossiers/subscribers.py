"""Fan-out of dossier messages (changed, late, due soon) to the systems that follow dossiers.

The national-portal sync and notifications subscribe here when they start
(`subscribe("dossier.changed", "dvcqg", fn)` in their AppConfig.ready). Delivering a fan-out
message does not call them: it enqueues one outbox message per subscriber (topic
`<topic>><name>`, key `<key>:<name>`) in the same transaction that marks the fan-out
delivered. So each subscriber is retried, backed off and dead-lettered on its own: a portal
that is down never makes the e-mail go out twice. The subscriber receives that suffixed key,
so a redelivery is recognised on its side.
"""

from collections.abc import Callable
from typing import Any

from motcua.core import outbox

Subscriber = Callable[[dict[str, Any], str], None]
TOPICS = ("dossier.changed", "dossier.late", "dossier.due_soon", "dossier.message")
_SUBSCRIBERS: dict[str, dict[str, Subscriber]] = {topic: {} for topic in TOPICS}


def subscriber_topic(topic: str, name: str) -> str:
    return f"{topic}>{name}"


def subscribe(topic: str, name: str, subscriber: Subscriber) -> None:
    _SUBSCRIBERS[topic][name] = subscriber
    outbox.register(subscriber_topic(topic, name), subscriber)


def subscribers(topic: str) -> list[str]:
    return sorted(_SUBSCRIBERS[topic])


def dispatcher(topic: str) -> Callable[[dict[str, Any], str], None]:
    """The fan-out handler of `topic` (registered with transactional=True by the dossiers app)."""

    def dispatch(payload: dict[str, Any], key: str) -> None:
        for name in sorted(_SUBSCRIBERS[topic]):
            outbox.enqueue(topic=subscriber_topic(topic, name), payload=payload, key=f"{key}:{name}")

    # Runs inside the transaction that marks the fan-out delivered (core.outbox).
    dispatch.outbox_transactional = True  # type: ignore[attr-defined]
    return dispatch
