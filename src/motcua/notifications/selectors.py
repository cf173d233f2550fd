"""Reads of notifications, always for the acting user: nobody sees another person's inbox."""

from django.db.models import QuerySet

from motcua.accounts.models import User
from motcua.notifications.models import Delivery, Notification, NotificationPreference

PAGE_SIZE = 20


def notification_preference_get(user: User) -> NotificationPreference:
    """The user's choices, or the defaults (unsaved) when they never chose."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def notifications_for_user(user: User, *, before: int | None = None, limit: int = PAGE_SIZE) -> list[Notification]:
    """The user's inbox, newest first, keyset-paginated on id (`before`: the last id seen).

    Returns up to `limit + 1` rows so the caller knows whether there is a next page.
    """
    rows: QuerySet[Notification] = Notification.objects.filter(recipient=user)
    if before is not None:
        rows = rows.filter(id__lt=before)
    return list(rows.order_by("-id").only("id", "event", "title", "dossier_code", "created_at", "read_at")[: limit + 1])


def notification_get_for_user(user: User, notification_id: int) -> Notification | None:
    return Notification.objects.filter(pk=notification_id, recipient=user).first()


def notifications_unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_deliveries(user: User, notification: Notification) -> list[Delivery]:
    """How one of the user's notifications went out (e-mail, SMS), for the message page."""
    if notification.recipient_id != user.pk:
        return []
    return list(Delivery.objects.filter(notification=notification).order_by("channel"))
