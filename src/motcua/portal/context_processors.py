"""Template context every page may use: the unread count for the "Hộp thư" link."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from motcua.notifications.selectors import notifications_unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """`inbox_unread`: one COUNT over a partial index, run only if a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread": 0}
    return {"inbox_unread": SimpleLazyObject(lambda: notifications_unread_count(user))}
