"""Counter and postal intake: find (or register) the citizen, fill the e-form for them, scan the
papers, file and receive in one go, then print form 01.

Two pages: (1) procedure, channel and personal ID; (2) the citizen, the e-form and the scans.
The personal ID travels in the session, never in a URL (URLs end up in logs).
"""

import logging
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.accounts.models import ApplicantProfile, OfficerMembership, User
from motcua.accounts.rules import officer_agency_ids
from motcua.backoffice.forms import EForm, FindCitizenForm, RegisterCitizenForm
from motcua.backoffice.usecases import applicant_find, applicant_register_at_counter
from motcua.backoffice.views.common import officer_required, procedures_received_by
from motcua.catalog.eforms import form_properties
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import procedure_version_in_force
from motcua.core.errors import DomainError, NotFound
from motcua.directory.models import Agency
from motcua.dossiers import files
from motcua.dossiers.models import Channel
from motcua.dossiers.services import dossier_act, dossier_submit
from motcua.integrations.errors import IntegrationUnavailable
from motcua.integrations.population import fetch_person

logger = logging.getLogger(__name__)
SESSION_KEY = "backoffice_intake"
POPULATION_SOURCE = "Từ Cơ sở dữ liệu quốc gia về dân cư"

# x-prefill → where the counter finds the value: the applicant's profile or account.
_PREFILL: dict[str, str] = {
    "profile.name": "name",
    "population_db.full_name": "name",
    "profile.id_number": "id_number",
    "profile.date_of_birth": "date_of_birth",
    "population_db.date_of_birth": "date_of_birth",
    "profile.gender": "gender",
    "population_db.gender": "gender",
    "profile.address": "address",
    "population_db.permanent_address": "address",
    "population_db.current_address": "address",
    "profile.phone": "phone",
    "profile.email": "email",
}


def _receiver_agency_ids(user: User) -> set[int]:
    return officer_agency_ids(user, roles={OfficerMembership.Role.RECEIVER})


@require_http_methods(["GET", "POST"])
@officer_required
def intake_start(request: HttpRequest) -> HttpResponse:
    agencies = _receiver_agency_ids(request.user)
    if not agencies:
        return render(request, "backoffice/intake_start.html", {"not_receiver": True}, status=403)
    procedures = [(code, f"{code} – {name}") for _pid, code, name in procedures_received_by(agencies)]
    initial = request.session.get(SESSION_KEY) or {}
    form = FindCitizenForm(request.POST or None, procedures=procedures, initial={"procedure": initial.get("procedure")})
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = {
            "procedure": form.cleaned_data["procedure"],
            "channel": form.cleaned_data["channel"],
            "id_number": form.cleaned_data["id_number"],
        }
        return redirect("backoffice:intake_dossier")
    status = 400 if request.method == "POST" else 200
    return render(request, "backoffice/intake_start.html", {"form": form}, status=status)


def _population_record(id_number: str) -> tuple[Any, str]:
    """(record or None, a warning) from the national population database, if it is wired in."""
    try:
        return fetch_person(id_number=id_number), ""
    except IntegrationUnavailable as exc:
        logger.warning("population database unavailable at the counter: %s", exc.__class__.__name__)
        return None, _(
            "Không kết nối được Cơ sở dữ liệu quốc gia về dân cư; hãy nhập theo thẻ căn cước và đối chiếu bản gốc."
        )


def _record_value(record: Any, *names: str) -> Any:
    for name in names:
        value = getattr(record, name, None)
        if value:
            return value
    return None


def _intake_agency(user: User, version: ProcedureVersion) -> Agency | None:
    ids = _receiver_agency_ids(user)
    agencies = Agency.objects.filter(pk__in=ids)
    if version.all_commune_units:
        return agencies.filter(level__in=["ward", "commune", "special_zone"]).order_by("code").first()
    return agencies.filter(procedure_links__version=version).order_by("code").first()


def _prefill(schema: dict[str, Any], user: User | None, profile: ApplicantProfile | None) -> tuple[dict, dict]:
    initial: dict[str, Any] = {}
    sources: dict[str, str] = {}
    source = _("Từ hồ sơ người nộp đã xác thực") if profile and profile.verification_source else _("Từ hồ sơ người nộp")
    for name, spec in form_properties(schema):
        attribute = _PREFILL.get(str((spec or {}).get("x-prefill") or ""))
        if attribute is None:
            continue
        holder = user if attribute in ("phone", "email") else profile
        value = getattr(holder, attribute, None) if holder is not None else None
        if value in (None, ""):
            continue
        initial[name] = value.isoformat() if isinstance(value, date) else value
        sources[name] = source
    return initial, sources


def _document_fields(version: ProcedureVersion) -> forms.Form:
    """One file input per document the applicant brings on paper (state data is fetched, not scanned)."""
    form = forms.Form(prefix="d")
    for requirement in version.documents.order_by("order", "id"):
        if requirement.state_data_source:
            continue
        form.fields[requirement.code] = forms.FileField(
            label=requirement.name,
            required=requirement.required,
            help_text=_("Bản chụp hoặc bản quét (PDF, JPG, PNG; tối đa 10 MB); được ghi là đã số hoá từ bản giấy."),
            error_messages={"required": _("Vui lòng quét hoặc tải lên “%(name)s”.") % {"name": requirement.name}},
            widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}),
        )
    return form


@require_http_methods(["GET", "POST"])
@officer_required
def intake_dossier(request: HttpRequest) -> HttpResponse:
    state = request.session.get(SESSION_KEY)
    if not state or not state.get("id_number"):
        return redirect("backoffice:intake")
    try:
        version = procedure_version_in_force(code=state["procedure"])
    except NotFound:
        messages.error(request, _("Thủ tục không còn hiệu lực; hãy chọn lại."))
        return redirect("backoffice:intake")
    agency = _intake_agency(request.user, version)
    if agency is None:
        messages.error(request, _("Cơ quan của bạn không tiếp nhận thủ tục này; hãy chọn thủ tục khác."))
        return redirect("backoffice:intake")
    id_number = state["id_number"]
    applicant = applicant_find(id_number=id_number)
    profile = getattr(applicant, "profile", None) if applicant else None
    record, warning = (None, "")
    register_form = None
    if applicant is None:
        record, warning = _population_record(id_number)
        initial = {}
        if record is not None:
            initial = {
                "full_name": _record_value(record, "full_name", "name"),
                "date_of_birth": _record_value(record, "date_of_birth"),
                "address": _record_value(record, "permanent_address", "current_address", "address"),
            }
        register_form = RegisterCitizenForm(request.POST or None, prefix="r", initial=initial)
    schema = version.form_schema or {}
    eform_initial, sources = _prefill(schema, applicant, profile)
    if applicant is None and record is not None:
        for name, spec in form_properties(schema):
            attribute = _PREFILL.get(str((spec or {}).get("x-prefill") or ""))
            value = {
                "name": _record_value(record, "full_name", "name"),
                "id_number": id_number,
                "date_of_birth": _record_value(record, "date_of_birth"),
                "address": _record_value(record, "permanent_address", "current_address"),
            }.get(attribute or "")
            if value:
                eform_initial[name] = value.isoformat() if isinstance(value, date) else value
                sources[name] = _(POPULATION_SOURCE)
    elif applicant is None:
        for name, spec in form_properties(schema):
            if (spec or {}).get("x-prefill") == "profile.id_number":
                eform_initial[name] = id_number
    eform = EForm(schema, request.POST or None, initial=eform_initial, sources=sources)
    documents = _document_fields(version)
    if request.method == "POST":
        documents = _document_fields(version)
        documents.data, documents.files, documents.is_bound = request.POST, request.FILES, True
    error = ""
    if request.method == "POST":
        valid = all([f.is_valid() for f in (register_form, eform, documents) if f is not None])
        if valid:
            try:
                with transaction.atomic():
                    if applicant is None:
                        assert register_form is not None
                        data = register_form.cleaned_data
                        applicant = applicant_register_at_counter(
                            actor=request.user,
                            id_number=id_number,
                            full_name=data["full_name"],
                            date_of_birth=data.get("date_of_birth"),
                            address=data.get("address") or "",
                            phone=data.get("phone") or "",
                            email=data.get("email") or "",
                            verified_by_population_db=record is not None,
                        )
                    uploads = []
                    for code, upload in documents.cleaned_data.items():
                        if not upload:
                            continue
                        stored = files.file_store(owner=request.user, name=upload.name, stream=upload, size=upload.size)
                        uploads.append({"requirement_code": code, "file_id": stored.pk, "digitised": True})
                    dossier, _created = dossier_submit(
                        actor=request.user,
                        applicant=applicant,
                        procedure_code=version.procedure.code,
                        form=eform.to_json(),
                        documents=uploads,
                        channel=int(state.get("channel") or Channel.IN_PERSON),
                        agency_code=agency.code,
                        now=timezone.now(),
                    )
                    dossier = dossier_act(
                        actor=request.user, code=dossier.code, action="receive", version=dossier.version
                    )
            except DomainError as exc:
                error = exc.detail
                for name in exc.fields:
                    if name in eform.fields:
                        eform.add_error(name, exc.fields[name])
            else:
                request.session.pop(SESSION_KEY, None)
                messages.success(
                    request,
                    _("Đã tiếp nhận hồ sơ %(code)s. In giấy tiếp nhận và hẹn trả kết quả (mẫu 01) cho người nộp.")
                    % {"code": dossier.code},
                )
                return redirect("backoffice:dossier", code=dossier.code)
    forms_with_errors = [f for f in (register_form, eform, documents) if f is not None and f.is_bound and f.errors]
    return render(
        request,
        "backoffice/intake_dossier.html",
        {
            "version": version,
            "agency": agency,
            "channel": Channel(int(state.get("channel") or Channel.IN_PERSON)).label,
            "applicant": applicant,
            "profile": profile,
            "id_masked": id_number[:3] + "******" + id_number[-3:],
            "register_form": register_form,
            "from_population": record is not None,
            "warning": warning,
            "eform": eform,
            "documents": documents,
            "error": error,
            "has_errors": bool(forms_with_errors or error),
        },
        status=400 if request.method == "POST" else 200,
    )
