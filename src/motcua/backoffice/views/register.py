"""The dossier register (Sổ theo dõi hồ sơ, form 07) of an agency, for its one-stop officers and
leaders: a period picker, the register as a table (keyset pages in order of receipt) and the same
register as one PDF signed by the agency.

Thin: the form parses the period; `dossiers.register` decides who may read which agency's register
(404 for another agency, 403 for a role without it) and reads it; `dossiers.forms` renders and signs
the PDF.
"""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from motcua.backoffice.views.common import officer_required
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.core.timeutil import format_vn, local_date
from motcua.dossiers.forms import register_export_pdf
from motcua.dossiers.register import (
    register_agencies_for_user,
    register_agency_for_user,
    register_page,
    register_period,
)

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE_ERROR = gettext_lazy("Ngày chưa đúng. Hãy chọn ngày trên lịch hoặc gõ theo dạng ngày/tháng/năm, ví dụ 05/01/2026.")


class PeriodForm(forms.Form):
    co_quan = forms.ChoiceField(label=gettext_lazy("Cơ quan"))
    tu = forms.DateField(
        label=gettext_lazy("Từ ngày"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": DATE_ERROR, "invalid": DATE_ERROR},
    )
    den = forms.DateField(
        label=gettext_lazy("Đến ngày"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": DATE_ERROR, "invalid": DATE_ERROR},
    )

    def __init__(self, *args: Any, agencies: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["co_quan"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(agency.code, agency.name) for agency in agencies]
        field.error_messages["invalid_choice"] = _("Hãy chọn một cơ quan trong danh sách.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("tu") and data.get("den"):
            try:
                register_period(data["tu"], data["den"])
            except DomainError as exc:
                self.add_error("den" if "den" in exc.fields else "tu", exc.detail)
        return data


def _form(request: HttpRequest) -> PeriodForm:
    agencies = register_agencies_for_user(request.user)
    code = request.GET.get("co_quan", "")
    known = {agency.code for agency in agencies}
    if code and code not in known:
        # Another agency's register: let the selector say 404 (not yours) or 403 (not your role).
        _check_foreign(request, code)
    if not agencies:
        raise DjangoPermissionDenied
    today = local_date(timezone.now())
    data = {
        "co_quan": code or agencies[0].code,
        "tu": request.GET.get("tu") or today.replace(day=1).isoformat(),
        "den": request.GET.get("den") or today.isoformat(),
    }
    return PeriodForm(data, agencies=agencies)


def _check_foreign(request: HttpRequest, code: str) -> None:
    try:
        register_agency_for_user(request.user, code)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.detail) from exc


def _row_view(row: Any) -> dict[str, Any]:
    return {
        "number": row.number,
        "code": row.code,
        "procedure": row.procedure_name,
        "procedure_code": row.procedure_code,
        "applicant": row.applicant_name,
        "received_at": format_vn(row.received_at),
        "due_at": format_vn(row.due_at) if row.due_at else "",
        "new_due_at": format_vn(row.new_due_at) if row.new_due_at else "",
        "resolved_at": format_vn(row.resolved_at) if row.resolved_at else "",
        "returned_at": format_vn(row.returned_at) if row.returned_at else "",
        "timing": row.timing,
        "late": row.late,
        "notes": row.notes,
    }


@require_GET
@officer_required
def register(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    context: dict[str, Any] = {"form": form, "page": None, "rows": [], "error": ""}
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            page = register_page(
                user=request.user,
                agency_code=data["co_quan"],
                date_from=data["tu"],
                date_to=data["den"],
                cursor=request.GET.get("sau") or None,
            )
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.detail) from exc
        except DomainError as exc:
            context["error"], status = exc.detail, exc.status
        else:
            query = urlencode(
                {"co_quan": page.agency.code, "tu": data["tu"].isoformat(), "den": data["den"].isoformat()}
            )
            context.update(
                page=page,
                rows=[_row_view(row) for row in page.rows],
                query=query,
                first_page=not request.GET.get("sau"),
            )
    else:
        status = 400
    return render(request, "backoffice/register.html", context, status=status)


@require_GET
@officer_required
def register_pdf(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(request, "backoffice/register.html", {"form": form, "page": None, "rows": []}, status=400)
    data = form.cleaned_data
    try:
        page, pdf = register_export_pdf(
            user=request.user, agency_code=data["co_quan"], date_from=data["tu"], date_to=data["den"]
        )
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.detail) from exc
    except DomainError as exc:
        context = {"form": form, "page": None, "rows": [], "error": exc.detail}
        return render(request, "backoffice/register.html", context, status=exc.status)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"So-theo-doi-ho-so-{page.agency.code}-{_day(page.date_from)}-{_day(page.date_to)}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _day(day: date) -> str:
    return day.strftime("%Y%m%d")
