"""Notifications: the in-app inbox, each person's channel choices, and the record of every send.

A notification is written once per event and person (a unique dedupe key built from the
outbox key), then each channel (e-mail, SMS) is sent by its own outbox message, so a
failing SMS gateway never makes the e-mail go out twice. `Delivery` says what happened.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    VI = "vi", "Tiếng Việt"
    EN = "en", "English"


class Notification(models.Model):
    """One message in a person's inbox (hộp thư), rendered in their language when written."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(_("sự kiện"), max_length=40)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.VI)
    title = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"))
    sms_text = models.CharField(max_length=400, blank=True)
    link = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=60, blank=True)
    # The outbox key (plus the recipient): a redelivered message never writes a second notification.
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [
            # The inbox, newest first (keyset on id).
            models.Index(fields=["recipient", "-id"], name="notification_inbox"),
            # The unread badge: a count over a small partial index.
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How a person wants to be told; no row means the defaults (e-mail and SMS on, Vietnamese)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("gửi thư điện tử"), default=True)
    sms = models.BooleanField(_("gửi tin nhắn SMS"), default=True)
    language = models.CharField(_("ngôn ngữ"), max_length=2, choices=Language.choices, default=Language.VI)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cài đặt thông báo")
        verbose_name_plural = _("cài đặt thông báo")

    def __str__(self) -> str:
        return f"{self.user_id}: email={self.email} sms={self.sms} {self.language}"


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi, sẽ thử lại")
    DEAD = "dead", _("Gửi lỗi, đã ngừng thử")


class Delivery(models.Model):
    """One channel's send of one notification: its state, tries, last error and the provider's id."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    # Where it went (an e-mail address or a phone number), as it was when queued.
    address = models.CharField(max_length=254)
    status = models.CharField(max_length=6, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lần gửi thông báo")
        verbose_name_plural = _("các lần gửi thông báo")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_notification_channel"),
        ]
        indexes = [
            # Operators' view of what is failing, newest first.
            models.Index(fields=["status", "-id"], name="delivery_status"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel}: {self.status}"
