"""The calendar overrides in the admin: announced days off and make-up working days."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from motcua.core.calendar import CalendarOutOfRange, holiday_name
from motcua.core.models import CalendarOverride

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
