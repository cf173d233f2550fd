"""The HTTP client of the national payment platform, and the platform's signature scheme.

Every message is a flat JSON object (or query string) signed with HMAC-SHA256 over a
canonical string: keys sorted, `signature` left out, each `key=value` percent-encoded
(RFC 3986, nothing kept safe), `None` as empty, booleans as `true`/`false`, joined by `&`.
The hex digest travels in the `X-Signature` header (or a `signature` query parameter on the
browser's return). `simulators/payment.py` implements the other side of the same protocol.
"""

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings

from motcua.core.errors import DomainError

TRANSACTION_STATUSES = ("pending", "success", "failed", "cancelled", "expired", "refunded")


class PaymentPlatformUnavailable(DomainError):
    """The platform did not answer, or answered with an error: try again later."""

    code, status, default_detail = (
        "payment_platform_unavailable",
        503,
        "Cổng thanh toán tạm thời không phản hồi. Vui lòng thử lại sau ít phút.",
    )


class PaymentPlatformRefused(DomainError):
    """The platform understood the request and said no (e.g. refund of an unpaid transaction)."""

    code, status, default_detail = ("payment_platform_refused", 409, "Cổng thanh toán từ chối yêu cầu.")


def canonical_string(data: Mapping[str, Any]) -> str:
    parts = []
    for key in sorted(data):
        if key == "signature":
            continue
        value = data[key]
        if value is None:
            text = ""
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = str(value)
        parts.append(f"{quote(str(key), safe='')}={quote(text, safe='')}")
    return "&".join(parts)


def sign(data: Mapping[str, Any], secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.PAYMENT_SECRET).encode("utf-8")
    return hmac.new(key, canonical_string(data).encode("utf-8"), hashlib.sha256).hexdigest()


def verify(data: Mapping[str, Any], signature: str | None) -> bool:
    """True when `signature` is the platform's signature of `data` (constant-time compare)."""
    if not signature or not isinstance(signature, str):
        return False
    return hmac.compare_digest(sign(data), signature.strip().lower())


@dataclass(frozen=True)
class CreatedTransaction:
    transaction_id: str
    pay_url: str


@dataclass(frozen=True)
class TransactionStatus:
    """A signed answer of the platform about one transaction."""

    payload: dict[str, Any]
    signature: str
    signature_ok: bool

    @property
    def status(self) -> str:
        return str(self.payload.get("status", ""))

    @property
    def transaction_id(self) -> str:
        return str(self.payload.get("transaction_id", ""))


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    refunded_at: str
    payload: dict[str, Any]


class PaymentPlatformClient:
    def __init__(self, *, base_url: str | None = None, merchant: str | None = None, timeout: float | None = None):
        self.base_url = (base_url or settings.PAYMENT_PLATFORM_URL).rstrip("/")
        self.merchant = merchant or settings.PAYMENT_MERCHANT_ID
        self.timeout = timeout if timeout is not None else settings.PAYMENT_TIMEOUT_SECONDS

    def _request(self, method: str, path: str, *, body: dict[str, Any] | None = None, signed: dict[str, Any]):
        try:
            response = httpx.request(
                method,
                f"{self.base_url}{path}",
                json=body,
                params={"merchant": self.merchant} if method == "GET" else None,
                headers={"X-Signature": sign(signed), "Accept": "application/json"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as error:
            raise PaymentPlatformUnavailable(detail=None, reason=type(error).__name__) from error
        if response.status_code >= 500 or response.status_code in (401, 403):
            # 401/403: our signature or merchant id is wrong: a configuration problem, not the user's.
            raise PaymentPlatformUnavailable(platform_status=response.status_code)
        return response

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as error:
            raise PaymentPlatformUnavailable(platform_status=response.status_code) from error
        if not isinstance(data, dict):
            raise PaymentPlatformUnavailable(platform_status=response.status_code)
        return data

    def create_transaction(
        self, *, reference: str, amount: int, description: str, return_url: str, callback_url: str
    ) -> CreatedTransaction:
        body = {
            "merchant": self.merchant,
            "reference": reference,
            "amount": amount,
            "description": description,
            "return_url": return_url,
            "callback_url": callback_url,
        }
        response = self._request("POST", "/api/transactions", body=body, signed=body)
        if response.status_code != 201:
            raise PaymentPlatformRefused(platform_status=response.status_code)
        data = self._json(response)
        if not verify(data, response.headers.get("X-Signature")):
            raise PaymentPlatformUnavailable(detail="Cổng thanh toán trả lời không có chữ ký hợp lệ.")
        return CreatedTransaction(transaction_id=str(data["transaction_id"]), pay_url=str(data["pay_url"]))

    def get_status(self, transaction_id: str) -> TransactionStatus | None:
        """The platform's signed answer, or None when it has never heard of the transaction."""
        response = self._request(
            "GET",
            f"/api/transactions/{quote(transaction_id, safe='')}",
            signed={"merchant": self.merchant, "transaction_id": transaction_id},
        )
        if response.status_code == 404:
            return None
        data = self._json(response)
        signature = response.headers.get("X-Signature", "")
        return TransactionStatus(payload=data, signature=signature, signature_ok=verify(data, signature))

    def refund(self, *, transaction_id: str, amount: int, reason: str) -> RefundResult:
        body = {"merchant": self.merchant, "amount": amount, "reason": reason}
        response = self._request(
            "POST", f"/api/transactions/{quote(transaction_id, safe='')}/refund", body=body, signed=body
        )
        data = self._json(response)
        if response.status_code != 200:
            raise PaymentPlatformRefused(detail=str(data.get("detail") or "") or None)
        if not verify(data, response.headers.get("X-Signature")) or data.get("status") != "refunded":
            raise PaymentPlatformUnavailable(detail="Cổng thanh toán trả lời không có chữ ký hợp lệ.")
        return RefundResult(
            refund_id=str(data["refund_id"]), refunded_at=str(data.get("refunded_at", "")), payload=data
        )


def platform_client() -> PaymentPlatformClient:
    """The client for the configured platform (tests change the settings, not this)."""
    return PaymentPlatformClient()
