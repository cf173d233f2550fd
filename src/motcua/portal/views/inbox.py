"""The inbox (hộp thư) and notification settings of a signed-in person.

A person sees only their own notifications (another's id is a 404). The list is newest
first, paginated by keyset (`?truoc=<id>`); opening one marks it read.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core.errors import DomainError, NotFound
from motcua.core.timeutil import format_vn
from motcua.notifications.models import Language
from motcua.notifications.selectors import (
    PAGE_SIZE,
    notification_deliveries,
    notification_preference_get,
    notifications_for_user,
    notifications_unread_count,
)
from motcua.notifications.services import (
    notification_mark_read,
    notification_preferences_update,
    notifications_mark_all_read,
)


def _login(request: HttpRequest) -> HttpResponse:
    return redirect_to_login(request.get_full_path(), reverse("portal:accounts:login"))


@require_http_methods(["GET"])
def inbox(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login(request)
    raw = request.GET.get("truoc", "")
    before = int(raw) if raw.isdigit() and len(raw) < 19 else None
    rows = notifications_for_user(request.user, before=before)
    page, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    items = [
        {
            "id": row.id,
            "title": row.title,
            "dossier_code": row.dossier_code,
            "at": format_vn(row.created_at),
            "unread": row.read_at is None,
        }
        for row in page
    ]
    unread = notifications_unread_count(request.user)
    return render(
        request,
        "portal/inbox/list.html",
        {
            "items": items,
            "unread": unread,
            "inbox_unread": unread,  # the navigation's badge: counted once
            "older": page[-1].id if more and page else None,
            "paged": before is not None,
        },
    )


@require_http_methods(["GET"])
def inbox_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login(request)
    try:
        notification = notification_mark_read(user=request.user, notification_id=notification_id)
    except NotFound as error:
        raise Http404(error.detail) from error
    return render(
        request,
        "portal/inbox/detail.html",
        {
            "notification": notification,
            "at": format_vn(notification.created_at),
            # The e-mail's signature ("--", automatic message, settings link) is not for the inbox.
            "body": notification.body.split("\n--\n", 1)[0],
            "deliveries": notification_deliveries(request.user, notification),
        },
    )


@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login(request)
    notifications_mark_all_read(user=request.user)
    messages.success(request, _("Đã đánh dấu mọi thông báo là đã đọc."))
    return redirect("portal:inbox")


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return _login(request)
    error = ""
    if request.method == "POST":
        try:
            notification_preferences_update(
                user=request.user,
                email=request.POST.get("email") == "on",
                sms=request.POST.get("sms") == "on",
                language=request.POST.get("language", ""),
            )
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(request, _("Đã lưu cách nhận thông báo."))
            return redirect("portal:notification_preferences")
    preference = notification_preference_get(request.user)
    return render(
        request,
        "portal/inbox/preferences.html",
        {
            "preference": preference,
            "languages": Language.choices,
            "email_address": request.user.email,
            "phone": request.user.phone,
            "error": error,
        },
        status=400 if error else 200,
    )
