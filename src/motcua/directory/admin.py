"""Back-office administration of agencies (effective-dated, with successors) and service centres."""

from datetime import date
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.timeutil import local_date
from motcua.directory.models import Agency, AgencySuccession, Counter, ServiceCentre
from motcua.directory.services import agency_normalise_names, agency_sync_principal_link


class ValidityFilter(admin.SimpleListFilter):
    title = _("hiệu lực")
    parameter_name = "validity"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [
            ("active", _("Đang hoạt động")),
            ("dissolved", _("Đã giải thể, sáp nhập")),
            ("future", _("Chưa có hiệu lực")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Agency]) -> QuerySet[Agency]:
        today: date = local_date(timezone.now())
        if self.value() == "active":
            return queryset.active_on(today)  # type: ignore[attr-defined]
        if self.value() == "dissolved":
            return queryset.filter(valid_to__lt=today)
        if self.value() == "future":
            return queryset.filter(valid_from__gt=today)
        return queryset


class SuccessionInline(admin.TabularInline):
    model = AgencySuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name = _("cơ quan kế thừa")
    verbose_name_plural = _("các cơ quan kế thừa (khi giải thể, chia tách, sáp nhập)")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "successor", "valid_from", "valid_to"]
    list_filter = ["level", ValidityFilter]
    # name_folded lets officers search without diacritics ("ben thanh").
    search_fields = ["code", "name", "short_name", "name_folded", "division_code"]
    list_select_related = ["parent", "successor"]
    autocomplete_fields = ["parent", "successor"]
    readonly_fields = ["name_folded"]
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "name_folded", "level", "parent", "division_code")}),
        (_("Hiệu lực và kế thừa"), {"fields": ("valid_from", "valid_to", "successor")}),
        (_("Liên hệ"), {"fields": ("address", "phone", "email", "working_hours")}),
    )
    inlines = [SuccessionInline]

    def save_model(self, request: HttpRequest, obj: Agency, form: object, change: bool) -> None:
        agency_normalise_names(agency=obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: object, formsets: object, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        agency_sync_principal_link(agency=form.instance)  # type: ignore[attr-defined]


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    fields = ["number", "name", "services", "active"]


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "agency", "issues_queue_numbers", "active"]
    list_filter = ["active", "issues_queue_numbers"]
    search_fields = ["code", "name", "agency__name", "agency__code"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    inlines = [CounterInline]
