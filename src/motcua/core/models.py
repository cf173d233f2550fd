"""The kernel's own small tables: gap-free daily counters and calendar overrides."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailySequence(models.Model):
    """A counter per scope and day (e.g. dossier numbers of one agency on one day)."""

    scope = models.CharField(max_length=100)
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "day"], name="core_dailysequence_scope_day")]

    def __str__(self) -> str:
        return f"{self.scope} {self.day}: {self.value}"


class CalendarOverride(models.Model):
    """A day whose working status differs from the law's default calendar.

    The government announces swapped days off and make-up working Saturdays each year;
    they are data, entered in the admin, not code.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "off", _("Ngày nghỉ (thêm)")
        WORKING_DAY = "work", _("Ngày làm việc (bù)")

    day = models.DateField(unique=True, verbose_name=_("ngày"))
    kind = models.CharField(max_length=4, choices=Kind.choices, verbose_name=_("loại"))
    reason = models.CharField(max_length=255, blank=True, verbose_name=_("lý do / văn bản"))

    class Meta:
        ordering = ["day"]
        verbose_name = _("ngày nghỉ/làm bù")
        verbose_name_plural = _("lịch nghỉ/làm bù")

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} – {self.get_kind_display()}"


class OutboxMessage(models.Model):
    """A side effect (notice, national-portal sync, …) written in the same transaction as the
    change that causes it, and delivered after commit by a worker: a crash between the two
    neither loses nor duplicates it (the idempotency key travels to the receiver)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        DELIVERED = "delivered", _("Đã gửi")
        DEAD = "dead", _("Gửi lỗi, cần xử lý")

    topic = models.CharField(_("chủ đề"), max_length=100)
    payload = models.JSONField(_("nội dung"), default=dict)
    idempotency_key = models.CharField(_("khoá chống trùng"), max_length=160, unique=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    available_at = models.DateTimeField(_("gửi lại từ"))
    delivered_at = models.DateTimeField(_("đã gửi lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    # A worker claims a message before sending it (claim_token, claimed_until) so that two
    # workers never send it at once; a claim left by a killed worker expires and is retaken.
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("lần thử gần nhất"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông điệp chờ gửi")
        verbose_name_plural = _("hàng đợi gửi đi (outbox)")
        indexes = [
            models.Index(fields=["state", "available_at"], name="outbox_due"),
            models.Index(fields=["topic", "state"], name="outbox_topic_state"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.get_state_display()})"
