"""The hash chain of the dossier log: each event's hash covers its content and the previous hash."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def event_digest(*, prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)
    return hashlib.sha256(f"{prev_hash}|{canonical}".encode()).hexdigest()


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot hash {type(value).__name__}")


def event_fields(event: Any) -> dict[str, Any]:
    """The hashed content of an event (model instance or anything with the same attributes)."""
    return {
        "dossier": event.dossier_id,
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "role": event.role,
        "action": event.action,
        "title": event.title,
        "from": event.from_status,
        "to": event.to_status,
        "step": event.step_index,
        "agency": event.agency_code,
        "note": event.note,
        "public": event.public,
        "data": event.data,
    }
