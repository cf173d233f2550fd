"""Catalogue management in the Django admin: versions with inline agencies, documents, fees, steps.

Checks: the e-form schema (labels, examples that validate, prefill sources) and that the
steps' time budgets add up to the processing time. To change a procedure that dossiers
already use, make a new version ("Tạo phiên bản mới"), never edit the old one.
"""

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.eforms import check_form_schema, with_field_order
from motcua.catalog.interchange import HOURS_PER_DAY
from motcua.catalog.models import (
    Fee,
    Field,
    OnlineMode,
    Procedure,
    ProcedureAgency,
    ProcedureVersion,
    ProcessStep,
    RequiredDocument,
    Status,
    Synonym,
)
from motcua.catalog.selectors import version_in_use
from motcua.catalog.services import procedure_version_activate, procedure_version_create, procedure_versions_chain
from motcua.core.errors import DomainError


class ProcedureVersionForm(forms.ModelForm):
    class Meta:
        model = ProcedureVersion
        fields = [
            "procedure",
            "name",
            "field",
            "level",
            "status",
            "valid_from",
            "valid_to",
            "all_commune_units",
            "online_mode",
            "processing_days",
            "processing_hours",
            "cutoff_hour",
            "result_type",
            "result_name",
            "applicants",
            "description",
            "result_delivery",
            "keywords",
            "fee_note",
            "legal_basis",
            "form_schema",
            "source",
            "notes",
        ]

    def clean_legal_basis(self):
        value = self.cleaned_data.get("legal_basis") or []
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            raise ValidationError(_('Căn cứ pháp lý là một danh sách JSON các văn bản, ví dụ ["Luật Hộ tịch 2014"].'))
        return value

    def clean(self):
        cleaned = super().clean() or {}
        was_draft = self.instance.pk is not None and self.initial.get("status") == Status.DRAFT
        valid_from = cleaned.get("valid_from")
        if was_draft and cleaned.get("status") == Status.ACTIVE and valid_from and valid_from < timezone.localdate():
            # Those days were served by the version then in force; history must keep saying so.
            self.add_error(
                "valid_from",
                _("Phiên bản mới chỉ được áp dụng từ hôm nay trở đi: hãy sửa ngày hiệu lực hoặc để ở bản nháp."),
            )
        days, hours = cleaned.get("processing_days"), cleaned.get("processing_hours")
        if (days is None) == (hours is None):
            raise ValidationError(_("Nhập đúng một trong hai: thời hạn theo ngày làm việc hoặc theo giờ làm việc."))
        schema = cleaned.get("form_schema") or {}
        if schema or cleaned.get("online_mode") in (OnlineMode.FULL, OnlineMode.PARTIAL):
            problems = check_form_schema(schema)
            if problems:
                self.add_error(
                    "form_schema", [ValidationError(f"{path}: {message}") for path, message in problems[:20]]
                )
            else:
                cleaned["form_schema"] = with_field_order(schema)
        return cleaned


class StepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        total = Decimal(0)
        count = 0
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            total += form.cleaned_data.get("hours") or 0
            count += 1
        version = self.instance
        expected = version.processing_hours or (version.processing_days or 0) * HOURS_PER_DAY
        if count == 0 and version.status == Status.ACTIVE:
            raise ValidationError(_("Thủ tục đang áp dụng phải có quy trình nội bộ (ít nhất một bước)."))
        if count and expected and total != expected:
            raise ValidationError(
                _("Tổng thời gian các bước là %(total)s giờ, phải bằng thời hạn giải quyết %(expected)s giờ làm việc.")
                % {"total": total.normalize(), "expected": expected}
            )


class AgencyInline(admin.TabularInline):
    model = ProcedureAgency
    extra = 0
    raw_id_fields = ["agency"]


class DocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0
    fields = ["order", "code", "name", "copies", "form", "required", "state_data_source", "template_url", "note"]


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0
    fields = ["order", "case", "amount_vnd", "note"]


class StepInline(admin.TabularInline):
    model = ProcessStep
    formset = StepFormSet
    extra = 0
    fields = ["order", "name", "role", "agency", "hours"]
    raw_id_fields = ["agency"]


def _read_only(inline: type[admin.options.InlineModelAdmin]) -> type[admin.options.InlineModelAdmin]:
    """The same inline, shown but not editable (rows can be neither added, changed nor deleted)."""

    class ReadOnly(inline):  # type: ignore[valid-type,misc]
        extra = 0
        can_delete = False

        def has_add_permission(self, request, obj=None):
            return False

        def has_change_permission(self, request, obj=None):
            return False

        def has_delete_permission(self, request, obj=None):
            return False

    ReadOnly.__name__ = f"ReadOnly{inline.__name__}"
    return ReadOnly


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    form = ProcedureVersionForm
    list_display = ["procedure", "name", "field", "level", "online_mode", "status", "valid_from", "valid_to"]
    list_filter = ["status", "online_mode", "level", "field"]
    search_fields = ["procedure__code", "name", "keywords"]
    list_select_related = ["procedure", "field"]
    raw_id_fields = ["procedure"]
    inlines = [AgencyInline, DocumentInline, FeeInline, StepInline]
    actions = ["make_new_version", "activate_drafts"]
    fieldsets = (
        (None, {"fields": ("procedure", "name", "field", "level", "status", ("valid_from", "valid_to"))}),
        (
            _("Thực hiện"),
            {
                "fields": (
                    "all_commune_units",
                    "online_mode",
                    ("processing_days", "processing_hours", "cutoff_hour"),
                    ("result_type", "result_name"),
                )
            },
        ),
        (
            _("Thông tin cho người dân"),
            {"fields": ("applicants", "description", "result_delivery", "keywords", "fee_note", "legal_basis")},
        ),
        (_("Tờ khai điện tử"), {"fields": ("form_schema",)}),
        (_("Nguồn"), {"fields": ("source", "notes"), "classes": ("collapse",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        # A version dossiers were received under keeps its rules; only closing it stays possible.
        if obj is not None and version_in_use(obj):
            editable = {"valid_to", "status"}
            return [f.name for f in ProcedureVersion._meta.fields if f.name not in editable]
        return super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        if obj is not None and version_in_use(obj):
            return self._readonly_inlines()
        return super().get_inlines(request, obj)

    def _readonly_inlines(self):
        return [_read_only(inline) for inline in (AgencyInline, DocumentInline, FeeInline, StepInline)]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"status", "valid_from", "valid_to"} & set(form.changed_data):
            # A version put in force (or abolished, or moved) closes the one before it; a draft closes nothing.
            procedure_versions_chain(procedure_code=obj.procedure.code)

    @admin.action(description=_("Áp dụng phiên bản nháp (phiên bản trước kết thúc vào ngày trước đó)"))
    def activate_drafts(self, request, queryset):
        for version in queryset.select_related("procedure").order_by("procedure__code", "valid_from"):
            try:
                activated = procedure_version_activate(version_id=version.pk)
            except DomainError as exc:
                self.message_user(request, f"{version.procedure.code}: {exc.detail}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(code)s: phiên bản từ %(day)s đã được áp dụng.")
                    % {"code": activated.code, "day": f"{activated.valid_from:%d/%m/%Y}"},
                )

    @admin.action(description=_("Tạo phiên bản mới (bản nháp, hiệu lực từ ngày mai)"))
    def make_new_version(self, request, queryset):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        for version in queryset.select_related("procedure"):
            try:
                procedure_version_create(
                    procedure_code=version.procedure.code, valid_from=tomorrow, changes={"status": Status.DRAFT}
                )
            except DomainError as exc:
                self.message_user(request, f"{version.procedure.code}: {exc.detail}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _(
                        "%(code)s: đã tạo phiên bản nháp từ %(day)s. Phiên bản đang áp dụng giữ nguyên "
                        "cho đến khi bản nháp được áp dụng."
                    )
                    % {"code": version.procedure.code, "day": f"{tomorrow:%d/%m/%Y}"},
                )


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    fields = ("name", "status", "valid_from", "valid_to", "online_mode")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "popularity", "created_at"]
    search_fields = ["code", "versions__name"]
    inlines = [VersionInline]


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["term", "expansion", "updated_at"]
    search_fields = ["term", "expansion"]
