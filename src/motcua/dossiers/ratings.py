"""The citizen's evaluation of a dossier (domain.md § Evaluation): nine criteria, 0–2 points each.

Once per dossier, by its applicant, after the result was returned (status 10). A bad rating
(weak or average grade, or any criterion at 0) counts as a "dislike" for the satisfaction
indicator; with it the applicant may send a complaint, recorded as a message of kind
"complaint" that the agency's officers see with the dossier.

Officers answer complaints (`complaint_answer`): the answer is a message of kind "complaint"
written by an officer, so the applicant reads it in the dossier's conversation and on its
rating page, and `notifications` sends `feedback_answered` from its outbox message. An
answer answers every complaint the applicant sent on that dossier before it (one reply to a
thread); a complaint sent after an answer is open again.
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.accounts.rules import is_system_admin, officer_agency_ids
from motcua.core import outbox
from motcua.core.errors import BadInput, Conflict, NotFound, PermissionDenied
from motcua.core.text import normalize
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.messages import MAX_TEXT_CHARS, dossier_message_post, message_role_of
from motcua.dossiers.models import Dossier, DossierMessage, DossierRating
from motcua.dossiers.selectors import dossier_get_for_user

CRITERIA = tuple(name for name, _label in DossierRating.CRITERIA)
MAX_COMMENT_CHARS = 2000
# domain.md grades: > 15 excellent, 12–15 good, 9–12 fair, 6–9 average, < 6 weak.
GRADES: tuple[tuple[int, str, str], ...] = (
    (16, "excellent", "Rất hài lòng"),
    (12, "good", "Hài lòng"),
    (9, "fair", "Tạm hài lòng"),
    (6, "average", "Chưa hài lòng"),
    (0, "weak", "Không hài lòng"),
)
# Points of each answer; the words are what the form shows.
POINTS = {0: _("Chưa tốt"), 1: _("Bình thường"), 2: _("Tốt")}


def rating_grade(total: int) -> tuple[str, str]:
    for floor, code, label in GRADES:
        if total >= floor:
            return code, label
    return GRADES[-1][1], GRADES[-1][2]


def rating_is_bad(scores: dict[str, int]) -> bool:
    total = sum(scores.values())
    return rating_grade(total)[0] in {"average", "weak"} or 0 in scores.values()


def rating_can_rate(user: User, dossier: Dossier) -> bool:
    return dossier.applicant_id == user.pk and dossier.status == Status.RETURNED


def _scores(raw: dict[str, Any]) -> dict[str, int]:
    scores: dict[str, int] = {}
    errors: dict[str, str] = {}
    labels = dict(DossierRating.CRITERIA)
    for name in CRITERIA:
        value = raw.get(name)
        number = None
        if isinstance(value, int | str) and not isinstance(value, bool):
            try:
                number = int(value)
            except ValueError:
                number = None
        if number is None or number not in POINTS:
            errors[name] = f"Vui lòng chọn mức đánh giá cho “{labels[name]}” (0, 1 hoặc 2 điểm)."
        else:
            scores[name] = number
    if errors:
        raise BadInput("Còn tiêu chí chưa được đánh giá: " + " ".join(errors.values()), fields=errors)
    return scores


def dossier_rate(
    *,
    user: User,
    code: str,
    scores: dict[str, Any],
    comment: str = "",
    complaint: str = "",
    now: datetime | None = None,
) -> DossierRating:
    """Record the applicant's evaluation; a complaint (only with a bad rating) goes to the officers."""
    dossier = dossier_get_for_user(user, code)
    if dossier.applicant_id != user.pk:
        raise PermissionDenied("Chỉ người nộp hồ sơ mới đánh giá hồ sơ này.")
    if dossier.status != Status.RETURNED:
        raise Conflict("Bạn đánh giá được sau khi đã nhận kết quả hồ sơ.")
    points = _scores(scores)
    comment = normalize(comment or "")
    if len(comment) > MAX_COMMENT_CHARS:
        raise BadInput(f"Ý kiến dài tối đa {MAX_COMMENT_CHARS} ký tự.", fields={"comment": "too_long"})
    complaint = (complaint or "").strip()
    bad = rating_is_bad(points)
    if complaint and not bad:
        raise BadInput("Phản ánh, kiến nghị gửi kèm khi bạn chưa hài lòng với việc giải quyết hồ sơ.")
    now = now or timezone.now()
    try:
        with transaction.atomic():
            rating = DossierRating.objects.create(
                dossier=dossier,
                rated_by=user,
                total=sum(points.values()),
                comment=comment,
                dissatisfied=bad,
                agency=dossier.home_agency,
                created_at=now,
                **points,
            )
            if complaint:
                dossier_message_post(user=user, dossier=dossier, text=complaint, kind=DossierMessage.Kind.COMPLAINT)
    except IntegrityError:
        raise Conflict("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần.") from None
    return rating


def rating_for_dossier(dossier: Dossier) -> DossierRating | None:
    return DossierRating.objects.filter(dossier=dossier).first()


# --- answering complaints (officers of the dossier's agencies) --------------------------------


def _answers(dossier_id: Any, after_id: Any) -> QuerySet[DossierMessage]:
    """Officers' answers on a dossier written after a complaint (ids or OuterRefs)."""
    return DossierMessage.objects.filter(
        dossier_id=dossier_id,
        kind=DossierMessage.Kind.COMPLAINT,
        author_role=DossierMessage.AuthorRole.OFFICER,
        id__gt=after_id,
    ).order_by("id")


def complaints_for_officer(user: User, *, open_only: bool = False, limit: int = 50) -> QuerySet[DossierMessage]:
    """The applicants' complaints on the dossiers of the officer's agencies, newest first, each
    annotated with `answered` and its first answer (`answer_text`, `answer_by`, `answer_at`):
    one query for the page, whatever its length."""
    agency_ids = officer_agency_ids(user)
    if not agency_ids and not is_system_admin(user):
        return DossierMessage.objects.none()
    complaints = DossierMessage.objects.filter(
        kind=DossierMessage.Kind.COMPLAINT, author_role=DossierMessage.AuthorRole.APPLICANT
    )
    if not is_system_admin(user):
        complaints = complaints.filter(
            Q(dossier__current_agency_id__in=agency_ids)
            | Q(dossier__receiving_agency_id__in=agency_ids)
            | Q(dossier__home_agency_id__in=agency_ids)
        )
    answers = _answers(OuterRef("dossier_id"), OuterRef("id"))
    complaints = (
        complaints.annotate(
            answered=Exists(answers),
            answer_text=Subquery(answers.values("text")[:1]),
            answer_by=Subquery(answers.values("author_name")[:1]),
            answer_at=Subquery(answers.values("created_at")[:1]),
        )
        .select_related("dossier", "dossier__procedure_version")
        .order_by("-id")
    )
    if open_only:
        complaints = complaints.filter(answered=False)
    return complaints[:limit]


def complaint_answer(*, user: User, complaint_id: int, text: str) -> DossierMessage:
    """Answer an applicant's complaint as an officer of one of the dossier's agencies.

    The answer goes to the applicant as a message and as the `feedback_answered`
    notification (through the outbox). Conflict when the complaint is already answered.
    """
    complaint = (
        DossierMessage.objects.select_related("dossier", "dossier__current_agency")
        .filter(pk=complaint_id, kind=DossierMessage.Kind.COMPLAINT, author_role=DossierMessage.AuthorRole.APPLICANT)
        .first()
    )
    if complaint is None:
        raise NotFound("Không tìm thấy phản ánh, kiến nghị này.")
    dossier = complaint.dossier
    if message_role_of(user, dossier) != DossierMessage.AuthorRole.OFFICER:
        if is_system_admin(user):
            raise PermissionDenied("Chỉ cán bộ của cơ quan giải quyết hồ sơ mới trả lời phản ánh, kiến nghị.")
        raise NotFound("Không tìm thấy phản ánh, kiến nghị này.")
    lines = [normalize(line) for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    answer_text = "\n".join(lines).strip()
    if not answer_text:
        raise BadInput("Vui lòng nhập nội dung trả lời phản ánh, kiến nghị.", fields={"text": "required"})
    if len(answer_text) > MAX_TEXT_CHARS:
        raise BadInput(
            f"Nội dung trả lời dài {len(answer_text)} ký tự, vượt quá {MAX_TEXT_CHARS} ký tự. "
            "Vui lòng viết ngắn gọn hơn.",
            fields={"text": "too_long"},
        )
    with transaction.atomic():
        # Serialise answers to the same complaint: the second officer gets a Conflict.
        DossierMessage.objects.select_for_update().filter(pk=complaint.pk).first()
        if _answers(dossier.pk, complaint.pk).exists():
            raise Conflict("Phản ánh, kiến nghị này đã được trả lời.")
        answer = DossierMessage.objects.create(
            dossier=dossier,
            kind=DossierMessage.Kind.COMPLAINT,
            author=user,
            author_role=DossierMessage.AuthorRole.OFFICER,
            author_name=(user.full_name or user.username)[:255],
            agency_name=dossier.current_agency.name[:500],
            text=answer_text,
        )
        outbox.enqueue(
            topic="dossier.message",
            payload={
                "code": dossier.code,
                "message_id": answer.pk,
                "author_role": DossierMessage.AuthorRole.OFFICER,
                "kind": DossierMessage.Kind.COMPLAINT,
                "answers": complaint.pk,
            },
            key=f"dossier:{dossier.code}:message:{answer.pk}",
        )
    return answer
