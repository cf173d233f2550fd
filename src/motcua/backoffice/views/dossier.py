"""The dossier workspace: form data, documents with preview, the log, the control sheet (form 06),
and the actions this officer may take now, each asking only for what it needs.

Every action form carries the dossier version the page showed; `dossier_act` refuses a stale
one and the page says plainly what happened and offers a reload (POST-redirect-GET on success).
"""

import io
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from motcua.accounts.models import OfficerMembership
from motcua.backoffice.forms import (
    ACTION_LABELS,
    WORKSPACE_ACTIONS,
    ActionForm,
    CounterPaymentForm,
    ExtensionProposeForm,
    ExtensionRejectForm,
    RefundForm,
)
from motcua.backoffice.views.common import officer_required
from motcua.catalog.eforms import form_properties
from motcua.core.errors import DomainError, NotFound, StaleVersion
from motcua.core.timeutil import format_vn, to_vn
from motcua.directory.models import Agency
from motcua.dossiers import files
from motcua.dossiers.extensions import (
    extension_proposable,
    extension_proposal_approve,
    extension_proposal_create,
    extension_proposal_pending,
    extension_proposal_reject,
)
from motcua.dossiers.forms import FORM_TITLES, render_form_pdf
from motcua.dossiers.lifecycle import Role, Status, allowed_actions, status_name, status_plain_name
from motcua.dossiers.messages import dossier_message_post, dossier_messages_for_user
from motcua.dossiers.models import Channel, Dossier, DossierDocument, DossierEvent, DossierStepLog
from motcua.dossiers.queues import dossier_marks
from motcua.dossiers.selectors import dossier_events_for_user, dossier_get_for_user, dossier_roles_of
from motcua.dossiers.services import dossier_act, dossier_state
from motcua.dossiers.supplements import dossier_supplement_answer
from motcua.payments.models import InvoiceState
from motcua.payments.money import format_vnd
from motcua.payments.selectors import invoice_get_for_user, invoice_list_for_dossier
from motcua.payments.services import (
    REFUNDABLE_DOSSIER_STATUSES,
    dossier_pay_at_counter,
    dossier_request_payment,
    invoice_refund,
)

REUSED_FROM = {
    "population_db": "Cơ sở dữ liệu quốc gia về dân cư",
    "insurance_db": "Cơ sở dữ liệu bảo hiểm",
    "civil_status_db": "Cơ sở dữ liệu hộ tịch điện tử",
    "business_registry": "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp",
    "my_documents": "Giấy tờ của tôi",
}


def _load(request: HttpRequest, code: str) -> Dossier:
    try:
        dossier = dossier_get_for_user(request.user, code)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    return Dossier.objects.select_related(
        "procedure",
        "procedure_version",
        "current_agency",
        "receiving_agency",
        "home_agency",
        "current_handler",
    ).get(pk=dossier.pk)


def _step_roles(dossier: Dossier) -> list[tuple[str, str]]:
    return list(dossier.procedure_version.steps.order_by("order", "id").values_list("name", "role"))


def _handler_choices(dossier: Dossier, step_index: int) -> list[tuple[str, str]]:
    """Officers of the holding agency with the role the step needs (any officer if it has no step)."""
    steps = _step_roles(dossier)
    roles = [role for _name, role in steps]
    role = roles[step_index] if 0 <= step_index < len(roles) else OfficerMembership.Role.SPECIALIST
    if role == OfficerMembership.Role.RECEIVER and step_index < len(roles) - 1:
        # A receiver's check before processing is done by handing over: it goes to whoever does
        # the next real step (receivers cannot forward steps themselves).
        role = next((r for r in roles[step_index + 1 :] if r != OfficerMembership.Role.RECEIVER), role)
    today = timezone.localdate()
    memberships = (
        OfficerMembership.objects.filter(
            agency_id=dossier.current_agency_id, role=role, user__is_active=True, valid_from__lte=today
        )
        .exclude(valid_to__lt=today)
        .select_related("user")
        .order_by("user__full_name")
    )
    role_name = OfficerMembership.Role(role).label
    return [(m.user.username, f"{m.user.full_name or m.user.username} ({role_name})") for m in memberships]


def _transfer_choices(dossier: Dossier) -> list[tuple[str, str]]:
    agencies = (
        Agency.objects.active_on(timezone.localdate())
        .exclude(pk=dossier.current_agency_id)
        .filter(level__in=["province", "department", "centre", "ward", "commune", "special_zone"])
        .order_by("level", "name")
        .values_list("code", "name")
    )
    return list(agencies)


def _has_fee(dossier: Dossier) -> bool:
    return dossier.procedure_version.fees.filter(amount_vnd__gt=0).exists()


def _action_forms(
    dossier: Dossier, actions: list[str], bound: ActionForm | None, proposal: Any = None
) -> list[ActionForm]:
    forms = []
    for action in actions:
        if bound is not None and bound.action == action:
            forms.append(bound)
            continue
        forms.append(_new_form(dossier, action, proposal=proposal))
    return forms


def _new_form(
    dossier: Dossier, action: str, data: Any = None, files_: Any = None, *, proposal: Any = None
) -> ActionForm:
    kwargs: dict[str, Any] = {"initial": {"version": dossier.version}}
    if action == "extend" and proposal is not None:
        # The proposal awaiting the leader, prefilled: approving is submitting it as it is.
        kwargs["initial"].update(new_due_date=to_vn(proposal.new_due_at).date(), note=proposal.reason)
    if action in ("assign", "forward"):
        choices = _handler_choices(dossier, 0 if action == "assign" else dossier.step_index + 1)
        kwargs["handler_choices"] = choices
        if choices:
            kwargs["initial"]["handler"] = choices[0][0]
    if action == "transfer":
        kwargs["agency_choices"] = _transfer_choices(dossier)
    if action == "return_result":
        kwargs["channel"] = dossier.channel
    return ActionForm(action, data, files_, **kwargs)


def _documents(dossier: Dossier) -> list[dict[str, Any]]:
    rows = []
    for document in DossierDocument.objects.filter(dossier=dossier).select_related("file").order_by("id"):
        stored = document.file
        content_type = stored.content_type if stored else ""
        rows.append(
            {
                "document": document,
                "url": reverse("backoffice:document", args=[dossier.code, document.pk]) if stored else "",
                "preview": "pdf"
                if content_type == "application/pdf"
                else ("image" if content_type.startswith("image/") else ""),
                "size_kb": max(1, round(stored.size / 1024)) if stored else 0,
                "reused_from": REUSED_FROM.get(document.reused_from, document.reused_from),
            }
        )
    return rows


def _shown(spec: dict[str, Any] | None, value: Any) -> str:
    """A form value as people read it: dates dd/mm/yyyy, yes/no in words."""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if (spec or {}).get("format") == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def _fees(
    request: HttpRequest,
    dossier: Dossier,
    roles: set[Role],
    *,
    refund_form: RefundForm | None = None,
    refund_reference: str = "",
) -> list[dict[str, Any]]:
    """The dossier's invoices (one query), each with the refund form when it may be given back."""
    may_refund = bool(roles & {Role.RECEIVER, Role.LEADER}) and dossier.status in REFUNDABLE_DOSSIER_STATUSES
    rows = []
    for invoice in invoice_list_for_dossier(request.user, dossier_code=dossier.code):
        refundable = may_refund and invoice.state == InvoiceState.SUCCESS
        form = None
        if refundable:
            bound = refund_form is not None and refund_reference == invoice.reference
            form = refund_form if bound else RefundForm(initial={"version": dossier.version}, prefix=invoice.reference)
        rows.append(
            {
                "invoice": invoice,
                "amount": format_vnd(invoice.amount_vnd),
                "state": invoice.get_state_display(),
                "channel": invoice.get_channel_display() if invoice.channel else "",
                "refund_form": form,
            }
        )
    return rows


def _conflict(dossier: Dossier) -> dict[str, str]:
    """What changed since the page was opened, in words: the last event and who did it."""
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    if last is None:
        return {"what": "", "who": "", "when": ""}
    return {"what": last.title, "who": last.actor_name, "when": format_vn(last.at)}


def _workspace(
    request: HttpRequest,
    dossier: Dossier,
    *,
    bound: ActionForm | None = None,
    error: str = "",
    conflict: dict[str, str] | None = None,
    message_error: str = "",
    propose_form: ExtensionProposeForm | None = None,
    reject_form: ExtensionRejectForm | None = None,
    pay_form: CounterPaymentForm | None = None,
    refund_form: RefundForm | None = None,
    refund_reference: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    roles = dossier_roles_of(request.user, dossier)
    state = dossier_state(dossier, now=now)
    actions = [a for a in allowed_actions(state, roles) if a in WORKSPACE_ACTIONS]
    if "request_payment" in actions and not _has_fee(dossier):
        actions.remove("request_payment")
    if conflict is not None:
        bound = None  # the stale page's forms are not worth keeping: the choices may have changed
        propose_form = reject_form = None
        pay_form = refund_form = None
    proposal = extension_proposal_pending(dossier)
    lateness_statuses = (Status.RECEIVED, Status.PROCESSING, Status.PAYMENT_DUE)
    late, due_soon = dossier_marks(dossier, now=now)
    steps = _step_roles(dossier)
    fields = form_properties(dossier.procedure_version.form_schema or {})
    form_data = dossier.form_data or {}
    # The form's own order (stored JSON may not keep it), then anything the schema no longer names.
    names = [name for name, _spec in fields if name in form_data] + [n for n in form_data if n not in dict(fields)]
    schema_props = dict(fields)
    form_rows = [
        {
            "label": str((schema_props.get(name) or {}).get("title") or name),
            "value": _shown(schema_props.get(name), form_data[name]),
        }
        for name in names
    ]
    context = {
        "dossier": dossier,
        "status_name": status_name(dossier.status),
        "status_plain": status_plain_name(dossier.status),
        "channel_name": Channel(dossier.channel).label,
        "late": late,
        "due_soon": due_soon,
        # Also when a proposal waits, or a proposal form came back with something to correct.
        "lateness_prompt": ((late or due_soon) and dossier.status in lateness_statuses)
        or proposal is not None
        or propose_form is not None,
        "can_extend": "extend" in actions,
        "proposal": proposal,
        "can_propose": proposal is None
        and bool(roles & {Role.RECEIVER, Role.SPECIALIST})
        and "extend" not in actions
        and extension_proposable(dossier, now=now) is None,
        "propose_form": propose_form or ExtensionProposeForm(initial={"version": dossier.version}),
        "reject_form": reject_form
        or ExtensionRejectForm(initial={"version": dossier.version, "proposal": proposal.pk if proposal else None}),
        "step_name": (
            steps[dossier.step_index][0]
            if dossier.status == Status.PROCESSING and 0 <= dossier.step_index < len(steps)
            else ""
        ),
        "steps": steps,
        "form_rows": form_rows,
        "documents": _documents(dossier),
        "events": list(dossier_events_for_user(request.user, dossier)),
        "step_logs": list(
            DossierStepLog.objects.filter(dossier=dossier)
            .select_related("handler", "agency")
            .order_by("started_at", "id")
        ),
        "action_forms": _action_forms(dossier, actions, bound, proposal),
        "fees": _fees(request, dossier, roles, refund_form=refund_form, refund_reference=refund_reference),
        "can_pay_at_counter": dossier.status == Status.PAYMENT_DUE and Role.RECEIVER in roles,
        "pay_form": pay_form or CounterPaymentForm(initial={"version": dossier.version}, prefix="pay"),
        "conversation": list(dossier_messages_for_user(request.user, dossier)),
        "message_error": message_error,
        "error": error,
        "bound_action": bound.action if bound is not None else "",
        # Where the form to correct is, for the error summary's link.
        "fix_anchor": (
            f"action-{bound.action}"
            if bound is not None
            else ("counter-payment" if pay_form is not None else (f"refund-{refund_reference}" if refund_form else ""))
        ),
        "conflict": conflict,
        "form06_title": FORM_TITLES["06"],
        "role_names": [
            OfficerMembership.Role(r.value).label for r in roles if r.value in OfficerMembership.Role.values
        ],
    }
    return render(request, "backoffice/dossier.html", context, status=status)


@require_GET
@officer_required
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _workspace(request, _load(request, code))


@require_POST
@officer_required
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    dossier = _load(request, code)
    if action not in WORKSPACE_ACTIONS:
        raise Http404
    if _stale(request, dossier, prefix=action):
        # Checked before anything else: a stale page always gets the explanation and a reload,
        # even when what it sent is also incomplete.
        return _workspace(request, dossier, conflict=_conflict(dossier), status=409)
    form = _new_form(dossier, action, request.POST, request.FILES)
    if not form.is_valid():
        error = _("Chưa thực hiện “%(action)s”: hãy bổ sung thông tin được đánh dấu trong phần thao tác.") % {
            "action": ACTION_LABELS[action]
        }
        return _workspace(request, dossier, bound=form, error=error, status=400)
    version = form.cleaned_data["version"]
    note = form.cleaned_data.get("note") or ""
    try:
        if version != dossier.version:
            raise StaleVersion(current_version=dossier.version)
        params = form.params()
        upload = form.cleaned_data.get("result_file")
        if upload:
            stored = files.file_store(owner=request.user, name=upload.name, stream=upload, size=upload.size)
            params["file_id"] = stored.pk
        if action == "request_payment":
            dossier_request_payment(actor=request.user, code=dossier.code, version=version, note=note)
        elif action == "supplement":
            # Papers brought to the counter: scanned and attached in the same step as the resume.
            dossier_supplement_answer(
                user=request.user,
                code=dossier.code,
                version=version,
                note=note,
                files=request.FILES.getlist(f"{action}-files"),
            )
        elif action == "extend" and extension_proposal_pending(dossier) is not None:
            # A proposal awaits: extending is approving it (with the leader's date and reason).
            extension_proposal_approve(
                actor=request.user,
                code=dossier.code,
                version=version,
                new_due_at=params.get("new_due_at"),
                note=note,
            )
        else:
            dossier_act(actor=request.user, code=dossier.code, action=action, version=version, note=note, params=params)
    except StaleVersion:
        return _workspace(request, _load(request, code), conflict=_conflict(dossier), status=409)
    except DomainError as exc:
        for name, _problem in exc.fields.items():
            if name in form.fields:
                form.add_error(name, exc.detail)
                break
        else:
            form.add_error(None, exc.detail)
        return _workspace(request, _load(request, code), bound=form, error=exc.detail, status=exc.status)
    messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": ACTION_LABELS[action]})
    return redirect("backoffice:dossier", code=dossier.code)


def _stale(request: HttpRequest, dossier: Dossier, *, prefix: str = "") -> bool:
    """The page's version (missing or unreadable counts as stale) differs from the dossier's."""
    raw = request.POST.get(f"{prefix}-version" if prefix else "version", "")
    return not raw.isdigit() or int(raw) != dossier.version


@require_POST
@officer_required
def extension_propose(request: HttpRequest, code: str) -> HttpResponse:
    """A receiver or specialist proposes an extension (form 04) for the leader to approve."""
    dossier = _load(request, code)
    if _stale(request, dossier):
        return _workspace(request, dossier, conflict=_conflict(dossier), status=409)
    form = ExtensionProposeForm(request.POST)
    if not form.is_valid():
        return _workspace(
            request,
            dossier,
            propose_form=form,
            error=_("Chưa gửi đề nghị gia hạn: hãy bổ sung thông tin được đánh dấu."),
            status=400,
        )
    try:
        extension_proposal_create(
            actor=request.user,
            code=dossier.code,
            version=form.cleaned_data["version"],
            new_due_at=form.new_due_at(),
            reason=form.cleaned_data["reason"],
        )
    except StaleVersion:
        return _workspace(request, _load(request, code), conflict=_conflict(dossier), status=409)
    except DomainError as exc:
        field = "new_due_date" if "new_due_at" in exc.fields else ("reason" if "reason" in exc.fields else None)
        form.add_error(field, exc.detail)
        return _workspace(request, _load(request, code), propose_form=form, error=exc.detail, status=exc.status)
    messages.success(request, _("Đã gửi đề nghị gia hạn cho lãnh đạo duyệt."))
    return redirect("backoffice:dossier", code=dossier.code)


@require_POST
@officer_required
def extension_reject(request: HttpRequest, code: str) -> HttpResponse:
    """The leader does not approve the pending proposal, saying why."""
    dossier = _load(request, code)
    if _stale(request, dossier):
        return _workspace(request, dossier, conflict=_conflict(dossier), status=409)
    form = ExtensionRejectForm(request.POST)
    if not form.is_valid():
        return _workspace(request, dossier, reject_form=form, error=_("Vui lòng ghi lý do không duyệt."), status=400)
    try:
        extension_proposal_reject(
            actor=request.user,
            code=dossier.code,
            version=form.cleaned_data["version"],
            proposal_id=form.cleaned_data["proposal"],
            reason=form.cleaned_data["reason"],
        )
    except StaleVersion:
        return _workspace(request, _load(request, code), conflict=_conflict(dossier), status=409)
    except DomainError as exc:
        form.add_error("reason" if "reason" in exc.fields else None, exc.detail)
        return _workspace(request, _load(request, code), reject_form=form, error=exc.detail, status=exc.status)
    messages.success(request, _("Đã trả lời: không duyệt đề nghị gia hạn."))
    return redirect("backoffice:dossier", code=dossier.code)


@require_POST
@officer_required
def counter_payment(request: HttpRequest, code: str) -> HttpResponse:
    """A receiver records the fee paid at the desk (the dossier's `pay` action)."""
    dossier = _load(request, code)
    if _stale(request, dossier, prefix="pay"):
        return _workspace(request, dossier, conflict=_conflict(dossier), status=409)
    form = CounterPaymentForm(request.POST, prefix="pay")
    if not form.is_valid():
        error = _("Chưa ghi nhận nộp phí tại quầy: hãy bổ sung thông tin được đánh dấu.")
        return _workspace(request, dossier, pay_form=form, error=error, status=400)
    try:
        invoice = dossier_pay_at_counter(
            actor=request.user,
            code=dossier.code,
            version=form.cleaned_data["version"],
            receipt_number=form.cleaned_data["receipt_number"],
        )
    except StaleVersion:
        return _workspace(request, _load(request, code), conflict=_conflict(dossier), status=409)
    except DomainError as exc:
        form.add_error("receipt_number" if "receipt_number" in exc.fields else None, exc.detail)
        return _workspace(request, _load(request, code), pay_form=form, error=exc.detail, status=exc.status)
    messages.success(
        request,
        _("Đã ghi nhận nộp %(amount)s tại quầy (biên lai số %(number)s).")
        % {"amount": format_vnd(invoice.amount_vnd), "number": invoice.counter_receipt_number},
    )
    return redirect("backoffice:dossier", code=dossier.code)


@require_POST
@officer_required
def fee_refund(request: HttpRequest, code: str, reference: str) -> HttpResponse:
    """A receiver or leader gives back a paid fee of a refused or stopped dossier."""
    dossier = _load(request, code)
    try:
        invoice = invoice_get_for_user(request.user, reference)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if invoice.dossier_id != dossier.pk:
        raise Http404
    if _stale(request, dossier, prefix=reference):
        return _workspace(request, dossier, conflict=_conflict(dossier), status=409)
    form = RefundForm(request.POST, prefix=reference)
    if not form.is_valid():
        error = _("Chưa hoàn trả phí, lệ phí: hãy bổ sung thông tin được đánh dấu.")
        return _workspace(request, dossier, refund_form=form, refund_reference=reference, error=error, status=400)
    try:
        refunded = invoice_refund(actor=request.user, invoice=invoice, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        form.add_error("reason" if "reason" in exc.fields else None, exc.detail)
        return _workspace(
            request,
            _load(request, code),
            refund_form=form,
            refund_reference=reference,
            error=exc.detail,
            status=exc.status,
        )
    messages.success(request, _("Đã hoàn trả %(amount)s phí, lệ phí.") % {"amount": format_vnd(refunded.amount_vnd)})
    return redirect(reverse("backoffice:dossier", args=[dossier.code]) + "#fees-title")


@require_GET
@officer_required
@xframe_options_sameorigin
def document(request: HttpRequest, code: str, document_id: int) -> FileResponse:
    """A document of the dossier, inline, for the officers who may see the dossier (404 otherwise)."""
    dossier = _load(request, code)
    item = DossierDocument.objects.select_related("file").filter(dossier=dossier, pk=document_id).first()
    if item is None or item.file is None:
        raise Http404
    response = FileResponse(
        io.BytesIO(files.file_read(item.file)),
        content_type=item.file.content_type,
        filename=item.file.name,
        as_attachment=request.GET.get("tai") == "1",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@officer_required
@xframe_options_sameorigin
def control_sheet(request: HttpRequest, code: str) -> HttpResponse:
    """Form 06, the control sheet, rendered now from the step log (never stored: it changes)."""
    dossier = _load(request, code)
    pdf = render_form_pdf(dossier, "06")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="Mau-06-{dossier.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@officer_required
def dossier_message(request: HttpRequest, code: str) -> HttpResponse:
    """Write to the applicant (the conversation, not the log)."""
    dossier = _load(request, code)
    try:
        dossier_message_post(
            user=request.user, dossier=dossier, text=request.POST.get("text", ""), files=request.FILES.getlist("files")
        )
    except DomainError as exc:
        return _workspace(request, dossier, message_error=exc.detail, status=exc.status)
    messages.success(request, _("Đã gửi tin nhắn cho người nộp."))
    return redirect(reverse("backoffice:dossier", args=[dossier.code]) + "#messages-title")
