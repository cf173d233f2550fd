"""Applying online: a three-step wizard built from the procedure's e-form schema.

1. the e-form (applicant data prefilled from the verified profile and the population
   database, locked where the state vouches for it), 2. documents (upload each, or pick one
   from My documents; those the state holds are taken from its data), 3. review and submit.
Every step saves the draft ("Lưu nháp" saves without checking); plain forms, no script needed.
"""

import contextlib
import logging
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from motcua.accounts.models import ApplicantProfile, User
from motcua.catalog.models import OnlineMode, ProcedureVersion, StateDataSource
from motcua.catalog.selectors import procedure_version_in_force
from motcua.core.errors import DomainError, NotFound
from motcua.core.timeutil import to_vn
from motcua.directory.models import Agency
from motcua.dossiers import drafts
from motcua.dossiers.files import MAX_UPLOAD_BYTES, file_store
from motcua.dossiers.models import Dossier, DossierDraft
from motcua.dossiers.my_documents import my_document_file_for_dossier, my_documents_for_user
from motcua.integrations.errors import IntegrationError
from motcua.integrations.population import fetch_person
from motcua.portal.forms_apply import EForm, needs_population_record, prefill_for, review_rows

logger = logging.getLogger(__name__)
PERSON_CACHE_SECONDS = 600
COMMUNE_LEVELS = ("ward", "commune", "special_zone")


# --- helpers ------------------------------------------------------------------------------------


def _login_needed(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        flash.info(request, _("Vui lòng đăng nhập để nộp hồ sơ trực tuyến."))
        return redirect_to_login(request.get_full_path(), reverse("portal:accounts:login"))
    if not request.user.is_applicant:
        raise Http404(_("Chỉ công dân, doanh nghiệp, tổ chức mới nộp hồ sơ trực tuyến."))
    return None


def _version(code: str) -> ProcedureVersion:
    try:
        version = procedure_version_in_force(code=code)
    except NotFound as error:
        raise Http404(error.detail) from error
    if version.online_mode == OnlineMode.NONE:
        raise Http404(_("Thủ tục này chưa cung cấp dịch vụ công trực tuyến."))
    return version


def _profile(user: User) -> ApplicantProfile | None:
    return ApplicantProfile.objects.filter(user=user).first()


def _person(profile: ApplicantProfile | None, schema: dict[str, Any]) -> Any:
    """The population record, only when the schema asks for what the profile does not hold."""
    if (
        profile is None
        or profile.verification_source != ApplicantProfile.VerificationSource.POPULATION_DB
        or not needs_population_record(schema)
    ):
        return None
    key = f"apply:person:{profile.pk}"
    person = cache.get(key)
    if person is None:
        try:
            person = fetch_person(id_number=profile.id_number)
        except IntegrationError:
            logger.warning("population database unreachable; the applicant types those fields")
            return None
        cache.set(key, person, PERSON_CACHE_SECONDS)
    return person


def _eform(request: HttpRequest, version: ProcedureVersion, profile: ApplicantProfile | None, **kwargs: Any) -> EForm:
    schema = version.form_schema or {}
    prefill = prefill_for(schema, request.user, profile, _person(profile, schema))
    return EForm(schema, prefill=prefill, **kwargs)


def _communes(version: ProcedureVersion) -> list[Agency]:
    if not version.all_commune_units:
        return []
    return list(
        Agency.objects.active_on(to_vn(timezone.now()).date())
        .filter(level__in=COMMUNE_LEVELS)
        .only("id", "code", "name")
        .order_by("name")
    )


def _requirements(version: ProcedureVersion) -> tuple[list[Any], list[Any]]:
    """(to upload or pick, taken from state data) among the procedure's documents."""
    documents = list(version.documents.all())
    to_give = [doc for doc in documents if not (doc.required and doc.state_data_source)]
    from_state = [doc for doc in documents if doc.required and doc.state_data_source]
    return to_give, from_state


def _steps(current: str) -> list[dict[str, Any]]:
    names = [("form", _("Tờ khai")), ("documents", _("Giấy tờ")), ("review", _("Xem lại và nộp"))]
    index = [name for name, _label in names].index(current)
    return [
        {"number": i + 1, "label": label, "current": name == current, "done": i < index}
        for i, (name, label) in enumerate(names)
    ]


def _context(version: ProcedureVersion, step: str, **extra: Any) -> dict[str, Any]:
    return {
        "version": version,
        "code": version.procedure.code,
        "steps": _steps(step),
        "step": step,
        **extra,
    }


# --- step 1: the e-form ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    version = _version(code)
    profile = _profile(request.user)
    draft = drafts.draft_get(request.user, version.procedure.code)
    communes = _communes(version)
    if request.method == "POST":
        form = _eform(request, version, profile, data=request.POST)
        agency_code = request.POST.get("agency_code", "")[:40]
        saving_only = "save_draft" in request.POST
        if saving_only or form.is_valid():
            data = form.to_json() if not saving_only else _raw_answers(form, request.POST)
            try:
                drafts.draft_save(
                    user=request.user,
                    version=version,
                    form_data=data,
                    step="form" if saving_only else "documents",
                    agency_code=agency_code,
                )
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                if saving_only:
                    flash.success(request, _("Đã lưu nháp. Bạn có thể quay lại hoàn thành sau, tại mục Hồ sơ của tôi."))
                    return redirect("portal:apply", code=code)
                return redirect("portal:apply_documents", code=code)
    else:
        initial = dict(draft.form_data) if draft else {}
        form = _eform(request, version, profile, initial=initial)
        agency_code = draft.agency_code if draft else ""
    return render(
        request,
        "portal/apply/form.html",
        _context(
            version,
            "form",
            form=form,
            profile=profile,
            draft=draft,
            communes=communes,
            agency_code=agency_code,
        ),
    )


def _raw_answers(form: EForm, data: Any) -> dict[str, Any]:
    """What was typed, unchecked, for a draft (locked fields keep the verified value)."""
    answers: dict[str, Any] = {}
    for name, field in form.fields.items():
        filled = form.prefill.get(name)
        if filled is not None and filled.locked:
            answers[name] = filled.value
        elif isinstance(field, forms.BooleanField):
            answers[name] = name in data
        else:
            value = data.get(name, "")
            if isinstance(value, str) and value.strip():
                answers[name] = value.strip()[:4000]
    return answers


# --- step 2: documents ----------------------------------------------------------------------


def _require_draft(request: HttpRequest, version: ProcedureVersion) -> DossierDraft | HttpResponse:
    draft = drafts.draft_get(request.user, version.procedure.code)
    if draft is None:
        flash.info(request, _("Vui lòng điền tờ khai trước."))
        return redirect("portal:apply", code=version.procedure.code)
    return draft


@require_http_methods(["GET", "POST"])
def apply_documents(request: HttpRequest, code: str) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    version = _version(code)
    draft = _require_draft(request, version)
    if isinstance(draft, HttpResponse):
        return draft
    to_give, from_state = _requirements(version)
    library = my_documents_for_user(request.user)
    errors: dict[str, str] = {}
    chosen: dict[str, dict[str, Any]] = dict(draft.documents)
    if request.method == "POST":
        # A paper the state's database holds may still be uploaded: when that database has no
        # record of it, submitting asks for exactly this.
        for requirement in [*to_give, *from_state]:
            upload = request.FILES.get(f"file_{requirement.code}")
            picked = request.POST.get(f"pick_{requirement.code}", "")
            try:
                if upload is not None:
                    stored = file_store(owner=request.user, name=upload.name or "", stream=upload, size=upload.size)
                    chosen[requirement.code] = {"file_id": stored.pk, "reused_from": "", "name": stored.name}
                elif picked == "remove":
                    chosen.pop(requirement.code, None)
                elif picked:
                    stored = my_document_file_for_dossier(user=request.user, key=picked)
                    chosen[requirement.code] = {
                        "file_id": stored.pk,
                        "reused_from": "my_documents",
                        "name": stored.name,
                    }
            except DomainError as error:
                errors[requirement.code] = error.detail
        saving_only = "save_draft" in request.POST
        if not saving_only:
            for requirement in to_give:
                if requirement.required and requirement.code not in chosen and requirement.code not in errors:
                    errors[requirement.code] = _("Vui lòng tải lên hoặc chọn “%(name)s”.") % {"name": requirement.name}
        draft = drafts.draft_save(
            user=request.user,
            version=version,
            documents=chosen,
            step="documents" if saving_only or errors else "review",
        )
        chosen = dict(draft.documents)
        if saving_only and not errors:
            flash.success(request, _("Đã lưu nháp. Bạn có thể quay lại hoàn thành sau, tại mục Hồ sơ của tôi."))
            return redirect("portal:apply_documents", code=code)
        if not errors:
            return redirect("portal:apply_review", code=code)
    source_labels = dict(StateDataSource.choices)
    rows = [
        {
            "requirement": requirement,
            "chosen": chosen.get(requirement.code),
            "error": errors.get(requirement.code, ""),
        }
        for requirement in to_give
    ]
    return render(
        request,
        "portal/apply/documents.html",
        _context(
            version,
            "documents",
            rows=rows,
            from_state=[
                {
                    "requirement": r,
                    "source": source_labels.get(r.state_data_source, ""),
                    "chosen": chosen.get(r.code),
                    "error": errors.get(r.code, ""),
                }
                for r in from_state
            ],
            library=library,
            errors=errors,
            max_mb=MAX_UPLOAD_BYTES // (1024 * 1024),
        ),
        status=400 if errors else 200,
    )


# --- step 3: review and submit ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def apply_review(request: HttpRequest, code: str) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    version = _version(code)
    if request.method == "POST" and "draft_id" in request.POST:
        # A second press after the dossier was filed: show that dossier, never file twice.
        done = Dossier.objects.filter(
            applicant=request.user, idempotency_key=f"draft-{request.POST['draft_id'][:20]}"
        ).first()
        if done is not None and drafts.draft_get(request.user, version.procedure.code) is None:
            return redirect("portal:my_dossier", code=done.code)
    draft = _require_draft(request, version)
    if isinstance(draft, HttpResponse):
        return draft
    error = ""
    fields: dict[str, str] = {}
    if request.method == "POST":
        try:
            dossier = drafts.draft_submit(user=request.user, draft=draft, idempotency_key=f"draft-{draft.pk}")
        except DomainError as failure:
            error, fields = failure.detail, failure.fields
        else:
            flash.success(
                request,
                _(
                    "Đã nộp hồ sơ. Mã hồ sơ của bạn là %(code)s. Khi cán bộ tiếp nhận, bạn sẽ có giấy tiếp nhận "
                    "và hẹn trả kết quả (mẫu 01) ngay trên trang này."
                )
                % {"code": dossier.code},
            )
            return redirect("portal:my_dossier", code=dossier.code)
    profile = _profile(request.user)
    to_give, from_state = _requirements(version)
    agency = None
    if draft.agency_code:
        agency = Agency.objects.filter(code=draft.agency_code).only("name").first()
    source_labels = dict(StateDataSource.choices)
    return render(
        request,
        "portal/apply/review.html",
        _context(
            version,
            "review",
            draft=draft,
            profile=profile,
            rows=review_rows(version.form_schema or {}, draft.form_data),
            documents=[
                {"requirement": r, "chosen": draft.documents.get(r.code)}
                for r in to_give
                if r.code in draft.documents or r.required
            ],
            from_state=[
                {
                    "requirement": r,
                    "source": source_labels.get(r.state_data_source, ""),
                    "chosen": draft.documents.get(r.code),
                }
                for r in from_state
            ],
            agency=agency,
            error=error,
            fields=fields,
        ),
        status=422 if error else 200,
    )


@require_http_methods(["POST"])
def apply_discard(request: HttpRequest, code: str) -> HttpResponse:
    """Delete the draft (from My dossiers)."""
    if (response := _login_needed(request)) is not None:
        return response
    with contextlib.suppress(NotFound):
        drafts.draft_delete(user=request.user, procedure_code=code)
    flash.success(request, _("Đã xoá hồ sơ nháp."))
    return HttpResponseRedirect(reverse("portal:my_dossiers"))
