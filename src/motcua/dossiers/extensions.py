"""Proposals to extend a dossier about to be late (form 04), for the leader to decide.

Only a leader may `extend` (lifecycle.py). A receiver or specialist of the agency holding the
dossier proposes a new appointment date and the reason; the leader sees it in the queue
"Đề nghị gia hạn chờ duyệt" and in the dossier's extend form, prefilled. Approving runs the
lifecycle action `extend` (form 04, the public log's line) with the proposal's date and
reason, or the leader's corrections; rejecting records the leader's reason. Proposing and
rejecting are internal log events (not shown to the applicant) and, like every change, make
an open page of the dossier stale.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.core.errors import BadInput, Conflict, PermissionDenied, StaleVersion
from motcua.core.text import normalize
from motcua.core.timeutil import to_vn
from motcua.dossiers.lifecycle import Role, TransitionRefused, decide
from motcua.dossiers.models import Dossier, ExtensionProposal
from motcua.dossiers.selectors import dossier_get_for_user, dossier_roles_of
from motcua.dossiers.services import append_system_event, dossier_act, dossier_state

PROPOSE_TITLE = "Đề nghị gia hạn thời gian giải quyết"
REJECT_TITLE = "Lãnh đạo không duyệt đề nghị gia hạn"
PROPOSER_ROLES = (Role.SPECIALIST, Role.RECEIVER)


def extension_proposal_pending(dossier: Dossier) -> ExtensionProposal | None:
    """The proposal awaiting the leader for this dossier, if any."""
    return (
        ExtensionProposal.objects.select_related("proposed_by")
        .filter(dossier=dossier, state=ExtensionProposal.State.PENDING)
        .first()
    )


def extension_proposable(dossier: Dossier, *, now: datetime | None = None) -> str | None:
    """Why an extension cannot be proposed now (the leader's `extend` would be refused), or None."""
    try:
        decide(dossier_state(dossier, now=now or timezone.now()), "extend", {Role.LEADER})
    except TransitionRefused as refused:
        return refused.reason
    return None


def _locked(actor: User, code: str, version: int | None) -> Dossier:
    dossier = dossier_get_for_user(actor, code, for_update=True)
    if version is not None and version != dossier.version:
        raise StaleVersion(current_version=dossier.version)
    return dossier


def _reason(text: str) -> str:
    reason = normalize(text or "")
    if not reason:
        raise BadInput(
            "Vui lòng ghi lý do chậm và lời xin lỗi người nộp (đưa vào mẫu 04).", fields={"reason": "required"}
        )
    if len(reason) > 4000:
        raise BadInput("Lý do dài tối đa 4.000 ký tự.", fields={"reason": "too_long"})
    return reason


def extension_proposal_create(
    *,
    actor: User,
    code: str,
    version: int | None,
    new_due_at: datetime,
    reason: str,
    now: datetime | None = None,
) -> ExtensionProposal:
    """A receiver or specialist of the holding agency proposes a new appointment date."""
    now = now or timezone.now()
    reason = _reason(reason)
    if new_due_at.tzinfo is None:
        raise BadInput("Ngày hẹn mới cần có múi giờ.", fields={"new_due_at": "invalid"})
    with transaction.atomic():
        dossier = _locked(actor, code, version)
        roles = dossier_roles_of(actor, dossier)
        role = next((r for r in PROPOSER_ROLES if r in roles), None)
        if role is None:
            if Role.LEADER in roles:
                raise PermissionDenied(
                    "Lãnh đạo gia hạn trực tiếp bằng “Xin lỗi, gia hạn (mẫu 04)”, không cần đề nghị."
                )
            raise PermissionDenied("Chỉ cán bộ tiếp nhận, chuyên viên của cơ quan đang giữ hồ sơ mới đề nghị gia hạn.")
        if why := extension_proposable(dossier, now=now):
            raise Conflict(why)
        if dossier.due_at is None or new_due_at <= dossier.due_at:
            raise BadInput("Ngày hẹn mới phải sau ngày hẹn hiện tại.", fields={"new_due_at": "too_early"})
        if extension_proposal_pending(dossier) is not None:
            raise Conflict("Hồ sơ đã có đề nghị gia hạn đang chờ lãnh đạo duyệt.")
        try:
            with transaction.atomic():
                proposal = ExtensionProposal.objects.create(
                    dossier=dossier,
                    agency=dossier.current_agency,
                    proposed_by=actor,
                    proposed_at=now,
                    current_due_at=dossier.due_at,
                    new_due_at=new_due_at,
                    reason=reason,
                )
        except IntegrityError:
            raise Conflict("Hồ sơ đã có đề nghị gia hạn đang chờ lãnh đạo duyệt.") from None
        append_system_event(
            dossier,
            action="propose_extension",
            title=PROPOSE_TITLE,
            at=now,
            actor=actor,
            role=role,
            note=reason,
            public=False,
            data={
                "proposal": proposal.pk,
                "due_at": to_vn(dossier.due_at).isoformat(),
                "new_due_at": to_vn(new_due_at).isoformat(),
            },
        )
    return proposal


def _pending_for_leader(actor: User, dossier: Dossier, proposal_id: int | None) -> ExtensionProposal:
    if Role.LEADER not in dossier_roles_of(actor, dossier):
        raise PermissionDenied("Chỉ lãnh đạo của cơ quan đang giữ hồ sơ mới duyệt đề nghị gia hạn.")
    proposal = extension_proposal_pending(dossier)
    if proposal is None or (proposal_id is not None and proposal.pk != proposal_id):
        raise Conflict("Đề nghị gia hạn này không còn chờ duyệt; hãy tải lại trang.")
    return proposal


def extension_proposal_approve(
    *,
    actor: User,
    code: str,
    version: int | None,
    proposal_id: int | None = None,
    new_due_at: datetime | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Dossier:
    """The leader approves: `extend` runs with the proposal's date and reason (or the leader's)."""
    now = now or timezone.now()
    with transaction.atomic():
        dossier = _locked(actor, code, version)
        proposal = _pending_for_leader(actor, dossier, proposal_id)
        dossier = dossier_act(
            actor=actor,
            code=code,
            action="extend",
            version=dossier.version,
            note=normalize(note or "") or proposal.reason,
            params={"new_due_at": new_due_at or proposal.new_due_at},
            now=now,
        )
        proposal.state = ExtensionProposal.State.APPROVED
        proposal.decided_by = actor
        proposal.decided_at = now
        proposal.decision_note = normalize(note or "")
        proposal.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    return dossier


def extension_proposal_reject(
    *,
    actor: User,
    code: str,
    version: int | None,
    reason: str,
    proposal_id: int | None = None,
    now: datetime | None = None,
) -> ExtensionProposal:
    """The leader rejects the proposal, saying why (the proposer reads it in the log)."""
    now = now or timezone.now()
    reason = normalize(reason or "")
    if not reason:
        raise BadInput("Vui lòng ghi lý do không duyệt để cán bộ đề nghị biết.", fields={"reason": "required"})
    with transaction.atomic():
        dossier = _locked(actor, code, version)
        proposal = _pending_for_leader(actor, dossier, proposal_id)
        proposal.state = ExtensionProposal.State.REJECTED
        proposal.decided_by = actor
        proposal.decided_at = now
        proposal.decision_note = reason[:4000]
        proposal.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        append_system_event(
            dossier,
            action="reject_extension",
            title=REJECT_TITLE,
            at=now,
            actor=actor,
            role=Role.LEADER,
            note=proposal.decision_note,
            public=False,
            data={"proposal": proposal.pk},
        )
    return proposal
