"""The national payment platform's stand-in (Cổng thanh toán tập trung, mô phỏng).

The protocol MotCua speaks with it (and that `motcua.payments.client` implements):

* Every message is a flat JSON object (or a query string) signed with HMAC-SHA256 over the
  canonical string `key=value&key=value…` — keys sorted, `signature` left out, keys and values
  percent-encoded (RFC 3986, nothing safe), `None` as empty, booleans as `true`/`false` — with
  the merchant's shared secret; the hex digest travels in the `X-Signature` header (or in a
  `signature` query parameter on the browser's return).
* `POST /payment/api/transactions` {merchant, reference, amount, description, return_url,
  callback_url} → 201 {transaction_id, pay_url, status: "pending", expires_in}.
* `GET /payment/pay/<id>`: the payer's page with three buttons (pay / fail / abandon). The
  choice sends the signed callback (POST callback_url, JSON, `X-Signature`) and redirects the
  browser to return_url with signed query parameters {transaction_id, reference, amount,
  status, signature}.
* `GET /payment/api/transactions/<id>?merchant=…` → the transaction (signed response);
  statuses pending, success, failed, cancelled, expired (nobody paid within the TTL), refunded.
* `POST /payment/api/transactions/<id>/refund` {merchant, amount, reason} → {refund_id, …};
  idempotent.
* Requests from the merchant are signed the same way (`X-Signature` over the JSON body, or
  over {merchant, transaction_id} for the status query).

Switches for tests: `POST /payment/_control` with any of {"callbacks": "normal" | "drop" |
"duplicate" | "delay", "delay_seconds": n, "ttl_seconds": n, "api": "normal" | "down"};
`GET /payment/_control` shows the switches, every transaction and every callback sent;
`POST /payment/_control/reset` forgets everything.
"""

import hashlib
import hmac
import html
import json
import logging
import os
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from simulators import Request, Response

logger = logging.getLogger("simulators.payment")

# DEVELOPMENT ONLY: the same default as motcua.settings; production uses the real platform.
DEVELOPMENT_SECRET = "motcua-development-payment-secret-NOT-FOR-PRODUCTION"
DEFAULT_MERCHANT = "MOTCUA-HCM"
CALLBACK_MODES = ("normal", "drop", "duplicate", "delay")
STATUSES = ("pending", "success", "failed", "cancelled", "expired", "refunded")


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


def sign(data: Mapping[str, Any], secret: str) -> str:
    return hmac.new(secret.encode("utf-8"), canonical_string(data).encode("utf-8"), hashlib.sha256).hexdigest()


def verify(data: Mapping[str, Any], signature: str, secret: str) -> bool:
    return bool(signature) and hmac.compare_digest(sign(data, secret), signature)


def secret_from_environment() -> str:
    file_name = os.environ.get("PAYMENT_SECRET_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get("PAYMENT_SECRET") or DEVELOPMENT_SECRET


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


@dataclass
class Transaction:
    id: str
    merchant: str
    reference: str
    amount: int
    description: str
    return_url: str
    callback_url: str
    created_at: float
    ttl_seconds: float
    status: str = "pending"
    paid_at: str = ""
    refund_id: str = ""
    refunded_at: str = ""
    refund_reason: str = ""

    def refresh(self, now: float) -> None:
        if self.status == "pending" and now > self.created_at + self.ttl_seconds:
            self.status = "expired"

    def public(self) -> dict[str, Any]:
        """What the platform tells the merchant (callbacks and status answers)."""
        return {
            "merchant": self.merchant,
            "transaction_id": self.id,
            "reference": self.reference,
            "amount": self.amount,
            "status": self.status,
            "paid_at": self.paid_at,
        }


@dataclass
class Control:
    callbacks: str = "normal"
    delay_seconds: float = 2.0
    ttl_seconds: float = 900.0
    api: str = "normal"


@dataclass
class PaymentSimulator:
    secret: str = field(default_factory=secret_from_environment)
    merchant: str = field(default_factory=lambda: os.environ.get("PAYMENT_MERCHANT_ID", DEFAULT_MERCHANT))
    name: str = "payment"

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.control = Control()
            self.transactions: dict[str, Transaction] = {}
            self.callbacks_sent: list[dict[str, Any]] = []
            self.status_queries = 0
            self.refund_requests = 0

    # --- routing --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        parts = [part for part in request.path.split("/") if part]
        method = request.method
        if parts[:1] == ["_control"]:
            if parts == ["_control", "reset"] and method == "POST":
                self.reset()
                return Response.json({"reset": True})
            if parts == ["_control"] and method == "POST":
                return self._set_control(request)
            if parts == ["_control"] and method == "GET":
                return Response.json(self.snapshot())
        if parts[:1] == ["api"]:
            if self.control.api == "down":
                return Response.json({"error": "unavailable", "detail": "Cổng thanh toán đang bảo trì."}, 503)
            if parts == ["api", "transactions"] and method == "POST":
                return self._create(request)
            if len(parts) == 3 and parts[1] == "transactions" and method == "GET":
                return self._status(request, parts[2])
            if len(parts) == 4 and parts[1] == "transactions" and parts[3] == "refund" and method == "POST":
                return self._refund(request, parts[2])
        if len(parts) == 2 and parts[0] == "pay":
            if method == "GET":
                return self._pay_page(request, parts[1])
            if method == "POST":
                return self._pay(request, parts[1])
        if not parts and method == "GET":
            return Response.json({"simulator": "payment", "merchant": self.merchant})
        return Response.json({"error": "not_found"}, 404)

    # --- the merchant API -----------------------------------------------------------------

    def _signed(self, data: dict[str, Any], status: int = 200) -> Response:
        return Response.json(data, status, headers={"X-Signature": sign(data, self.secret)})

    def _authenticated(self, data: Mapping[str, Any], request: Request) -> bool:
        return verify(data, request.headers.get("x-signature", ""), self.secret) and data.get("merchant") == (
            self.merchant
        )

    def _create(self, request: Request) -> Response:
        try:
            data = request.json()
        except (ValueError, UnicodeDecodeError):
            return Response.json({"error": "bad_request", "detail": "JSON không hợp lệ."}, 400)
        if not isinstance(data, dict) or not self._authenticated(data, request):
            return Response.json({"error": "unauthorized", "detail": "Chữ ký hoặc mã đơn vị không đúng."}, 401)
        try:
            amount = int(data["amount"])
            reference = str(data["reference"])
            return_url, callback_url = str(data["return_url"]), str(data["callback_url"])
        except (KeyError, TypeError, ValueError):
            return Response.json({"error": "bad_request", "detail": "Thiếu thông tin giao dịch."}, 400)
        if amount <= 0 or not reference or not _is_http_url(return_url) or not _is_http_url(callback_url):
            return Response.json({"error": "bad_request", "detail": "Thông tin giao dịch không hợp lệ."}, 400)
        with self._lock:
            transaction = Transaction(
                id="TX" + secrets.token_hex(8).upper(),
                merchant=self.merchant,
                reference=reference,
                amount=amount,
                description=str(data.get("description") or "")[:300],
                return_url=return_url,
                callback_url=callback_url,
                created_at=time.time(),
                ttl_seconds=self.control.ttl_seconds,
            )
            self.transactions[transaction.id] = transaction
        return self._signed(
            {
                "transaction_id": transaction.id,
                "pay_url": f"{request.base_url}/pay/{transaction.id}",
                "status": "pending",
                "expires_in": int(transaction.ttl_seconds),
            },
            201,
        )

    def _status(self, request: Request, transaction_id: str) -> Response:
        merchant = request.query.get("merchant", "")
        if not self._authenticated({"merchant": merchant, "transaction_id": transaction_id}, request):
            return Response.json({"error": "unauthorized"}, 401)
        with self._lock:
            self.status_queries += 1
            transaction = self.transactions.get(transaction_id)
            if transaction is None:
                return Response.json({"error": "not_found", "detail": "Không có giao dịch này."}, 404)
            transaction.refresh(time.time())
            data = transaction.public()
        return self._signed(data)

    def _refund(self, request: Request, transaction_id: str) -> Response:
        try:
            data = request.json()
        except (ValueError, UnicodeDecodeError):
            return Response.json({"error": "bad_request"}, 400)
        if not isinstance(data, dict) or not self._authenticated(data, request):
            return Response.json({"error": "unauthorized"}, 401)
        with self._lock:
            self.refund_requests += 1
            transaction = self.transactions.get(transaction_id)
            if transaction is None:
                return Response.json({"error": "not_found"}, 404)
            if transaction.status not in ("success", "refunded"):
                return Response.json(
                    {"error": "not_refundable", "detail": "Giao dịch chưa thanh toán thành công."}, 409
                )
            if str(data.get("amount")) != str(transaction.amount):
                return Response.json({"error": "bad_request", "detail": "Số tiền hoàn không khớp."}, 400)
            if transaction.status == "success":
                transaction.status = "refunded"
                transaction.refund_id = "RF" + secrets.token_hex(6).upper()
                transaction.refunded_at = _now_iso()
                transaction.refund_reason = str(data.get("reason") or "")[:500]
            answer = {
                "transaction_id": transaction.id,
                "refund_id": transaction.refund_id,
                "status": "refunded",
                "amount": transaction.amount,
                "refunded_at": transaction.refunded_at,
            }
        return self._signed(answer)

    # --- the payer's pages ----------------------------------------------------------------

    def _pay_page(self, request: Request, transaction_id: str) -> Response:
        with self._lock:
            transaction = self.transactions.get(transaction_id)
            if transaction is not None:
                transaction.refresh(time.time())
        if transaction is None:
            return Response.html(_page("Không tìm thấy giao dịch", "<p>Giao dịch không tồn tại.</p>"), 404)
        if transaction.status != "pending":
            return Response.html(_page("Giao dịch đã kết thúc", _closed_text(transaction)), 409)
        esc = html.escape
        body = f"""
<dl>
  <dt>Đơn vị nhận tiền</dt><dd>{esc(transaction.merchant)}</dd>
  <dt>Mã thanh toán</dt><dd>{esc(transaction.reference)}</dd>
  <dt>Nội dung</dt><dd>{esc(transaction.description)}</dd>
  <dt>Số tiền</dt><dd class="amount">{esc(_vnd(transaction.amount))}</dd>
</dl>
<form method="post" action="{esc(request.base_url)}/pay/{esc(transaction.id)}">
  <button type="submit" name="action" value="pay" class="primary">Thanh toán</button>
  <button type="submit" name="action" value="fail">Giả lập thanh toán thất bại</button>
  <button type="submit" name="action" value="abandon">Huỷ giao dịch, quay lại</button>
</form>
<p class="note">Đây là cổng thanh toán mô phỏng dùng để thử nghiệm; không có tiền thật được chuyển.</p>"""
        return Response.html(_page("Thanh toán phí, lệ phí", body))

    def _pay(self, request: Request, transaction_id: str) -> Response:
        action = request.form().get("action", "")
        outcome = {"pay": "success", "fail": "failed", "abandon": "cancelled"}.get(action)
        if outcome is None:
            return Response.html(_page("Yêu cầu không hợp lệ", "<p>Hãy chọn một nút trên trang.</p>"), 400)
        with self._lock:
            transaction = self.transactions.get(transaction_id)
            if transaction is None:
                return Response.html(_page("Không tìm thấy giao dịch", "<p>Giao dịch không tồn tại.</p>"), 404)
            transaction.refresh(time.time())
            if transaction.status != "pending":
                return Response.html(_page("Giao dịch đã kết thúc", _closed_text(transaction)), 409)
            transaction.status = outcome
            if outcome == "success":
                transaction.paid_at = _now_iso()
            payload = transaction.public()
            mode, delay = self.control.callbacks, self.control.delay_seconds
            callback_url, return_url = transaction.callback_url, transaction.return_url
        self._send_callbacks(callback_url, payload, mode=mode, delay=delay)
        query = {k: payload[k] for k in ("transaction_id", "reference", "amount", "status")}
        query["signature"] = sign(query, self.secret)
        separator = "&" if urlsplit(return_url).query else "?"
        return Response.redirect(f"{return_url}{separator}{urlencode(query)}")

    # --- callbacks ------------------------------------------------------------------------

    def _send_callbacks(self, url: str, payload: dict[str, Any], *, mode: str, delay: float) -> None:
        if mode == "drop":
            self._record_callback(url, payload, http_status=None, error="dropped by the test switch")
        elif mode == "delay":
            timer = threading.Timer(delay, self.deliver_callback, args=(url, payload))
            timer.daemon = True
            timer.start()
        else:
            self.deliver_callback(url, payload)
            if mode == "duplicate":
                self.deliver_callback(url, payload)

    def deliver_callback(self, url: str, payload: dict[str, Any], *, attempts: int = 3) -> int | None:
        """POST the signed callback; retried on connection errors and 5xx, as platforms do."""
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json", "X-Signature": sign(payload, self.secret)}
        status: int | None = None
        for attempt in range(attempts):
            error = ""
            try:
                request = urllib.request.Request(url, data=body, headers=headers, method="POST")
                with urllib.request.urlopen(request, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as http_error:
                status = http_error.code
                error = http_error.read().decode("utf-8", "replace")[:500]
            except OSError as os_error:
                status, error = None, str(os_error)
            self._record_callback(url, payload, http_status=status, error=error)
            if status is not None and status < 500:
                return status
            time.sleep(0.3 * (attempt + 1))
        return status

    def _record_callback(self, url: str, payload: dict[str, Any], *, http_status: int | None, error: str) -> None:
        with self._lock:
            self.callbacks_sent.append(
                {
                    "at": _now_iso(),
                    "url": url,
                    "transaction_id": payload.get("transaction_id"),
                    "status": payload.get("status"),
                    "http_status": http_status,
                    "error": error,
                }
            )

    # --- switches -------------------------------------------------------------------------

    def _set_control(self, request: Request) -> Response:
        try:
            data = request.json() or {}
        except (ValueError, UnicodeDecodeError):
            return Response.json({"error": "bad_request"}, 400)
        if not isinstance(data, dict):
            return Response.json({"error": "bad_request"}, 400)
        with self._lock:
            if "callbacks" in data:
                if data["callbacks"] not in CALLBACK_MODES:
                    return Response.json({"error": "bad_request", "detail": f"callbacks: {CALLBACK_MODES}"}, 400)
                self.control.callbacks = data["callbacks"]
            if "api" in data:
                if data["api"] not in ("normal", "down"):
                    return Response.json({"error": "bad_request", "detail": "api: normal | down"}, 400)
                self.control.api = data["api"]
            for key in ("delay_seconds", "ttl_seconds"):
                if key in data:
                    setattr(self.control, key, max(0.0, float(data[key])))
            return Response.json(asdict(self.control))

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            now = time.time()
            for transaction in self.transactions.values():
                transaction.refresh(now)
            return {
                "control": asdict(self.control),
                "transactions": {key: asdict(value) for key, value in self.transactions.items()},
                "callbacks": list(self.callbacks_sent),
                "status_queries": self.status_queries,
                "refund_requests": self.refund_requests,
            }


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _closed_text(transaction: Transaction) -> str:
    texts = {
        "success": "Giao dịch này đã được thanh toán.",
        "failed": "Giao dịch này đã thất bại. Hãy quay lại cổng dịch vụ công để thanh toán lại.",
        "cancelled": "Giao dịch này đã bị huỷ. Hãy quay lại cổng dịch vụ công để thanh toán lại.",
        "expired": "Giao dịch đã hết hạn. Hãy quay lại cổng dịch vụ công để tạo giao dịch mới.",
        "refunded": "Giao dịch này đã được hoàn tiền.",
    }
    return f"<p>{html.escape(texts.get(transaction.status, 'Giao dịch đã kết thúc.'))}</p>"


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · Cổng thanh toán (mô phỏng)</title>
<style>
body {{ font-family: "Noto Sans", system-ui, sans-serif; max-width: 34rem; margin: 0 auto; padding: 1rem;
       line-height: 1.5; color: #1a1a1a; }}
header {{ border-bottom: 3px solid #0b5394; margin-bottom: 1rem; }}
dt {{ color: #555; font-size: .9rem; }} dd {{ margin: 0 0 .6rem; font-weight: 600; }}
.amount {{ font-size: 1.5rem; color: #0b5394; }}
button {{ display: block; width: 100%; margin: .5rem 0; padding: .8rem; font-size: 1rem; border-radius: .4rem;
          border: 1px solid #0b5394; background: #fff; color: #0b5394; cursor: pointer; }}
button.primary {{ background: #0b5394; color: #fff; }}
.note {{ font-size: .85rem; color: #555; }}
</style></head>
<body><header><p><strong>Cổng thanh toán tập trung</strong> (mô phỏng)</p></header>
<main><h1>{html.escape(title)}</h1>{body}</main></body></html>"""
