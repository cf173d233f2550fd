"""The HTTP client of the SMS gateway (a brand-name SMS provider; `simulators/sms.py` in development).

Protocol: `POST {SMS_GATEWAY_URL}/api/messages` with `Authorization: Bearer <SMS_API_KEY>` and
a JSON body `{"to": "+84…", "text": "…", "sender": "MOTCUA", "client_ref": "…"}`. The gateway
answers 200/202 `{"id": "…", "status": "accepted"}`; the same `client_ref` is accepted once
(a retry after a lost answer returns the first id). Anything else is an error that the
outbox retries: the connection failing or timing out, a 4xx/5xx, or an answer without an id.
"""

import re
from dataclasses import dataclass

import httpx
from django.conf import settings

_PHONE_DIGITS = re.compile(r"[\s.\-()]")
# Vietnamese mobile numbers: 10 digits from 0, or +84 / 84 followed by the 9 digits.
_VN_MOBILE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")


class SmsGatewayError(Exception):
    """The gateway did not take the message; the text says why (never the message itself)."""


@dataclass(frozen=True)
class SmsAccepted:
    message_id: str
    status: str


def normalize_phone(raw: str) -> str | None:
    """'0901 234 567' or '+84901234567' → '+84901234567'; None for what is not a Vietnamese mobile."""
    match = _VN_MOBILE.match(_PHONE_DIGITS.sub("", raw or ""))
    return f"+84{match.group(1)}" if match else None


def sms_send(*, to: str, text: str, client_ref: str) -> SmsAccepted:
    url = settings.SMS_GATEWAY_URL.rstrip("/") + "/api/messages"
    try:
        response = httpx.post(
            url,
            json={"to": to, "text": text, "sender": settings.SMS_SENDER, "client_ref": client_ref},
            headers={"Authorization": f"Bearer {settings.SMS_API_KEY}"},
            timeout=settings.SMS_TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as error:
        raise SmsGatewayError(f"gateway unreachable: {type(error).__name__}") from error
    if response.status_code not in (200, 201, 202):
        raise SmsGatewayError(f"gateway answered HTTP {response.status_code}: {response.text[:200]}")
    try:
        data = response.json()
        message_id = str(data["id"])
    except (ValueError, KeyError, TypeError) as error:
        raise SmsGatewayError(f"gateway answer unreadable: {response.text[:200]!r}") from error
    if not message_id:
        raise SmsGatewayError("gateway answer has no message id")
    return SmsAccepted(message_id=message_id, status=str(data.get("status", "accepted")))
