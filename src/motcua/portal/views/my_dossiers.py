"""My dossiers: the applicant's list (drafts first), one dossier's page, and what they can do on it.

The dossier page shows status, a progress timeline (steps done, the current one, due dates,
on time or late), the public log, documents and notices to download, the conversation with
the officers, and — when it is their turn — the supplement answer, the fee, the rating.
Every action is a plain POST form (no script needed) and comes back to the page.
"""

import io
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.accounts.models import User
from motcua.core.errors import DomainError, NotFound
from motcua.dossiers.drafts import draft_list_for_user
from motcua.dossiers.files import file_read
from motcua.dossiers.lifecycle import Role, Status, allowed_actions, status_name, status_plain_name
from motcua.dossiers.messages import dossier_message_post, dossier_messages_for_user, message_attachment_for_user
from motcua.dossiers.models import Dossier, DossierDocument, DossierMessage, DossierRating, StoredFile
from motcua.dossiers.my_documents import my_document_file_for_dossier, my_documents_for_user
from motcua.dossiers.my_dossiers import (
    my_dossier_document,
    my_dossier_documents,
    my_dossier_get,
    my_dossier_page,
    my_dossier_progress,
)
from motcua.dossiers.ratings import POINTS, dossier_rate, rating_for_dossier, rating_grade
from motcua.dossiers.selectors import dossier_events_for_user
from motcua.dossiers.services import dossier_act, dossier_state
from motcua.dossiers.supplements import dossier_supplement_answer
from motcua.payments.money import format_vnd
from motcua.payments.selectors import invoice_open_for_dossier
from motcua.portal.views.tracking import dossier_timing  # the same words on both pages

# Status → badge style (the words always say it; colour is a second cue).
BADGES = {
    Status.SUBMITTED: "waiting",
    Status.RECEIVED: "ok",
    Status.PROCESSING: "ok",
    Status.SUPPLEMENT_REQUESTED: "action",
    Status.PAYMENT_DUE: "action",
    Status.WITHDRAWAL_REQUESTED: "waiting",
    Status.RESOLVED: "done",
    Status.RETURNED: "done",
    Status.REFUSED: "closed",
    Status.STOPPED: "closed",
}


def _login_needed(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:accounts:login"))
    return None


def _dossier(user: User, code: str) -> Dossier:
    try:
        return my_dossier_get(user, code)
    except NotFound as error:
        raise Http404(error.detail) from error


def _version_param(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


# --- the list -----------------------------------------------------------------------------------


@require_GET
def my_dossiers(request: HttpRequest) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    raw = request.GET.get("truoc", "")
    before = int(raw) if raw.isdigit() else None
    dossiers, next_before = my_dossier_page(request.user, before_id=before)
    rows = [
        {
            "dossier": dossier,
            "status_plain": status_plain_name(dossier.status),
            "badge": BADGES.get(Status(dossier.status), "waiting"),
            "action_needed": dossier.status in (Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_DUE),
        }
        for dossier in dossiers
    ]
    return render(
        request,
        "portal/my/list.html",
        {
            "rows": rows,
            "drafts": list(draft_list_for_user(request.user)[:20]) if before is None else [],
            "next_before": next_before,
            "first_page": before is None,
        },
    )


# --- one dossier --------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, dossier: Dossier, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    user = request.user
    state = dossier_state(dossier, now=now)
    actions = allowed_actions(state, {Role.APPLICANT}) if dossier.applicant_id == user.pk else []
    events = list(
        dossier_events_for_user(user, dossier).select_related(None).only("at", "title", "note", "to_status", "action")
    )
    documents = list(my_dossier_documents(dossier))
    supplement_note = ""
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        asked = [event for event in events if event.action == "request_supplement"]
        supplement_note = asked[-1].note if asked else ""
    invoice = invoice_open_for_dossier(dossier) if dossier.status == Status.PAYMENT_DUE else None
    rating = rating_for_dossier(dossier) if dossier.status == Status.RETURNED else None
    return {
        "dossier": dossier,
        "version_name": dossier.procedure_version.name,
        "status_plain": status_plain_name(dossier.status),
        "status_official": status_name(dossier.status),
        "badge": BADGES.get(Status(dossier.status), "waiting"),
        "timing": dossier_timing(dossier, now),
        "progress": my_dossier_progress(dossier, now=now),
        "now": now,
        "events": events,
        "inputs": [d for d in documents if d.kind == DossierDocument.Kind.INPUT],
        "notices": [d for d in documents if d.kind == DossierDocument.Kind.NOTICE and d.file_id],
        "results": [d for d in documents if d.kind == DossierDocument.Kind.RESULT and d.file_id],
        "receipt": next((d for d in documents if d.form_number == "01" and d.file_id), None),
        "conversation": list(dossier_messages_for_user(user, dossier)),
        "can_withdraw": "withdraw" in actions,
        "can_supplement": "supplement" in actions,
        "supplement_note": supplement_note,
        "library": my_documents_for_user(user) if "supplement" in actions else [],
        "invoice": invoice,
        "invoice_amount": format_vnd(invoice.amount_vnd) if invoice else "",
        "rating": rating,
        "rating_grade": rating_grade(rating.total)[1] if rating else "",
        "can_rate": dossier.status == Status.RETURNED and rating is None,
        **extra,
    }


@require_GET
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    dossier = _dossier(request.user, code)
    return render(request, "portal/my/detail.html", _detail_context(request, dossier))


def _back(code: str, anchor: str = "") -> HttpResponse:
    return redirect(reverse("portal:my_dossier", kwargs={"code": code}) + (f"#{anchor}" if anchor else ""))


def _failed(request: HttpRequest, dossier: Dossier, field: str, error: DomainError) -> HttpResponse:
    """Show the page again with the error next to the form that failed."""
    status = 409 if error.status == 409 else 400
    return render(
        request,
        "portal/my/detail.html",
        _detail_context(request, dossier, errors={field: error.detail}, posted=request.POST),
        status=status,
    )


@require_POST
def my_dossier_message(request: HttpRequest, code: str) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    dossier = _dossier(request.user, code)
    try:
        dossier_message_post(
            user=request.user,
            dossier=dossier,
            text=request.POST.get("text", ""),
            files=request.FILES.getlist("files"),
        )
    except DomainError as error:
        return _failed(request, dossier, "message", error)
    flash.success(request, _("Đã gửi tin nhắn đến cán bộ giải quyết hồ sơ."))
    return _back(code, "messages-heading")


@require_POST
def my_dossier_supplement(request: HttpRequest, code: str) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    dossier = _dossier(request.user, code)
    try:
        files: list[Any] = list(request.FILES.getlist("files"))
        picked = request.POST.get("pick", "")
        if picked:
            files.append(my_document_file_for_dossier(user=request.user, key=picked))
        dossier_supplement_answer(
            user=request.user,
            code=code,
            version=_version_param(request),
            note=request.POST.get("note", ""),
            files=files,
        )
    except DomainError as error:
        return _failed(request, dossier, "supplement", error)
    flash.success(request, _("Đã nộp bổ sung. Hồ sơ được giải quyết tiếp và ngày hẹn được lùi tương ứng."))
    return _back(code)


@require_http_methods(["GET", "POST"])
def my_dossier_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """A confirmation page (GET), then the request to withdraw (POST with the box ticked)."""
    if (response := _login_needed(request)) is not None:
        return response
    dossier = _dossier(request.user, code)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = _("Vui lòng đánh dấu ô xác nhận nếu bạn chắc chắn muốn rút hồ sơ.")
        else:
            try:
                dossier_act(
                    actor=request.user,
                    code=code,
                    action="withdraw",
                    version=_version_param(request),
                    note=request.POST.get("reason", "")[:2000],
                )
            except DomainError as failure:
                error = failure.detail
            else:
                flash.success(request, _("Đã gửi yêu cầu rút hồ sơ. Cơ quan sẽ thông báo dừng giải quyết."))
                return _back(code)
    return render(
        request,
        "portal/my/withdraw.html",
        {"dossier": dossier, "version_name": dossier.procedure_version.name, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def my_dossier_rate(request: HttpRequest, code: str) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    dossier = _dossier(request.user, code)
    rating = rating_for_dossier(dossier)
    error, fields = "", {}
    if request.method == "POST" and rating is None:
        try:
            rating = dossier_rate(
                user=request.user,
                code=code,
                scores={name: request.POST.get(name) for name, _label in DossierRating.CRITERIA},
                comment=request.POST.get("comment", ""),
            )
        except DomainError as failure:
            error, fields = failure.detail, failure.fields
        else:
            flash.success(request, _("Cảm ơn bạn đã đánh giá."))
            return redirect("portal:my_dossier_rate", code=code)
    complaints = (
        list(dossier_messages_for_user(request.user, dossier).filter(kind=DossierMessage.Kind.COMPLAINT))
        if rating is not None and rating.dissatisfied
        else []
    )
    return render(
        request,
        "portal/my/rating.html",
        {
            "dossier": dossier,
            "version_name": dossier.procedure_version.name,
            "rating": rating,
            "rating_grade": rating_grade(rating.total)[1] if rating else "",
            "can_rate": dossier.status == Status.RETURNED and rating is None,
            "criteria": [
                {"name": name, "label": label, "value": request.POST.get(name, ""), "error": fields.get(name, "")}
                for name, label in DossierRating.CRITERIA
            ],
            "points": sorted(POINTS.items(), reverse=True),
            "error": error,
            "comment": request.POST.get("comment", ""),
            "complaints": complaints,
        },
        status=400 if error else 200,
    )


@require_POST
def my_dossier_complain(request: HttpRequest, code: str) -> HttpResponse:
    """The complaint path of a bad rating: a message of kind complaint to the agency's officers."""
    if (response := _login_needed(request)) is not None:
        return response
    dossier = _dossier(request.user, code)
    rating = rating_for_dossier(dossier)
    if rating is None or not rating.dissatisfied:
        raise Http404(_("Phản ánh gửi kèm khi bạn chưa hài lòng với việc giải quyết hồ sơ."))
    try:
        dossier_message_post(
            user=request.user,
            dossier=dossier,
            text=request.POST.get("text", ""),
            files=request.FILES.getlist("files"),
            kind=DossierMessage.Kind.COMPLAINT,
        )
    except DomainError as error:
        flash.error(request, error.detail)
    else:
        flash.success(
            request,
            _("Đã gửi phản ánh, kiến nghị đến cơ quan giải quyết. Bạn sẽ nhận câu trả lời trong tin nhắn của hồ sơ."),
        )
    return redirect("portal:my_dossier_rate", code=code)


# --- downloads (permission-checked: only the applicant's own dossier) ---------------------------


def _file_response(stored: StoredFile, *, download: bool = False) -> FileResponse:
    response = FileResponse(
        io.BytesIO(file_read(stored)), content_type=stored.content_type, filename=stored.name, as_attachment=download
    )
    response["X-Content-SHA256"] = stored.sha256
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def my_dossier_download(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    dossier = _dossier(request.user, code)
    try:
        document = my_dossier_document(dossier, document_id)
    except NotFound as error:
        raise Http404(error.detail) from error
    assert document.file is not None
    return _file_response(document.file)


@require_GET
def my_dossier_attachment(request: HttpRequest, code: str, file_id: int) -> HttpResponse:
    if (response := _login_needed(request)) is not None:
        return response
    dossier = _dossier(request.user, code)
    try:
        stored = message_attachment_for_user(request.user, dossier, file_id)
    except NotFound as error:
        raise Http404(error.detail) from error
    return _file_response(stored)
