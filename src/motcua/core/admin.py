"""The kernel in the admin: calendar overrides (announced days off and make-up working days) and
the outbox (inspect what waits or failed, retry it)."""

import json

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.core import outbox
from motcua.core.calendar import CalendarOutOfRange, holiday_name
from motcua.core.models import CalendarOverride, OutboxMessage

_WEEKDAYS = (
    _("Thứ Hai"),
    _("Thứ Ba"),
    _("Thứ Tư"),
    _("Thứ Năm"),
    _("Thứ Sáu"),
    _("Thứ Bảy"),
    _("Chủ nhật"),
)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "weekday", "kind", "public_holiday", "reason"]
    list_filter = ["kind"]
    search_fields = ["reason"]
    date_hierarchy = "day"
    ordering = ["-day"]

    @admin.display(description=_("thứ"))
    def weekday(self, obj: CalendarOverride) -> str:
        return str(_WEEKDAYS[obj.day.weekday()])

    # Shows what the law's calendar says that day, so a redundant or mistaken override stands out.
    @admin.display(description=_("ngày lễ theo luật"))
    def public_holiday(self, obj: CalendarOverride) -> str:
        try:
            return holiday_name(obj.day) or "—"
        except CalendarOutOfRange:
            return "—"


_OUTBOX_FIELDS = (
    "topic",
    "state",
    "idempotency_key",
    "attempts",
    "available_at",
    "last_attempt_at",
    "claimed_until",
    "delivered_at",
    "created_at",
    "error",
    "payload_pretty",
)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only view of the outbox with one action: retry now (dead or waiting messages)."""

    list_display = [
        "id",
        "topic",
        "state",
        "attempts",
        "available_at",
        "last_attempt_at",
        "delivered_at",
        "short_error",
    ]
    list_filter = ["state", "topic"]
    search_fields = ["idempotency_key", "topic"]
    ordering = ["-id"]
    actions = ["retry_now"]
    list_per_page = 50
    show_full_result_count = False  # a large outbox must not cost a COUNT(*) per page
    fields = readonly_fields = _OUTBOX_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        # Read only: the only change is the retry action (which needs the view permission).
        return False

    @admin.display(description=_("lỗi gần nhất"))
    def short_error(self, obj: OutboxMessage) -> str:
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.display(description=_("lỗi gần nhất"))
    def error(self, obj: OutboxMessage) -> str:
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", obj.last_error or "—")

    @admin.display(description=_("nội dung"))
    def payload_pretty(self, obj: OutboxMessage) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, ensure_ascii=False, indent=2))

    @admin.action(description=_("Gửi lại ngay các thông điệp đã chọn"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox.retry_now(queryset.values_list("id", flat=True))
        self.message_user(
            request,
            ngettext(
                "Đã đưa %(count)d thông điệp vào hàng gửi lại.", "Đã đưa %(count)d thông điệp vào hàng gửi lại.", count
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
