"""Fees of a dossier: invoices, paying online through the national payment platform, paying
at the counter, receipts and refunds. The only code that changes the payments tables.

Online payment: `payment_start` opens a transaction at the platform and returns the URL the
browser goes to. The outcome then arrives in any order, any number of times, or never:
the platform's signed callback (`payment_callback`), the browser's signed return
(`payment_return`, which asks the platform when the callback has not come yet), and the
periodic `payments_reconcile`, which asks the platform about payments started long ago that
never got an answer. All three go through `_apply_status`, which locks the invoice and is
idempotent: the first success settles the invoice, puts the dossier back from status 6
(`pay`, the clock resumes) and issues the electronic receipt; anything after it changes
nothing. Every message is recorded as a `PaymentCallback`, forged ones included.
"""

import logging
import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.accounts.models import User
from motcua.catalog.models import Fee, ProcedureVersion
from motcua.core import outbox
from motcua.core.errors import BadInput, Conflict, DomainError, NotFound, PermissionDenied, StaleVersion
from motcua.core.text import normalize
from motcua.dossiers.files import file_store_generated
from motcua.dossiers.lifecycle import PAY_ONLINE, Role, Status
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.selectors import dossier_get_for_user, dossier_roles_of
from motcua.dossiers.services import append_system_event, dossier_act_payment
from motcua.payments.client import PaymentPlatformUnavailable, platform_client, verify
from motcua.payments.models import (
    PAID_STATES,
    AttemptState,
    CallbackOutcome,
    CallbackSource,
    Invoice,
    InvoiceState,
    PaymentAttempt,
    PaymentCallback,
    PaymentChannel,
)
from motcua.payments.money import format_vnd
from motcua.payments.receipt import receipt_name, signed_receipt_pdf

logger = logging.getLogger(__name__)

RECEIPT_TOPIC = "payments.receipt"
# A start that crashed between "creating" and the platform's answer is abandoned after this.
CREATING_TIMEOUT = timedelta(minutes=2)
_FINAL_ATTEMPT = {
    "failed": AttemptState.FAILED,
    "cancelled": AttemptState.CANCELLED,
    "expired": AttemptState.EXPIRED,
}


# --- invoices ---------------------------------------------------------------------------------


def _pick_fee(version: ProcedureVersion, fee_case: str | int | None) -> Fee:
    fees = list(version.fees.all())
    if fee_case is None or fee_case == "":
        fee = next((fee for fee in fees if fee.amount_vnd > 0), None)
        if fee is None:
            raise Conflict("Thủ tục này không thu phí, lệ phí (biểu phí không có khoản nào phải nộp).")
        return fee
    wanted = str(fee_case).strip()
    for fee in fees:
        if (wanted.isdigit() and int(wanted) == fee.pk) or normalize(fee.case).casefold() == normalize(
            wanted
        ).casefold():
            if fee.amount_vnd <= 0:
                raise Conflict("Trường hợp được chọn không phải nộp phí, lệ phí.")
            return fee
    raise BadInput("Không có trường hợp thu phí này trong biểu phí của thủ tục.", fields={"fee_case": "unknown"})


def invoice_create_for_dossier(
    *, dossier: Dossier, fee_case: str | int | None = None, actor: User | None = None, now: datetime | None = None
) -> Invoice:
    """The invoice of a dossier waiting for payment (status 6), from its procedure version's fees.

    `fee_case` is a `Fee` id or its case text; by default the first case with an amount.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).select_related("procedure_version").get(pk=dossier.pk)
        if locked.status != Status.PAYMENT_DUE:
            raise Conflict("Hồ sơ không ở trạng thái chờ thực hiện nghĩa vụ tài chính.")
        open_invoice = locked.invoices.exclude(state__in=PAID_STATES).first()
        if open_invoice is not None:
            raise Conflict(f"Hồ sơ đã có khoản phí chưa thanh toán (mã {open_invoice.reference}).")
        fee = _pick_fee(locked.procedure_version, fee_case)
        last = locked.invoices.order_by("-number").values_list("number", flat=True).first() or 0
        number = last + 1
        return Invoice.objects.create(
            dossier=locked,
            reference=f"{locked.code}-P{number}",
            number=number,
            fee_case=fee.case,
            amount_vnd=fee.amount_vnd,
            items=[
                {
                    "name": f"Phí, lệ phí: {locked.procedure_version.name}"[:300],
                    "case": fee.case,
                    "amount_vnd": fee.amount_vnd,
                    "note": fee.note,
                }
            ],
            requested_by=actor,
            created_at=now,
        )


def dossier_request_payment(
    *,
    actor: User,
    code: str,
    version: int | None,
    note: str = "",
    fee_case: str | int | None = None,
    now: datetime | None = None,
) -> Invoice:
    """An officer asks for the fee: the dossier goes to status 6 (clock paused) and gets an invoice,
    in one transaction (no invoice, no status change)."""
    dossier = dossier_get_for_user(actor, code)
    fee = _pick_fee(dossier.procedure_version, fee_case)
    note = note or f"Phí, lệ phí phải nộp: {format_vnd(fee.amount_vnd)} ({fee.case})."
    with transaction.atomic():
        dossier = dossier_act_payment(
            actor=actor, code=code, action="request_payment", version=version, note=note, now=now
        )
        return invoice_create_for_dossier(dossier=dossier, fee_case=fee.pk, actor=actor, now=now)


def _current_attempt(invoice: Invoice) -> PaymentAttempt | None:
    return PaymentAttempt.objects.filter(invoice_id=invoice.pk).order_by("-number").first()


def _callback_url() -> str:
    return settings.PAYMENT_CALLBACK_URL or settings.SITE_URL.rstrip("/") + "/api/v1/payments/callback"


# --- paying online ----------------------------------------------------------------------------


def payment_start(*, invoice: Invoice, return_url: str, actor: User | None = None, now: datetime | None = None) -> str:
    """Open a transaction at the payment platform; returns the URL to send the payer's browser to.

    With `actor`, only the dossier's applicant may pay. A payment already under way is
    resumed (its page again) when the platform says it is still pending.
    """
    now = now or timezone.now()
    invoice = Invoice.objects.select_related("dossier").get(pk=invoice.pk)
    if actor is not None and invoice.dossier.applicant_id != actor.pk:
        raise PermissionDenied("Chỉ người nộp hồ sơ mới thanh toán trực tuyến khoản phí này.")
    if invoice.state in PAID_STATES:
        raise Conflict("Khoản phí này đã được thanh toán.")
    if invoice.state == InvoiceState.STARTED:
        attempt = _current_attempt(invoice)
        if (
            attempt is not None
            and attempt.state == AttemptState.CREATING
            and attempt.created_at > now - CREATING_TIMEOUT
        ):
            raise Conflict("Đang kết nối cổng thanh toán, vui lòng chờ giây lát rồi thử lại.")
        if attempt is not None and attempt.transaction_id and attempt.state == AttemptState.PENDING:
            _ask_platform(invoice, attempt, now=now)
            invoice.refresh_from_db()
            if invoice.state in PAID_STATES:
                raise Conflict("Khoản phí này đã được thanh toán.")
            attempt.refresh_from_db()
            if invoice.state == InvoiceState.STARTED and attempt.state == AttemptState.PENDING:
                return attempt.pay_url
    if invoice.dossier.status != Status.PAYMENT_DUE:
        raise Conflict("Hồ sơ không còn ở trạng thái chờ đóng phí, lệ phí.")

    with transaction.atomic():
        locked = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
        current = _current_attempt(locked)
        if locked.state in PAID_STATES:
            raise Conflict("Khoản phí này đã được thanh toán.")
        if locked.state == InvoiceState.STARTED:
            if current is not None and current.state == AttemptState.PENDING:
                raise Conflict("Khoản phí đang được thanh toán; vui lòng tải lại trang.")
            if current is not None and current.state == AttemptState.CREATING:
                current.state, current.error, current.finished_at = AttemptState.ERROR, "abandoned while creating", now
                current.save(update_fields=["state", "error", "finished_at"])
        previous = (locked.state if locked.state != InvoiceState.STARTED else InvoiceState.FAILED, locked.started_at)
        attempt = PaymentAttempt.objects.create(
            invoice=locked, number=(current.number + 1) if current else 1, return_url=return_url, created_at=now
        )
        locked.state, locked.started_at, locked.platform_transaction_id = InvoiceState.STARTED, now, ""
        locked.save(update_fields=["state", "started_at", "platform_transaction_id", "updated_at"])

    try:
        created = platform_client().create_transaction(
            reference=invoice.reference,
            amount=invoice.amount_vnd,
            description=f"Nộp phí, lệ phí hồ sơ {invoice.dossier.code}",
            return_url=return_url,
            callback_url=_callback_url(),
        )
    except DomainError as error:
        with transaction.atomic():
            attempt.state, attempt.error, attempt.finished_at = AttemptState.ERROR, str(error.detail)[:500], now
            attempt.save(update_fields=["state", "error", "finished_at"])
            Invoice.objects.filter(pk=invoice.pk, state=InvoiceState.STARTED).update(
                state=previous[0], started_at=previous[1]
            )
        raise
    with transaction.atomic():
        attempt.transaction_id, attempt.pay_url, attempt.state = (
            created.transaction_id,
            created.pay_url,
            AttemptState.PENDING,
        )
        attempt.save(update_fields=["transaction_id", "pay_url", "state"])
        Invoice.objects.filter(pk=invoice.pk, state=InvoiceState.STARTED).update(
            platform_transaction_id=created.transaction_id
        )
    return created.pay_url


def _flat(payload: Any) -> dict[str, Any]:
    """A flat JSON object of reasonable size that every database can store as it came."""

    def fits(value: Any) -> bool:
        if value is None or isinstance(value, bool):
            return True
        if isinstance(value, int):
            return abs(value) < 10**18
        if isinstance(value, float):
            return math.isfinite(value)
        return isinstance(value, str) and len(value) <= 2000 and "\x00" not in value

    if (
        not isinstance(payload, dict)
        or len(payload) > 50
        or not all(isinstance(key, str) and len(key) <= 100 and "\x00" not in key for key in payload)
        or not all(fits(value) for value in payload.values())
    ):
        raise BadInput("Thông báo thanh toán phải là một đối tượng JSON phẳng, gồm các giá trị đơn.")
    return dict(payload)


def payment_callback(*, payload: dict[str, Any], signature: str, now: datetime | None = None) -> str:
    """The platform's callback: recorded, verified (HMAC-SHA256), then applied once.

    Returns the outcome (`applied`, `duplicate`, `pending`, `ignored`, `double_payment`).
    A forged one is recorded and refused with PermissionDenied; nothing else changes. Call it
    outside any transaction, so the record survives the refusal.
    """
    now = now or timezone.now()
    payload = _flat(payload)
    signature = (signature or "").strip()
    signature_ok = verify(payload, signature)
    transaction_id = str(payload.get("transaction_id") or "")[:64]
    reference = str(payload.get("reference") or "")[:80]
    attempt = (
        PaymentAttempt.objects.select_related("invoice").filter(transaction_id=transaction_id).first()
        if transaction_id
        else None
    )
    invoice = attempt.invoice if attempt else Invoice.objects.filter(reference=reference).first()
    record = PaymentCallback.objects.create(
        source=CallbackSource.CALLBACK,
        invoice=invoice,
        transaction_id=transaction_id,
        reference=reference,
        payload=payload,
        signature=signature[:200],
        signature_ok=signature_ok,
        received_at=now,
    )
    if not signature_ok:
        _finish(record, CallbackOutcome.FORGED, "HMAC signature does not match")
        logger.warning("forged payment callback refused (record %s, reference %r)", record.pk, reference)
        raise PermissionDenied("Chữ ký của thông báo thanh toán không hợp lệ; thông báo bị từ chối.")
    return _apply_signed(record, payload, attempt=attempt, invoice=invoice, now=now)


def payment_return(*, invoice: Invoice, query: Any, now: datetime | None = None) -> Invoice:
    """The payer's browser is back from the platform with signed query parameters.

    The parameters are recorded and verified; the platform is then asked (status API) if
    the callback has not settled the invoice yet. If the platform cannot be reached, a
    correctly signed return is applied as it is. Returns the invoice as it now stands.
    """
    now = now or timezone.now()
    data = {str(key): str(value) for key, value in query.items()}
    signature = data.pop("signature", "")
    query_ok = False
    record: PaymentCallback | None = None
    attempt: PaymentAttempt | None = None
    if data or signature:
        query_ok = verify(data, signature)
        transaction_id = data.get("transaction_id", "")[:64]
        attempt = PaymentAttempt.objects.filter(invoice=invoice, transaction_id=transaction_id).first()
        record = PaymentCallback.objects.create(
            source=CallbackSource.RETURN,
            invoice=invoice,
            transaction_id=transaction_id,
            reference=data.get("reference", "")[:80],
            payload=data,
            signature=signature[:200],
            signature_ok=query_ok,
            received_at=now,
        )
        if not query_ok:
            _finish(record, CallbackOutcome.FORGED, "HMAC signature does not match")
            logger.warning("forged payment return for %s (record %s)", invoice.reference, record.pk)
            attempt = None
        elif attempt is None or data.get("reference") != invoice.reference:
            _finish(record, CallbackOutcome.MISMATCH, "transaction or reference is not this invoice's")
            query_ok, attempt = False, None
    invoice = Invoice.objects.get(pk=invoice.pk)
    if invoice.state == InvoiceState.STARTED:
        asked = attempt or _current_attempt(invoice)
        if asked is not None and asked.transaction_id:
            try:
                _ask_platform(invoice, asked, now=now)
                if record is not None and query_ok:
                    _finish(record, CallbackOutcome.RECEIVED, "answered through the status API")
            except PaymentPlatformUnavailable:
                if record is not None and query_ok:
                    try:
                        _apply_signed(record, data, attempt=asked, invoice=invoice, now=now, check_merchant=False)
                    except DomainError as error:
                        logger.error("payment return %s not applied: %s", record.pk, error.detail)
            except DomainError as error:  # a mismatching answer: recorded; the page shows the invoice as it is
                logger.error("status of %s not applied: %s", invoice.reference, error.detail)
    elif record is not None and query_ok:
        _finish(record, CallbackOutcome.DUPLICATE, "already settled")
    return Invoice.objects.select_related("dossier").get(pk=invoice.pk)


def _ask_platform(invoice: Invoice, attempt: PaymentAttempt, *, now: datetime) -> str:
    """Ask the platform about one transaction and apply its signed answer."""
    assert attempt.transaction_id
    answer = platform_client().get_status(attempt.transaction_id)
    if answer is None:
        record = PaymentCallback.objects.create(
            source=CallbackSource.STATUS,
            invoice=invoice,
            transaction_id=attempt.transaction_id,
            reference=invoice.reference,
            payload={},
            signature_ok=True,
            received_at=now,
        )
        # The platform never heard of it (lost, or wiped): the attempt is over, nobody paid.
        outcome = _apply_status(invoice_id=invoice.pk, attempt_id=attempt.pk, status="failed", paid_at=None, now=now)
        _finish(record, outcome, "unknown at the platform")
        return outcome
    record = PaymentCallback.objects.create(
        source=CallbackSource.STATUS,
        invoice=invoice,
        transaction_id=answer.transaction_id[:64],
        reference=str(answer.payload.get("reference", ""))[:80],
        payload=answer.payload,
        signature=answer.signature[:200],
        signature_ok=answer.signature_ok,
        received_at=now,
    )
    if not answer.signature_ok:
        _finish(record, CallbackOutcome.FORGED, "status answer without a valid signature")
        raise PaymentPlatformUnavailable("Cổng thanh toán trả lời không có chữ ký hợp lệ.")
    return _apply_signed(record, answer.payload, attempt=attempt, invoice=invoice, now=now)


def _finish(record: PaymentCallback, outcome: str, detail: str = "") -> None:
    record.outcome, record.detail = outcome, detail[:500]
    record.save(update_fields=["outcome", "detail"])


def _apply_signed(
    record: PaymentCallback,
    payload: dict[str, Any],
    *,
    attempt: PaymentAttempt | None,
    invoice: Invoice | None,
    now: datetime,
    check_merchant: bool = True,
) -> str:
    """Check a correctly signed message against our invoice, then apply it."""
    if attempt is None or invoice is None or attempt.invoice_id != invoice.pk:
        _finish(record, CallbackOutcome.UNKNOWN, "no such transaction")
        raise NotFound("Không có giao dịch thanh toán này.")
    problems = []
    if check_merchant and payload.get("merchant") != settings.PAYMENT_MERCHANT_ID:
        problems.append("merchant")
    if str(payload.get("transaction_id", "")) != attempt.transaction_id:
        problems.append("transaction_id")
    if str(payload.get("reference", "")) != invoice.reference:
        problems.append("reference")
    if str(payload.get("amount", "")) != str(invoice.amount_vnd):
        problems.append("amount")
    status = str(payload.get("status", ""))
    if status not in ("pending", "success", "failed", "cancelled", "expired", "refunded"):
        problems.append("status")
    if problems:
        _finish(record, CallbackOutcome.MISMATCH, "does not match the invoice: " + ", ".join(problems))
        logger.error("payment message %s does not match invoice %s: %s", record.pk, invoice.reference, problems)
        raise BadInput("Thông báo thanh toán không khớp với khoản phí.", fields=dict.fromkeys(problems, "mismatch"))
    paid_at = parse_datetime(str(payload.get("paid_at") or "")) if payload.get("paid_at") else None
    if paid_at is not None and paid_at.tzinfo is None:
        paid_at = None
    outcome = _apply_status(invoice_id=invoice.pk, attempt_id=attempt.pk, status=status, paid_at=paid_at, now=now)
    _finish(record, outcome)
    return outcome


def _apply_status(*, invoice_id: int, attempt_id: int, status: str, paid_at: datetime | None, now: datetime) -> str:
    """The one place a platform outcome changes an invoice: locked, idempotent."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice_id)
        attempt = PaymentAttempt.objects.select_for_update(of=("self",)).get(pk=attempt_id)
        if status == "pending":
            return CallbackOutcome.PENDING
        if status in ("success", "refunded"):
            if invoice.state in PAID_STATES:
                if (
                    invoice.channel == PaymentChannel.ONLINE
                    and invoice.platform_transaction_id == attempt.transaction_id
                ):
                    return CallbackOutcome.DUPLICATE
                if attempt.state != AttemptState.SUCCESS:
                    attempt.state, attempt.finished_at = AttemptState.SUCCESS, now
                    attempt.save(update_fields=["state", "finished_at"])
                logger.error(
                    "invoice %s paid twice (transaction %s): refund it", invoice.reference, attempt.transaction_id
                )
                return CallbackOutcome.DOUBLE_PAYMENT
            if status == "refunded":
                return CallbackOutcome.IGNORED
            attempt.state, attempt.finished_at = AttemptState.SUCCESS, now
            attempt.save(update_fields=["state", "finished_at"])
            invoice.state, invoice.channel = InvoiceState.SUCCESS, PaymentChannel.ONLINE
            invoice.paid_at = paid_at or now
            invoice.platform_transaction_id = attempt.transaction_id or ""
            invoice.save(update_fields=["state", "channel", "paid_at", "platform_transaction_id", "updated_at"])
            _resume_dossier(
                invoice,
                actor=None,
                now=now,
                note=(
                    f"Đã thanh toán trực tuyến {format_vnd(invoice.amount_vnd)} "
                    f"(mã thanh toán {invoice.reference}, mã giao dịch {invoice.platform_transaction_id})."
                ),
            )
            _enqueue_receipt(invoice)
            transaction.on_commit(lambda: _issue_receipt_quietly(invoice_id))
            return CallbackOutcome.APPLIED
        final = _FINAL_ATTEMPT[status]
        if attempt.state == final:
            return CallbackOutcome.DUPLICATE
        if attempt.state not in (AttemptState.PENDING, AttemptState.CREATING):
            return CallbackOutcome.IGNORED
        attempt.state, attempt.finished_at = final, now
        attempt.save(update_fields=["state", "finished_at"])
        if invoice.state == InvoiceState.STARTED and invoice.platform_transaction_id == attempt.transaction_id:
            invoice.state = InvoiceState(status)
            if status == "expired":
                invoice.expired_at = now
            invoice.save(update_fields=["state", "expired_at", "updated_at"])
        return CallbackOutcome.APPLIED


def _resume_dossier(
    invoice: Invoice, *, actor: User | None, now: datetime, note: str, version: int | None = None
) -> bool:
    """`pay`: the dossier leaves status 6 for where it was and its clock runs again.

    The only way out of status 6: a paid invoice, named in the event."""
    dossier = Dossier.objects.only("id", "code", "status").get(pk=invoice.dossier_id)
    if dossier.status != Status.PAYMENT_DUE:
        logger.warning(
            "invoice %s paid while dossier %s is in status %s", invoice.reference, dossier.code, dossier.status
        )
        return False
    dossier_act_payment(
        actor=actor,
        code=dossier.code,
        action="pay",
        version=version,
        note=note,
        data={"reference": invoice.reference, "amount_vnd": invoice.amount_vnd, "channel": invoice.channel},
        now=now,
    )
    return True


# --- receipts ---------------------------------------------------------------------------------


def _enqueue_receipt(invoice: Invoice) -> None:
    # The receipt is made right after commit; the outbox makes sure it is made even if that fails.
    outbox.enqueue(topic=RECEIPT_TOPIC, payload={"invoice": invoice.pk}, key=f"payments:{invoice.reference}:receipt")


def invoice_issue_receipt(*, invoice: Invoice) -> DossierDocument:
    """The electronic receipt of a paid invoice, attached to the dossier once (idempotent)."""
    with transaction.atomic():
        locked = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related(
                "dossier", "dossier__procedure", "dossier__procedure_version", "dossier__current_agency__parent"
            )
            .get(pk=invoice.pk)
        )
        if locked.receipt_id is not None:
            return DossierDocument.objects.get(pk=locked.receipt_id)
        if locked.state not in PAID_STATES or locked.paid_at is None:
            raise Conflict("Chỉ lập biên lai cho khoản phí đã thanh toán.")
        pdf = signed_receipt_pdf(locked)  # signed by the collecting agency, as the forms are
        stored = file_store_generated(owner=None, name=f"bien-lai-{locked.reference}.pdf", content=pdf)
        document = DossierDocument.objects.create(
            dossier=locked.dossier,
            kind=DossierDocument.Kind.NOTICE,
            name=receipt_name(locked),
            file=stored,
            signed=True,
        )
        locked.receipt = document
        locked.save(update_fields=["receipt", "updated_at"])
        return document


def _issue_receipt_quietly(invoice_id: int) -> None:
    try:
        invoice_issue_receipt(invoice=Invoice(pk=invoice_id))
    except Exception:  # the payment stands; the outbox message retries the receipt
        logger.exception("receipt of invoice %s not made now; the outbox will retry", invoice_id)


def receipt_outbox_handler(payload: dict[str, Any], key: str) -> None:
    invoice_issue_receipt(invoice=Invoice.objects.get(pk=payload["invoice"]))


# --- reconciliation ---------------------------------------------------------------------------


def payments_reconcile(*, older_than_minutes: int | None = None, now: datetime | None = None, limit: int = 200) -> int:
    """Ask the platform about payments started long ago that never got an answer; settle them.

    Run it every few minutes (`motcua.payments.tasks.payments_reconcile_task`, or from a
    periodic loop). Returns how many invoices changed.
    """
    now = now or timezone.now()
    minutes = settings.PAYMENT_RECONCILE_AFTER_MINUTES if older_than_minutes is None else older_than_minutes
    cutoff = now - timedelta(minutes=minutes)
    ids = list(
        Invoice.objects.filter(state=InvoiceState.STARTED, started_at__lte=cutoff)
        .order_by("started_at")
        .values_list("id", flat=True)[:limit]
    )
    changed = 0
    for invoice_id in ids:
        invoice = Invoice.objects.get(pk=invoice_id)
        attempt = _current_attempt(invoice)
        if attempt is None or not attempt.transaction_id:
            # The start never reached the platform (crash in between): nobody can pay it.
            with transaction.atomic():
                if attempt is not None and attempt.state == AttemptState.CREATING:
                    attempt.state, attempt.error, attempt.finished_at = AttemptState.ERROR, "never created", now
                    attempt.save(update_fields=["state", "error", "finished_at"])
                changed += Invoice.objects.filter(pk=invoice_id, state=InvoiceState.STARTED).update(
                    state=InvoiceState.FAILED
                )
            continue
        try:
            outcome = _ask_platform(invoice, attempt, now=now)
        except DomainError as error:
            logger.warning("reconciliation of %s postponed: %s", invoice.reference, error.detail)
            continue
        if outcome == CallbackOutcome.APPLIED:
            changed += 1
    return changed


# --- at the counter, and refunds --------------------------------------------------------------


def dossier_pay_at_counter(
    *, actor: User, code: str, version: int | None, receipt_number: str, now: datetime | None = None
) -> Invoice:
    """The dossier's `pay` action taken by an officer: records its open invoice as paid at the desk.

    The applicant is refused (403, `forbidden`): their fee is settled by paying online.
    """
    dossier = dossier_get_for_user(actor, code)
    roles = dossier_roles_of(actor, dossier)
    if Role.RECEIVER not in roles:
        if Role.APPLICANT in roles:
            raise PermissionDenied(PAY_ONLINE)
        raise PermissionDenied(
            "Chỉ cán bộ tiếp nhận và trả kết quả của cơ quan đang giải quyết hồ sơ mới ghi nhận nộp phí tại quầy."
        )
    if version is not None and version != dossier.version:
        raise StaleVersion(current_version=dossier.version)
    invoice = Invoice.objects.filter(dossier=dossier).exclude(state__in=PAID_STATES).order_by("-number").first()
    if invoice is None:
        raise Conflict(
            "Hồ sơ không có khoản phí nào chờ thanh toán."
            if dossier.status == Status.PAYMENT_DUE
            else "Hồ sơ không ở trạng thái chờ đóng phí, lệ phí."
        )
    return payment_record_at_counter(
        actor=actor, invoice=invoice, receipt_number=receipt_number, version=version, now=now
    )


def payment_record_at_counter(
    *, actor: User, invoice: Invoice, receipt_number: str, version: int | None = None, now: datetime | None = None
) -> Invoice:
    """A one-stop officer (receiver of the dossier's agency) records a fee paid in cash or by card at the desk.

    With `version`, the dossier must still be at that version (409 otherwise), as for any action.
    """
    now = now or timezone.now()
    receipt_number = normalize(receipt_number or "").strip()[:60]
    if not receipt_number:
        raise BadInput("Vui lòng nhập số biên lai thu tại quầy.", fields={"receipt_number": "required"})
    dossier = dossier_get_for_user(actor, Dossier.objects.only("code").get(pk=invoice.dossier_id).code)
    if Role.RECEIVER not in dossier_roles_of(actor, dossier):
        raise PermissionDenied(
            "Chỉ cán bộ tiếp nhận và trả kết quả của cơ quan đang giải quyết hồ sơ mới ghi nhận nộp phí tại quầy."
        )
    invoice = Invoice.objects.get(pk=invoice.pk)
    if invoice.state == InvoiceState.STARTED:
        attempt = _current_attempt(invoice)
        if attempt is not None and attempt.transaction_id and attempt.state == AttemptState.PENDING:
            _ask_platform(invoice, attempt, now=now)
            invoice.refresh_from_db()
            attempt.refresh_from_db()
            if attempt.state == AttemptState.PENDING:
                raise Conflict(
                    "Người nộp đang thanh toán trực tuyến khoản phí này. Vui lòng chờ kết quả (tối đa 15 phút) "
                    "trước khi thu tại quầy."
                )
    with transaction.atomic():
        locked = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
        if locked.state in PAID_STATES:
            raise Conflict("Khoản phí này đã được thanh toán.")
        if dossier.status != Status.PAYMENT_DUE:
            raise Conflict("Hồ sơ không ở trạng thái chờ đóng phí, lệ phí.")
        locked.state, locked.channel, locked.paid_at = InvoiceState.SUCCESS, PaymentChannel.COUNTER, now
        locked.counter_receipt_number, locked.recorded_by = receipt_number, actor
        locked.save()
        _resume_dossier(
            locked,
            actor=actor,
            now=now,
            note=f"Đã nộp {format_vnd(locked.amount_vnd)} phí, lệ phí tại quầy (biên lai số {receipt_number}).",
            version=version,
        )
        _enqueue_receipt(locked)
        transaction.on_commit(lambda: _issue_receipt_quietly(locked.pk))
    return Invoice.objects.get(pk=invoice.pk)


REFUNDABLE_DOSSIER_STATUSES = frozenset({Status.REFUSED, Status.STOPPED})


def invoice_refund(*, actor: User, invoice: Invoice, reason: str, now: datetime | None = None) -> Invoice:
    """Give a paid fee back when the dossier was refused or stopped (receiver or leader of its agency).

    Online payments are refunded through the platform; counter payments are recorded as
    paid back at the desk.
    """
    now = now or timezone.now()
    reason = normalize(reason or "").strip()
    if not reason:
        raise BadInput("Vui lòng ghi rõ lý do hoàn trả.", fields={"reason": "required"})
    dossier = dossier_get_for_user(actor, Dossier.objects.only("code").get(pk=invoice.dossier_id).code)
    if not dossier_roles_of(actor, dossier) & {Role.RECEIVER, Role.LEADER}:
        raise PermissionDenied("Chỉ cán bộ một cửa hoặc lãnh đạo cơ quan giải quyết hồ sơ mới hoàn trả phí, lệ phí.")
    invoice = Invoice.objects.get(pk=invoice.pk)
    if invoice.state == InvoiceState.REFUNDED:
        raise Conflict("Khoản phí này đã được hoàn trả.")
    if invoice.state != InvoiceState.SUCCESS:
        raise Conflict("Chỉ hoàn trả khoản phí đã thanh toán.")
    if dossier.status not in REFUNDABLE_DOSSIER_STATUSES:
        raise Conflict("Chỉ hoàn trả phí, lệ phí khi hồ sơ không được tiếp nhận hoặc đã dừng giải quyết.")
    refund_id = ""
    if invoice.channel == PaymentChannel.ONLINE:
        result = platform_client().refund(
            transaction_id=invoice.platform_transaction_id, amount=invoice.amount_vnd, reason=reason[:500]
        )
        refund_id = result.refund_id
        PaymentCallback.objects.create(
            source=CallbackSource.REFUND,
            invoice=invoice,
            transaction_id=invoice.platform_transaction_id,
            reference=invoice.reference,
            payload=result.payload,
            signature_ok=True,
            outcome=CallbackOutcome.APPLIED,
            received_at=now,
        )
    with transaction.atomic():
        # Invoice first, then dossier: the order every payment path locks them in.
        locked = Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)
        locked_dossier = (
            Dossier.objects.select_for_update(of=("self",)).select_related("current_agency").get(pk=dossier.pk)
        )
        if locked.state == InvoiceState.REFUNDED:
            return locked
        locked.state, locked.refunded_at, locked.refund_reason = InvoiceState.REFUNDED, now, reason
        locked.refund_id, locked.refunded_by = refund_id, actor
        locked.save()
        append_system_event(
            locked_dossier,
            action="refund",
            title="Hoàn trả phí, lệ phí đã nộp",
            at=now,
            data={
                "reference": locked.reference,
                "amount_vnd": locked.amount_vnd,
                "channel": locked.channel,
                "refund_id": refund_id,
                "by": actor.username,
            },
        )
    return locked
