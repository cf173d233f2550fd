"""Notification texts: one set of plain-text templates per language and event.

`templates/notifications/<lang>/<event>.subject.txt`, `.body.txt` and `.sms.txt`, rendered by
an engine of our own with autoescaping off (these are e-mails and SMS, not HTML; the inbox
page escapes when it shows them). No .po files: each language's wording is written whole.

SMS text is always sent without diacritics: Vietnamese gateways bill accented (UCS-2) text
at 70 characters a segment against 160 for plain GSM-7, and many brand-name SMS routes
refuse accented text outright. It is capped at two concatenated segments.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine

from motcua.core.text import normalize, strip_diacritics

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
LANGUAGES = ("vi", "en")
# Every event a person is told about. Dossier events are mapped from lifecycle actions in
# services.py; `feedback_answered` is sent by the feedback app through `notification_send`.
EVENTS = (
    "submitted",
    "received",
    "supplement_requested",
    "payment_due",
    "resolved",
    "ready_to_collect",
    "returned",
    "late_apology",
    "refused",
    "stopped",
    "due_soon",
    "message_received",
    "message_from_applicant",
    "feedback_answered",
)
SMS_MAX_CHARS = 306  # two concatenated GSM-7 segments
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


@cache
def _engine() -> Engine:
    return Engine(dirs=[str(TEMPLATE_DIR)], autoescape=False)


def render(event: str, language: str, context: dict[str, Any]) -> Rendered:
    if event not in EVENTS:
        raise ValueError(f"unknown notification event {event!r}")
    language = language if language in LANGUAGES else "vi"
    engine = _engine()

    def part(kind: str) -> str:
        return engine.get_template(f"notifications/{language}/{event}.{kind}.txt").render(_context(context))

    subject = normalize(part("subject"))[:255]
    lines = [line.rstrip() for line in part("body").replace("\r\n", "\n").split("\n")]
    body = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip() + "\n"
    sms = sms_text(part("sms"))
    return Rendered(subject=subject, body=body, sms=sms)


def sms_text(text: str) -> str:
    """One line, no diacritics (đ → d), at most two SMS segments."""
    plain = normalize(strip_diacritics(normalize(text)))
    if len(plain) > SMS_MAX_CHARS:
        plain = plain[: SMS_MAX_CHARS - 3].rstrip() + "..."  # "…" is not GSM-7
    return plain


def _context(values: dict[str, Any]) -> Context:
    return Context(values, autoescape=False)
