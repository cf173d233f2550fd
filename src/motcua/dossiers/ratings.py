"""The citizen's evaluation of a dossier (domain.md § Evaluation): nine criteria, 0–2 points each.

Once per dossier, by its applicant, after the result was returned (status 10). A bad rating
(weak or average grade, or any criterion at 0) counts as a "dislike" for the satisfaction
indicator; with it the applicant may send a complaint, recorded as a message of kind
"complaint" that the agency's officers see with the dossier.
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import BadInput, Conflict, PermissionDenied
from motcua.core.text import normalize
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.messages import dossier_message_post
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
