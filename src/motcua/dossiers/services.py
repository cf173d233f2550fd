"""The only code that changes a dossier.

Each action runs in one transaction: lock the row, check the version (optimistic lock) and
the actor's roles, ask the pure lifecycle table, apply the clock effect in working time,
append exactly one hash-chained event, and write side effects to the outbox, which a worker
delivers after commit.
"""

import copy
import math
from datetime import datetime, timedelta
from typing import Any

import jsonschema
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.accounts.models import ApplicantProfile, OfficerMembership, User
from motcua.accounts.rules import officer_roles_in
from motcua.catalog.models import ProcedureVersion, ProcessStep
from motcua.catalog.selectors import procedure_version_in_force
from motcua.catalog.services import procedure_popularity_bump
from motcua.core import outbox
from motcua.core.codes import next_dossier_code
from motcua.core.errors import BadInput, Conflict, InvalidFormData, NotFound, PermissionDenied, StaleVersion
from motcua.core.text import fold, normalize
from motcua.core.timeutil import to_vn
from motcua.directory.models import Agency
from motcua.dossiers import deadlines
from motcua.dossiers.forms import issue_form, issue_result_document
from motcua.dossiers.hashing import GENESIS, event_digest, event_fields
from motcua.dossiers.lifecycle import (
    TRANSITIONS,
    Clock,
    ClockEffect,
    DossierState,
    Role,
    Status,
    TransitionRefused,
    decide,
    step_marks,
)
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierPause,
    DossierStepLog,
    DueDateChange,
    StoredFile,
)
from motcua.dossiers.selectors import dossier_get_for_user, dossier_roles_of
from motcua.dossiers.state_documents import state_document_take
from motcua.signing.services import dossier_document_sign

SYSTEM_ACTOR_NAME = "Hệ thống MotCua"


# --- submission -------------------------------------------------------------------------------


def dossier_submit(
    *,
    actor: User,
    procedure_code: str,
    form: dict[str, Any],
    documents: list[dict[str, Any]] | None = None,
    idempotency_key: str | None = None,
    channel: int = Channel.ONLINE,
    agency_code: str | None = None,
    now: datetime | None = None,
    applicant: User | None = None,
) -> tuple[Dossier, bool]:
    """Submit a dossier online (status 1). Returns (dossier, created).

    The same Idempotency-Key from the same applicant returns the first dossier, so a
    retried request after a dropped connection never files twice.

    With `applicant`, a receiver of the receiving agency files a paper dossier for that
    applicant at the counter or from the post (`channel` in person or post); the files are
    the officer's scans (documents may say `digitised`).
    """
    at_counter = applicant is not None
    if at_counter:
        if channel == Channel.ONLINE or not actor.is_officer:
            raise PermissionDenied("Chỉ cán bộ tiếp nhận mới nhận hồ sơ trực tiếp hoặc qua bưu chính.")
    elif not actor.is_applicant:
        raise PermissionDenied("Chỉ công dân, doanh nghiệp, tổ chức mới nộp hồ sơ trực tuyến.")
    owner = applicant or actor
    if idempotency_key:
        idempotency_key = idempotency_key.strip()[:100]
        existing = Dossier.objects.filter(applicant=owner, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    profile = ApplicantProfile.objects.filter(user=owner).first()
    if profile is None:
        raise BadInput(
            "Tài khoản chưa có thông tin người nộp (số định danh hoặc mã số thuế). Hãy cập nhật hồ sơ cá nhân."
        )
    now = now or timezone.now()
    version = _version_in_force(procedure_code, now)
    if channel == Channel.ONLINE and version.online_mode == "none":
        raise Conflict("Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp trực tiếp hoặc qua bưu chính.")
    form = _validated_form(version, form)
    step_roles = list(version.steps.values_list("role", flat=True))
    first_step, approval_step = step_marks(step_roles)
    agency = _receiving_agency(version, agency_code=agency_code, address=profile.address, on=now)
    if at_counter and "receiver" not in officer_roles_in(actor, agency.pk):
        raise PermissionDenied("Bạn không phải cán bộ tiếp nhận của cơ quan nhận hồ sơ này.")
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                code=next_dossier_code(agency.code, now),
                procedure=version.procedure,
                procedure_version=version,
                applicant=owner,
                submitted_by=actor,
                applicant_kind=profile.kind,
                applicant_name=profile.name,
                applicant_name_folded=fold(profile.name)[:255],
                applicant_id_number=profile.id_number,
                applicant_phone=owner.phone,
                applicant_email=owner.email,
                applicant_address=profile.address,
                summary=_summary(version, profile.name),
                channel=channel,
                receiving_agency=agency,
                current_agency=agency,
                home_agency=agency,
                status=Status.SUBMITTED,
                step_count=len(step_roles),
                first_step_index=first_step,
                approval_step_index=approval_step,
                form_data=form,
                submitted_at=now,
                idempotency_key=idempotency_key or None,
            )
            _attach_input_documents(dossier, version, documents or [], actor)
            _append_event(
                dossier,
                action="submit",
                role=Role.RECEIVER if at_counter else Role.APPLICANT,
                actor=actor,
                at=now,
                from_status=None,
                title=TRANSITIONS["submit"].title,
                data={"attachments": document_refs(dossier.documents.all())},
            )
            procedure_popularity_bump(procedure_code=version.procedure.code)
            _enqueue_change(dossier, "submit")
    except IntegrityError:
        # Two requests with one Idempotency-Key raced: the other one won; return its dossier.
        if idempotency_key:
            existing = Dossier.objects.filter(applicant=owner, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing, False
        raise
    return dossier, True


def _version_in_force(procedure_code: str, now: datetime) -> ProcedureVersion:
    return procedure_version_in_force(code=procedure_code, on=to_vn(now).date())


def _validated_form(version: ProcedureVersion, form: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(form, dict):
        raise InvalidFormData("Tờ khai phải là một đối tượng JSON.")
    form = {key: normalize(value) if isinstance(value, str) else value for key, value in form.items()}
    schema = version.form_schema or {"type": "object"}
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(form), key=lambda e: list(e.path))
    if errors:
        fields: dict[str, str] = {}
        properties = schema.get("properties", {})
        for error in errors:
            name = ".".join(str(p) for p in error.path) or _missing_field(error) or "form"
            label = properties.get(name, {}).get("title", name)
            fields[name] = _friendly_schema_error(error, label, properties.get(name, {}))
        raise InvalidFormData(
            "Tờ khai còn thông tin chưa đúng: " + "; ".join(fields.values()),
            fields=fields,
        )
    return form


def _missing_field(error: jsonschema.ValidationError) -> str | None:
    if error.validator == "required" and isinstance(error.message, str) and error.message.startswith("'"):
        return error.message.split("'")[1]
    return None


def _friendly_schema_error(error: jsonschema.ValidationError, label: str, field_schema: dict[str, Any]) -> str:
    example = (field_schema.get("examples") or [None])[0]
    hint = f", ví dụ {example}" if example not in (None, "") else ""
    if error.validator == "required":
        return f"Vui lòng nhập “{label}”."
    if error.validator in ("pattern", "format", "minLength", "maxLength", "type", "enum", "minimum", "maximum"):
        return f"“{label}” chưa đúng định dạng{hint}."
    return f"“{label}”: {error.message}"


def _receiving_agency(version: ProcedureVersion, *, agency_code: str | None, address: str, on: datetime) -> Agency:
    day = to_vn(on).date()
    candidates = Agency.objects.active_on(day)
    if version.all_commune_units:
        communes = candidates.filter(level__in=["ward", "commune", "special_zone"])
        if agency_code:
            agency = communes.filter(code=agency_code).first()
            if agency is None:
                raise BadInput("Phường/xã được chọn không nhận thủ tục này hoặc không còn hoạt động.")
            return agency
        # Dossiers are accepted regardless of residence; default to the ward named in the address.
        for agency in communes.only("id", "code", "name", "working_hours"):
            if agency.name and agency.name in address:
                return agency
        raise BadInput("Vui lòng chọn phường/xã nơi nộp hồ sơ (agency_code).", fields={"agency_code": "required"})
    links = version.agency_links.select_related("agency").filter(agency__in=candidates)
    if agency_code:
        link = links.filter(agency__code=agency_code).first()
        if link is None:
            raise BadInput("Cơ quan được chọn không tiếp nhận thủ tục này.")
        return link.agency
    link = links.filter(role="receiving").first() or links.first()
    if link is None:
        raise Conflict("Thủ tục chưa có cơ quan tiếp nhận đang hoạt động. Vui lòng liên hệ đường dây nóng.")
    return link.agency


def _summary(version: ProcedureVersion, applicant_name: str) -> str:
    return f"{version.name} – {applicant_name}"[:500]


def _attach_input_documents(
    dossier: Dossier, version: ProcedureVersion, documents: list[dict[str, Any]], actor: User
) -> None:
    requirements = {doc.code: doc for doc in version.documents.all()}
    given: set[str] = set()
    rows = []
    for item in documents:
        code = str(item.get("requirement_code", ""))
        requirement = requirements.get(code)
        if requirement is None:
            raise InvalidFormData(f"Giấy tờ “{code}” không thuộc thành phần hồ sơ của thủ tục này.")
        file_id = item.get("file_id")
        stored = StoredFile.objects.filter(pk=file_id, owner=actor).first() if isinstance(file_id, int) else None
        if stored is None:
            raise InvalidFormData(f"Không tìm thấy tệp đã tải lên cho “{requirement.name}”. Vui lòng tải lại.")
        given.add(code)
        rows.append(
            DossierDocument(
                dossier=dossier,
                kind=DossierDocument.Kind.INPUT,
                requirement_code=code,
                name=requirement.name,
                file=stored,
                uploaded_by=actor,
                reused_from=str(item.get("reused_from", ""))[:40],
                digitised=bool(item.get("digitised")),
            )
        )
    missing = []
    from_state = []
    for code, requirement in requirements.items():
        if code in given or not requirement.required:
            continue
        if requirement.state_data_source:
            from_state.append(requirement)
        else:
            missing.append(requirement.name)
    if missing:
        raise InvalidFormData(
            "Còn thiếu giấy tờ bắt buộc: " + "; ".join(missing) + ".", fields={"documents": "missing"}
        )
    for requirement in from_state:
        # "Declare only once": taken from the state's database instead of an upload. When the
        # database cannot be asked, no file: an officer asks for it (see state_documents).
        taken = state_document_take(
            source=requirement.state_data_source,
            requirement_name=requirement.name,
            dossier=dossier,
            now=dossier.submitted_at or timezone.now(),
        )
        rows.append(
            DossierDocument(
                dossier=dossier,
                kind=DossierDocument.Kind.INPUT,
                requirement_code=requirement.code,
                name=taken.name if taken else requirement.name,
                file=taken.file if taken else None,
                reused_from=requirement.state_data_source,
            )
        )
    DossierDocument.objects.bulk_create(rows)


# --- lifecycle actions ------------------------------------------------------------------------


# Fees are asked for and settled by the payments domain only (`payments.services`): asking
# creates the invoice in the same transaction, and only a paid invoice ends status 6.
PAYMENT_ACTIONS = frozenset({"request_payment", "pay"})


def dossier_act(
    *,
    actor: User | None,
    code: str,
    action: str,
    version: int | None,
    note: str = "",
    params: dict[str, Any] | None = None,
    now: datetime | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> Dossier:
    """Take one lifecycle action. `actor=None` means the system (callbacks, reorganisation).

    `attachments` names the papers that come with the action (a supplement's files): they are
    written into the event, so the hash chain covers what was handed in, not only that it was.

    The fee actions (`request_payment`, `pay`) are refused here: they go through
    `payments.services` (`dossier_request_payment`, the online payment, the counter payment).
    """
    return _act(
        actor=actor,
        code=code,
        action=action,
        version=version,
        note=note,
        params=params,
        now=now,
        attachments=attachments,
    )


def dossier_act_payment(
    *,
    actor: User | None,
    code: str,
    action: str,
    version: int | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Dossier:
    """`request_payment` or `pay`, for `payments.services` only: it creates the invoice in the same
    transaction, or has a paid invoice (`data` names it in the event)."""
    if action not in PAYMENT_ACTIONS:
        raise NotFound(f"Không có thao tác thu phí “{action}”.")
    return _act(actor=actor, code=code, action=action, version=version, note=note, now=now, fee=data or {})


def _act(
    *,
    actor: User | None,
    code: str,
    action: str,
    version: int | None,
    note: str = "",
    params: dict[str, Any] | None = None,
    now: datetime | None = None,
    fee: dict[str, Any] | None = None,
    attachments: list[dict[str, Any]] | None = None,
) -> Dossier:
    transition = TRANSITIONS.get(action)
    if transition is None or action == "submit":
        raise NotFound(f"Không có thao tác “{action}”.")
    params = params or {}
    note = normalize(note or "")
    now = now or timezone.now()
    with transaction.atomic():
        if actor is None:
            dossier = Dossier.objects.select_for_update(of=("self",)).filter(code=code).first()
            if dossier is None:
                raise NotFound("Không tìm thấy hồ sơ.")
            roles = {Role.SYSTEM}
        else:
            dossier = dossier_get_for_user(actor, code, for_update=True)
            roles = dossier_roles_of(actor, dossier)
        if version is not None and version != dossier.version:
            raise StaleVersion(current_version=dossier.version)
        if transition.note_required and not note:
            raise BadInput(
                "Vui lòng ghi rõ lý do (nội dung) để người nộp hiểu cần làm gì.", fields={"note": "required"}
            )
        state = dossier_state(dossier, now=now)
        try:
            outcome = decide(state, action, roles)
        except TransitionRefused as refused:
            if refused.code == "forbidden":
                raise PermissionDenied(refused.reason) from None
            raise Conflict(refused.reason) from None
        if action in PAYMENT_ACTIONS and fee is None:
            raise Conflict(
                "Yêu cầu đóng phí phải lập khoản phí cho người nộp cùng lúc: hãy dùng chức năng "
                "“Yêu cầu đóng phí, lệ phí”."
                if action == "request_payment"
                else "Hồ sơ chỉ tiếp tục khi khoản phí đã được thanh toán: trực tuyến, hoặc cán bộ một cửa "
                "ghi nhận nộp tại quầy kèm số biên lai."
            )
        previous_status = dossier.status
        role = _acting_role(roles, outcome.transition.roles)
        data = _apply(
            dossier, outcome.before, outcome.after, outcome.transition.clock, action, actor, role, params, now
        )
        if fee:
            data["invoice"] = fee
        # Results are recorded as `signed_documents` by approve/resolve themselves.
        if attachments:
            data["attachments"] = list(attachments)
        dossier.version += 1
        dossier.save()
        _append_event(
            dossier,
            action=action,
            role=role,
            actor=actor,
            at=now,
            from_status=previous_status,
            title=outcome.transition.title,
            note=note,
            public=outcome.transition.public,
            data=data,
        )
        if outcome.transition.form:
            _issue_form(dossier, outcome.transition.form, actor=actor, note=note)
        _enqueue_change(dossier, action)
    return dossier


def dossier_state(dossier: Dossier, *, now: datetime) -> DossierState:
    late = bool(dossier.due_at and dossier.clock == Clock.RUNNING and now > dossier.due_at)
    # Only a processing dossier not yet approved needs to know who may sign at resolve.
    leader_approval = (
        ProcessStep.objects.filter(version_id=dossier.procedure_version_id, role=Role.LEADER.value).exists()
        if dossier.status == Status.PROCESSING and not dossier.approved
        else True
    )
    return DossierState(
        status=Status(dossier.status),
        clock=Clock(dossier.clock),
        resume_status=Status(dossier.resume_status) if dossier.resume_status else None,
        step=dossier.step_index,
        step_count=dossier.step_count,
        first_step=dossier.first_step_index,
        approval_step=dossier.approval_step_index,
        approved=dossier.approved,
        transferred_out=dossier.transferred_out,
        late=late,
        supplement_requests=dossier.supplement_requests,
        pause_on_payment=settings.DOSSIER_PAUSE_ON_PAYMENT,
        leader_approval=leader_approval,
    )


def _acting_role(held: set[Role], allowed: frozenset[Role]) -> Role:
    # Prefer the most specific role for the log when someone holds several.
    for role in (Role.LEADER, Role.SPECIALIST, Role.RECEIVER, Role.APPLICANT, Role.SYSTEM):
        if role in held and role in allowed:
            return role
    return next(iter(held & allowed))


def _apply(
    dossier: Dossier,
    before: DossierState,
    after: DossierState,
    effect: ClockEffect,
    action: str,
    actor: User | None,
    role: Role,
    params: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    """Write the outcome onto the row; return what the event should record."""
    data: dict[str, Any] = {}
    due_before = dossier.due_at
    agency = dossier.current_agency
    if action == "supplement":
        dossier.supplement_returned_at = now  # "supplements that came back" (queues.py)
    elif actor is not None and actor.is_officer:
        dossier.supplement_returned_at = None  # the next officer action: the handler looked at it
    if effect is ClockEffect.START:
        dossier.received_at = now
        dossier.due_at = dossier.original_due_at = deadlines.due_at_for(
            version=dossier.procedure_version, received_at=now, agency=agency
        )
        data["due_at"] = to_vn(dossier.due_at).isoformat()
    if before.clock is Clock.RUNNING and after.clock is Clock.PAUSED:
        dossier.paused_at = now
        DossierPause.objects.create(dossier=dossier, reason=action, started_at=now)
    if before.clock is Clock.PAUSED and after.clock is Clock.RUNNING:
        data.update(_close_pause(dossier, now))
    if effect is ClockEffect.EXTEND:
        data.update(_extend(dossier, params, now))
    if effect is ClockEffect.STOP:
        dossier.finished_at = now
        if before.clock is Clock.PAUSED:
            # Stopped while waiting for the applicant: the pause ends here, the due date stays.
            dossier.pauses.filter(ended_at__isnull=True).update(ended_at=now)
            dossier.paused_at = None
        if action == "resolve":
            dossier.resolved_at = now
            dossier.on_time = dossier.due_at is None or now <= dossier.due_at
            data["on_time"] = dossier.on_time
        _close_step(dossier, now)

    if action == "assign":
        _open_step(dossier, after.step, params, now)
    elif action == "forward":
        _close_step(dossier, now)
        _open_step(dossier, after.step, params, now)
    elif action == "transfer":
        target = _transfer_target(dossier, params, now)
        dossier.current_agency = target
        dossier.current_handler = None
        data["to_agency"] = target.code
    elif action == "return_transfer":
        data["from_agency"] = dossier.current_agency.code
        dossier.current_agency = dossier.home_agency
        dossier.current_handler = _default_handler(dossier.home_agency, _step_role(dossier, dossier.step_index))
    elif action == "approve":
        # Signing is the leader's action: the result is attached (or written) and signed now.
        data["signed_documents"] = _attach_and_sign_result(dossier, params, actor, now)
    elif action == "resolve":
        data.update(_resolve_result(dossier, before, params, actor, role, now))
    elif action == "return_result":
        dossier.returned_at = now
        dossier.return_channel = int(params.get("channel") or dossier.channel)
        data["channel"] = dossier.return_channel
    elif action == "reassign":
        successor = params.get("successor")
        if not isinstance(successor, Agency):
            raise BadInput("Cần cơ quan kế thừa để chuyển hồ sơ.")
        predecessor = params.get("predecessor") or dossier.current_agency
        data["from_agency"], data["to_agency"] = predecessor.code, successor.code
        if dossier.home_agency_id == predecessor.pk:  # out at a partner: it comes back to the successor
            dossier.home_agency = successor
        if dossier.current_agency_id == predecessor.pk:
            dossier.current_agency = successor

    dossier.status = int(after.status) if after.status else dossier.status
    dossier.clock = after.clock.value
    dossier.resume_status = int(after.resume_status) if after.resume_status else None
    dossier.step_index = after.step
    dossier.approved = after.approved
    dossier.transferred_out = after.transferred_out
    dossier.supplement_requests = after.supplement_requests
    if dossier.due_at != due_before:
        # A new appointment (pause ended, extension): its due-soon reminder and late flag are still to come.
        dossier.due_soon_notified_at = None
        dossier.late_notified_at = None
    return data


def _close_pause(dossier: Dossier, now: datetime) -> dict[str, Any]:
    """End the pause and move the due dates by its length in working time."""
    pause = dossier.pauses.filter(ended_at__isnull=True).order_by("-started_at").first()
    started = pause.started_at if pause else dossier.paused_at
    if pause is not None:
        pause.ended_at = now
        pause.save(update_fields=["ended_at"])
    dossier.paused_at = None
    if started is None or dossier.due_at is None:
        return {}
    paused_for = deadlines.working_time_between(agency=dossier.current_agency, start=started, end=now)
    if paused_for <= timedelta(0):
        return {}
    previous = dossier.due_at
    dossier.due_at = deadlines.push_by(agency=dossier.current_agency, moment=previous, duration=paused_for)
    if dossier.step_due_at:
        dossier.step_due_at = deadlines.push_by(
            agency=dossier.current_agency, moment=dossier.step_due_at, duration=paused_for
        )
        # The control sheet (form 06) judges each step against its due time, pause included.
        dossier.step_logs.filter(ended_at__isnull=True, due_at__isnull=False).update(due_at=dossier.step_due_at)
    DueDateChange.objects.create(
        dossier=dossier, previous_due_at=previous, new_due_at=dossier.due_at, reason=DueDateChange.Reason.PAUSE, at=now
    )
    return {"paused_working_seconds": int(paused_for.total_seconds()), "due_at": to_vn(dossier.due_at).isoformat()}


def _extend(dossier: Dossier, params: dict[str, Any], now: datetime) -> dict[str, Any]:
    previous = dossier.due_at
    if previous is None:
        raise Conflict("Hồ sơ chưa có ngày hẹn trả để gia hạn.")
    new_due: datetime | None = None
    if params.get("new_due_at"):
        raw = params["new_due_at"]
        new_due = raw if isinstance(raw, datetime) else parse_datetime(str(raw))
        if new_due is None or new_due.tzinfo is None:
            raise BadInput("Ngày hẹn mới cần có dạng 2027-02-20T17:00:00+07:00.", fields={"new_due_at": "invalid"})
    else:
        # Default: as long again as the procedure's own time limit (at least one working day).
        days = int(params.get("extra_days") or max(1, math.ceil(dossier.procedure_version.processing_days or 1)))
        new_due = deadlines.extend_by_days(agency=dossier.current_agency, due_at=previous, days=days)
    if new_due <= previous:
        raise BadInput("Ngày hẹn mới phải sau ngày hẹn hiện tại.", fields={"new_due_at": "too_early"})
    dossier.due_at = new_due
    DueDateChange.objects.create(
        dossier=dossier, previous_due_at=previous, new_due_at=new_due, reason=DueDateChange.Reason.EXTENSION, at=now
    )
    return {"previous_due_at": to_vn(previous).isoformat(), "due_at": to_vn(new_due).isoformat()}


def _steps(dossier: Dossier) -> list:
    return list(dossier.procedure_version.steps.select_related("agency").order_by("order", "id"))


def _step_role(dossier: Dossier, index: int) -> str:
    steps = _steps(dossier)
    return steps[index].role if 0 <= index < len(steps) else "specialist"


def _valid_memberships(agency: Agency, role: str, on: datetime | None = None) -> QuerySet[OfficerMembership]:
    """Memberships holding `role` in `agency` on that day (valid_from ≤ day ≤ valid_to), active users."""
    day = to_vn(on or timezone.now()).date()
    return OfficerMembership.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        agency=agency,
        role=role,
        valid_from__lte=day,
        user__is_active=True,
    )


def _default_handler(agency: Agency, role: str, on: datetime | None = None) -> User | None:
    membership = _valid_memberships(agency, role, on).select_related("user").order_by("id").first()
    return membership.user if membership else None


_ROLE_NAMES = {
    "receiver": "cán bộ một cửa",
    "specialist": "chuyên viên xử lý",
    "leader": "lãnh đạo",
}


def _open_step(dossier: Dossier, index: int, params: dict[str, Any], now: datetime) -> None:
    steps = _steps(dossier)
    step = steps[index] if 0 <= index < len(steps) else None
    role = step.role if step else "specialist"
    handler = None
    if params.get("handler"):
        username = str(params["handler"])
        membership = _valid_memberships(dossier.current_agency, role, now).filter(user__username=username).first()
        if membership is None:
            raise BadInput(
                f"Người xử lý được chọn không phải {_ROLE_NAMES.get(role, role)} đang công tác tại cơ quan "
                f"đang giữ hồ sơ (bước “{step.name if step else 'Xử lý hồ sơ'}”). Vui lòng chọn người khác.",
                fields={"handler": "invalid"},
            )
        handler = membership.user
    dossier.current_handler = handler or _default_handler(dossier.current_agency, role, now)
    dossier.step_started_at = now
    dossier.step_due_at = (
        deadlines.step_due_at(agency=dossier.current_agency, started_at=now, hours=float(step.hours)) if step else None
    )
    DossierStepLog.objects.create(
        dossier=dossier,
        step_index=index,
        step_name=step.name if step else "Xử lý hồ sơ",
        agency=dossier.current_agency,
        handler=dossier.current_handler,
        started_at=now,
        due_at=dossier.step_due_at,
    )


def _close_step(dossier: Dossier, now: datetime) -> None:
    log = dossier.step_logs.filter(ended_at__isnull=True).order_by("-started_at").first()
    if log is not None:
        log.ended_at = now
        log.on_time = log.due_at is None or now <= log.due_at
        log.save(update_fields=["ended_at", "on_time"])


def _transfer_target(dossier: Dossier, params: dict[str, Any], now: datetime) -> Agency:
    code = params.get("agency_code")
    if not code:
        # Default: the agency the procedure's next step belongs to, when it is another one.
        for step in _steps(dossier)[dossier.step_index + 1 :]:
            if step.agency_id and step.agency_id != dossier.current_agency_id:
                return step.agency
        raise BadInput("Vui lòng chọn cơ quan phối hợp (agency_code).", fields={"agency_code": "required"})
    target = Agency.objects.active_on(to_vn(now).date()).filter(code=code).first()
    if target is None or target.pk == dossier.current_agency_id:
        raise BadInput("Cơ quan phối hợp không hợp lệ.", fields={"agency_code": "invalid"})
    return target


def _attach_and_sign_result(
    dossier: Dossier, params: dict[str, Any], actor: User | None, now: datetime
) -> list[dict[str, Any]]:
    """Attach the result (an uploaded PDF, or one the system writes) and sign it in the leader's
    name for the agency; returns what was signed (name, SHA-256) for the log."""
    file_id = params.get("file_id")
    if file_id:
        stored = StoredFile.objects.filter(pk=file_id).first()
        if stored is None or (actor is not None and stored.owner_id != actor.pk):
            raise BadInput("Không tìm thấy tệp kết quả đã tải lên.", fields={"file_id": "invalid"})
        if stored.content_type != "application/pdf":
            raise BadInput("Kết quả phải là tệp PDF để ký số.", fields={"file_id": "not_pdf"})
        DossierDocument.objects.create(
            dossier=dossier,
            kind=DossierDocument.Kind.RESULT,
            name=f"Kết quả: {dossier.procedure_version.result_name or dossier.procedure_version.name}"[:500],
            file=stored,
            uploaded_by=actor,
        )
    elif not dossier.documents.filter(kind=DossierDocument.Kind.RESULT).exists():
        # The result's decision date is when the leader signs it, not when it is handed over.
        signing = copy.copy(dossier)
        signing.resolved_at = signing.resolved_at or now
        issue_result_document(signing, actor=actor)
    signed = []
    for document in dossier.documents.filter(kind=DossierDocument.Kind.RESULT, signed=False).select_related("file"):
        document = dossier_document_sign(document=document, actor=actor)
        signed.append({"name": document.name, "sha256": document.file.sha256 if document.file else None})
    return signed


def _resolve_result(
    dossier: Dossier, before: DossierState, params: dict[str, Any], actor: User | None, role: Role, now: datetime
) -> dict[str, Any]:
    """At resolve the result is already signed by the leader who approved it; a leader resolving
    (a process without a leader's approval step, or an extra result) signs now."""
    if role is Role.LEADER:
        signed = _attach_and_sign_result(dossier, params, actor, now)
        return {"signed_documents": signed} if signed else {}
    if params.get("file_id"):
        raise BadInput(
            "Kết quả do lãnh đạo đính kèm và ký số khi phê duyệt; khi ban hành không thay hoặc thêm tệp kết quả.",
            fields={"file_id": "not_allowed"},
        )
    results = list(dossier.documents.filter(kind=DossierDocument.Kind.RESULT).values_list("signed", flat=True))
    if not results or not all(results):
        raise Conflict("Kết quả chưa được lãnh đạo ký số. Lãnh đạo cần phê duyệt và ký kết quả trước khi ban hành.")
    return {}


def _issue_form(dossier: Dossier, number: str, *, actor: User | None, note: str) -> None:
    """Official forms are issued signed by the agency (Circular 03/2025: an electronic document)."""
    document = issue_form(dossier, number, actor=actor, note=note)
    dossier_document_sign(document=document, actor=actor)


# --- the log and the outbox -------------------------------------------------------------------


def document_refs(documents: QuerySet[DossierDocument]) -> list[dict[str, Any]]:
    """What an event records of the papers handed in with it: enough to prove which bytes they were."""
    return [
        {"name": name, "requirement_code": requirement, "sha256": sha256 or "", "reused_from": reused}
        for name, requirement, sha256, reused in documents.order_by("id").values_list(
            "name", "requirement_code", "file__sha256", "reused_from"
        )
    ]


def _append_event(
    dossier: Dossier,
    *,
    action: str,
    role: Role,
    actor: User | None,
    at: datetime,
    from_status: int | None,
    title: str,
    note: str = "",
    public: bool = True,
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    last = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").only("seq", "hash").first()
    event = DossierEvent(
        dossier=dossier,
        seq=(last.seq + 1) if last else 1,
        at=at,
        actor=actor,
        actor_name=(actor.full_name or actor.username) if actor else SYSTEM_ACTOR_NAME,
        role=role.value,
        action=action,
        title=title,
        from_status=from_status,
        to_status=dossier.status,
        step_index=dossier.step_index,
        agency_code=dossier.current_agency.code,
        note=note,
        public=public,
        data=data or {},
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event_digest(prev_hash=event.prev_hash, fields=event_fields(event))
    event.save()
    return event


def append_system_event(
    dossier: Dossier,
    *,
    action: str,
    title: str,
    at: datetime,
    data: dict[str, Any] | None = None,
    actor: User | None = None,
    role: Role = Role.SYSTEM,
    note: str = "",
    public: bool = True,
) -> DossierEvent:
    """An event the system records without a status change (lateness flagged, a refund).

    It bumps the dossier's version like any change: one event per version, which anchors the
    end of the hash chain (`verify_dossier_log` compares the last event with the version) and
    makes a page opened before it stale, and queues one `dossier.changed` message (the national
    portal hears of a refund too). Call it with the dossier row locked.
    """
    dossier.version += 1
    Dossier.objects.filter(pk=dossier.pk).update(version=dossier.version)
    event = _append_event(
        dossier,
        action=action,
        role=role,
        actor=actor,
        at=at,
        from_status=dossier.status,
        title=title,
        note=note,
        public=public,
        data=data,
    )
    # Like every change, it reaches the national portal and the notifications (a refund, lateness).
    _enqueue_change(dossier, action)
    return event


def _enqueue_change(dossier: Dossier, action: str) -> None:
    """One message per change: the national-portal sync and notifications read it."""
    outbox.enqueue(
        topic="dossier.changed",
        payload={"code": dossier.code, "action": action, "status": dossier.status, "version": dossier.version},
        key=f"dossier:{dossier.code}:v{dossier.version}",
    )
