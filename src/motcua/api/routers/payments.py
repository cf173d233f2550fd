"""Fees over HTTP: the payment platform's callback, a dossier's invoices, starting a payment,
and the officer's counter payment and refund. Mounted at /api/v1/payments."""

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from motcua.api.auth import signed_in
from motcua.api.ratelimit import rate_limit
from motcua.core.errors import BadInput
from motcua.payments.models import Invoice
from motcua.payments.money import format_vnd
from motcua.payments.selectors import invoice_get_for_user, invoice_list_for_dossier
from motcua.payments.services import invoice_refund, payment_callback, payment_record_at_counter, payment_start

router = Router()


class CallbackOut(Schema):
    result: str = Field(..., description="applied | duplicate | pending | ignored | double_payment")


class InvoiceItemOut(Schema):
    name: str
    case: str
    amount_vnd: int


class InvoiceOut(Schema):
    reference: str
    dossier_code: str
    state: str = Field(..., description="created | started | success | failed | cancelled | expired | refunded")
    state_name: str
    channel: str = Field(..., description="online | counter, or empty before payment")
    fee_case: str
    amount_vnd: int
    amount_text: str = Field(..., description="ví dụ 1.500.000 đ")
    items: list[InvoiceItemOut]
    created_at: datetime
    started_at: datetime | None
    paid_at: datetime | None
    expired_at: datetime | None
    refunded_at: datetime | None
    receipt_document_id: int | None
    pay_page_url: str


class InvoiceListOut(Schema):
    items: list[InvoiceOut]


class InvoiceFilter(Schema):
    dossier: str = Field(..., max_length=60, description="mã hồ sơ")


class StartOut(Schema):
    redirect_url: str


class UnavailableOut(Schema):
    error: str = Field(..., description="payment_platform_unavailable")
    detail: str


class CounterIn(Schema):
    receipt_number: str = Field(..., min_length=1, max_length=60, description="số biên lai thu tại quầy")


class RefundIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


def _out(request: HttpRequest, invoice: Invoice) -> dict[str, Any]:
    return {
        "reference": invoice.reference,
        "dossier_code": invoice.dossier.code,
        "state": invoice.state,
        "state_name": invoice.get_state_display(),
        "channel": invoice.channel,
        "fee_case": invoice.fee_case,
        "amount_vnd": invoice.amount_vnd,
        "amount_text": format_vnd(invoice.amount_vnd),
        "items": [
            {"name": item.get("name", ""), "case": item.get("case", ""), "amount_vnd": int(item.get("amount_vnd", 0))}
            for item in invoice.items
        ],
        "created_at": invoice.created_at,
        "started_at": invoice.started_at,
        "paid_at": invoice.paid_at,
        "expired_at": invoice.expired_at,
        "refunded_at": invoice.refunded_at,
        "receipt_document_id": invoice.receipt_id,
        "pay_page_url": request.build_absolute_uri(reverse("portal:payment", args=[invoice.reference])),
    }


_CALLBACK_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "description": "flat JSON object signed by the platform (HMAC-SHA256 in X-Signature)",
                "properties": {
                    "merchant": {"type": "string"},
                    "transaction_id": {"type": "string"},
                    "reference": {"type": "string"},
                    "amount": {"type": "integer"},
                    "status": {"type": "string", "enum": ["pending", "success", "failed", "cancelled", "expired"]},
                    "paid_at": {"type": "string"},
                },
                "additionalProperties": {"type": ["string", "integer", "number", "boolean", "null"]},
            }
        }
    },
}


@router.post(
    "/callback",
    auth=None,
    response=CallbackOut,
    summary="Thông báo kết quả từ cổng thanh toán",
    openapi_extra={
        "requestBody": _CALLBACK_BODY,
        "parameters": [
            {"name": "X-Signature", "in": "header", "required": True, "schema": {"type": "string"}},
        ],
    },
)
def callback(request: HttpRequest) -> dict[str, str]:
    """Public, authenticated by the HMAC-SHA256 signature in `X-Signature` over the JSON body.

    Idempotent: the same notification again answers `duplicate` and changes nothing. A
    forged one is refused with 403 and recorded.
    """
    rate_limit(request, scope="payments-callback", limit=600)
    try:
        payload = json.loads(request.body.decode("utf-8") or "null")
    except (ValueError, UnicodeDecodeError) as error:
        raise BadInput("Nội dung thông báo không phải JSON hợp lệ.") from error
    return {"result": payment_callback(payload=payload, signature=request.headers.get("X-Signature", ""))}


@router.get("/invoices", auth=signed_in, response=InvoiceListOut, summary="Các khoản phí của một hồ sơ")
def invoices(request: HttpRequest, filters: Query[InvoiceFilter]) -> dict[str, Any]:
    return {
        "items": [
            _out(request, invoice) for invoice in invoice_list_for_dossier(request.user, dossier_code=filters.dossier)
        ]
    }


@router.post(
    "/invoices/{reference}/start",
    auth=signed_in,
    response={200: StartOut, 503: UnavailableOut},
    summary="Bắt đầu thanh toán trực tuyến",
)
def start(request: HttpRequest, reference: str) -> dict[str, str]:
    """Owner only: opens a transaction at the payment platform; send the browser to `redirect_url`."""
    invoice = invoice_get_for_user(request.user, reference)
    return_url = request.build_absolute_uri(reverse("portal:payment_result", args=[invoice.reference]))
    return {"redirect_url": payment_start(invoice=invoice, return_url=return_url, actor=request.user)}


@router.post("/invoices/{reference}/counter", auth=signed_in, response=InvoiceOut, summary="Ghi nhận nộp tại quầy")
def counter(request: HttpRequest, reference: str, data: CounterIn) -> dict[str, Any]:
    """The dossier agency's one-stop officer records a fee paid at the desk."""
    invoice = invoice_get_for_user(request.user, reference)
    invoice = payment_record_at_counter(actor=request.user, invoice=invoice, receipt_number=data.receipt_number)
    return _out(request, invoice)


@router.post(
    "/invoices/{reference}/refund",
    auth=signed_in,
    response={200: InvoiceOut, 503: UnavailableOut},
    summary="Hoàn trả phí, lệ phí",
)
def refund(request: HttpRequest, reference: str, data: RefundIn) -> dict[str, Any]:
    """Receiver or leader of the dossier's agency, once the dossier is refused or stopped."""
    invoice = invoice_get_for_user(request.user, reference)
    return _out(request, invoice_refund(actor=request.user, invoice=invoice, reason=data.reason))
