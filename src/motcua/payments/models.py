"""Fees of a dossier: invoices, the attempts to pay them online, and every message about them.

An `Invoice` is what an officer asks the applicant to pay (one fee case of the procedure
version the dossier was received under). Each time the applicant goes to the payment
platform a `PaymentAttempt` (one platform transaction) is made; every callback, browser
return and status answer is kept as a `PaymentCallback`, forged ones included, so the
money trail can be audited. `services.py` is the only writer.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InvoiceState(models.TextChoices):
    CREATED = "created", _("Chờ thanh toán")
    STARTED = "started", _("Đang thanh toán")
    SUCCESS = "success", _("Đã thanh toán")
    FAILED = "failed", _("Thanh toán không thành công")
    CANCELLED = "cancelled", _("Đã huỷ thanh toán")
    EXPIRED = "expired", _("Giao dịch hết hạn")
    REFUNDED = "refunded", _("Đã hoàn trả")


# Not yet paid: the applicant may (still or again) pay these.
UNPAID_STATES = frozenset({InvoiceState.CREATED, InvoiceState.FAILED, InvoiceState.CANCELLED, InvoiceState.EXPIRED})
PAID_STATES = frozenset({InvoiceState.SUCCESS, InvoiceState.REFUNDED})


class PaymentChannel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    COUNTER = "counter", _("Tại quầy")


class Invoice(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="invoices")
    # <dossier code>-P<n>: what the applicant quotes and the platform's merchant reference.
    reference = models.CharField(_("mã thanh toán"), max_length=80, unique=True)
    number = models.PositiveSmallIntegerField(_("lần yêu cầu"))
    fee_case = models.CharField(_("trường hợp thu"), max_length=300)
    amount_vnd = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    # [{"name", "case", "amount_vnd", "note"}]: copied from the fee schedule when issued.
    items = models.JSONField(_("các khoản thu"), default=list)
    state = models.CharField(_("trạng thái"), max_length=10, choices=InvoiceState.choices, default=InvoiceState.CREATED)
    channel = models.CharField(_("hình thức nộp"), max_length=8, choices=PaymentChannel.choices, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"))
    started_at = models.DateTimeField(_("bắt đầu thanh toán lúc"), null=True, blank=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    expired_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    # The platform transaction of the current (or the paying) attempt.
    platform_transaction_id = models.CharField(_("mã giao dịch"), max_length=64, blank=True)
    counter_receipt_number = models.CharField(_("số biên lai tại quầy"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.ForeignKey(
        "dossiers.DossierDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    refunded_at = models.DateTimeField(_("hoàn trả lúc"), null=True, blank=True)
    refund_reason = models.TextField(_("lý do hoàn trả"), blank=True)
    refund_id = models.CharField(_("mã hoàn trả"), max_length=64, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("khoản phí, lệ phí")
        verbose_name_plural = _("khoản phí, lệ phí")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "number"], name="invoice_dossier_number"),
        ]
        indexes = [
            # The invoices of a dossier, newest first.
            models.Index(fields=["dossier", "-number"], name="invoice_dossier"),
            # Reconciliation: started and not settled, oldest first.
            models.Index(fields=["started_at"], condition=Q(state="started"), name="invoice_reconcile_scan"),
            # Indicator 3.6 (paid online / with a fee) over a period.
            models.Index(fields=["paid_at", "channel"], condition=Q(paid_at__isnull=False), name="invoice_paid"),
        ]

    def __str__(self) -> str:
        return self.reference


class AttemptState(models.TextChoices):
    CREATING = "creating", _("Đang tạo giao dịch")
    PENDING = "pending", _("Chờ người nộp thanh toán")
    SUCCESS = "success", _("Thành công")
    FAILED = "failed", _("Thất bại")
    CANCELLED = "cancelled", _("Người nộp huỷ")
    EXPIRED = "expired", _("Hết hạn")
    ERROR = "error", _("Lỗi kết nối cổng thanh toán")


class PaymentAttempt(models.Model):
    """One transaction at the payment platform; an invoice may need several (retry after a failure)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    transaction_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    pay_url = models.URLField(max_length=500, blank=True)
    return_url = models.URLField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=AttemptState.choices, default=AttemptState.CREATING)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        constraints = [models.UniqueConstraint(fields=["invoice", "number"], name="attempt_invoice_number")]

    def __str__(self) -> str:
        return f"{self.invoice_id}#{self.number} {self.transaction_id or ''}"


class CallbackSource(models.TextChoices):
    CALLBACK = "callback", _("Thông báo từ cổng thanh toán")
    RETURN = "return", _("Trình duyệt quay về")
    STATUS = "status", _("Tra cứu trạng thái")
    REFUND = "refund", _("Hoàn tiền")


class CallbackOutcome(models.TextChoices):
    APPLIED = "applied", _("Đã ghi nhận")
    DUPLICATE = "duplicate", _("Trùng, không thay đổi")
    PENDING = "pending", _("Chưa có kết quả")
    FORGED = "forged", _("Chữ ký sai, từ chối")
    MISMATCH = "mismatch", _("Không khớp hoá đơn, từ chối")
    UNKNOWN = "unknown", _("Không có giao dịch này")
    IGNORED = "ignored", _("Đến muộn, bỏ qua")
    DOUBLE_PAYMENT = "double_payment", _("Thanh toán hai lần, cần hoàn tiền")
    RECEIVED = "received", _("Đã nhận")


class PaymentCallback(models.Model):
    """Every message about a payment, as received, before anything is decided on it."""

    source = models.CharField(max_length=10, choices=CallbackSource.choices)
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks")
    transaction_id = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=80, blank=True)
    payload = models.JSONField(default=dict)
    signature = models.CharField(max_length=200, blank=True)
    signature_ok = models.BooleanField()
    outcome = models.CharField(max_length=16, choices=CallbackOutcome.choices, default=CallbackOutcome.RECEIVED)
    detail = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        verbose_name = _("thông báo thanh toán")
        verbose_name_plural = _("thông báo thanh toán")
        indexes = [
            models.Index(fields=["invoice", "received_at"], name="callback_invoice"),
            models.Index(fields=["transaction_id"], name="callback_transaction"),
            models.Index(fields=["received_at"], condition=Q(signature_ok=False), name="callback_forged"),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.transaction_id or self.reference} {self.outcome}"
