"""Reorganisation (sắp xếp tổ chức): the open dossiers of a dissolved agency go to its successor.

Preview first (what would move, and where), then apply. Each dossier moves through the
lifecycle's system action `reassign` (`services.dossier_act`), so each move is one
hash-chained event in its log and one outbox message; the action has no clock effect, so
due dates, pauses and on-time flags stay exactly as they were.

Only system administrators may apply a reorganisation. The dossiers are read by the
`dossier_queue` index (current_agency, status, …); each one is moved in its own transaction,
so a crash part-way leaves every dossier either moved or not, and a re-run finishes the rest.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.rules import is_system_admin
from motcua.core.errors import BadInput, NotFound, PermissionDenied
from motcua.core.timeutil import to_vn
from motcua.directory.models import Agency
from motcua.directory.selectors import agency_current_successor
from motcua.dossiers.lifecycle import OPEN, Status
from motcua.dossiers.models import Dossier

logger = logging.getLogger(__name__)

# The statuses `reassign` leaves: every open one, and resolved dossiers awaiting return.
MOVABLE: tuple[int, ...] = tuple(sorted({s.value for s in OPEN} | {Status.RESOLVED.value}))


@dataclass
class ReorganisationPlan:
    predecessor: Agency
    successor: Agency
    dossiers: QuerySet[Dossier]
    count: int


def _require_admin(actor: User) -> None:
    if not is_system_admin(actor):
        raise PermissionDenied("Chỉ quản trị hệ thống của thành phố mới chuyển hồ sơ khi sắp xếp tổ chức.")


def _agency(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise NotFound(f"Không tìm thấy cơ quan có mã “{code}”.")
    return agency


def reorganisation_dossiers(*, predecessor: Agency) -> QuerySet[Dossier]:
    """The dossiers a reorganisation moves, oldest first, not yet finished: held by
    `predecessor`, or its own dossiers out at a partner agency (liên thông), which must come
    back to the successor."""
    return (
        Dossier.objects.filter(Q(current_agency=predecessor) | Q(home_agency=predecessor), status__in=MOVABLE)
        .select_related("procedure_version")
        .order_by("id")
    )


def reorganisation_preview(
    *, actor: User, predecessor_code: str, successor_code: str | None = None, now: datetime | None = None
) -> ReorganisationPlan:
    """What applying would move and to whom; changes nothing."""
    _require_admin(actor)
    now = now or timezone.now()
    predecessor = _agency(predecessor_code)
    day = to_vn(now).date()
    if predecessor.is_active_on(day):
        raise BadInput(f"{predecessor.name} vẫn đang hoạt động; chỉ chuyển hồ sơ của cơ quan đã giải thể.")
    if successor_code:
        successor = _agency(successor_code)
        if not successor.is_active_on(day):
            raise BadInput(f"{successor.name} không còn hoạt động, không thể nhận hồ sơ.")
    else:
        found = agency_current_successor(agency=predecessor, on=day)
        if found is None or found.pk == predecessor.pk:
            raise BadInput(f"{predecessor.name} chưa có cơ quan kế thừa đang hoạt động; hãy chọn cơ quan nhận hồ sơ.")
        successor = found
    dossiers = reorganisation_dossiers(predecessor=predecessor)
    return ReorganisationPlan(predecessor=predecessor, successor=successor, dossiers=dossiers, count=dossiers.count())


def reorganisation_apply(
    *, actor: User, predecessor_code: str, successor_code: str | None = None, now: datetime | None = None
) -> int:
    """Move every open dossier of the dissolved agency to its successor; returns how many moved."""
    from motcua.dossiers.services import dossier_act  # services imports this app's models; keep the graph flat

    plan = reorganisation_preview(
        actor=actor, predecessor_code=predecessor_code, successor_code=successor_code, now=now
    )
    moved = 0
    for code in list(plan.dossiers.values_list("code", flat=True)):
        dossier_act(
            actor=None,
            code=code,
            action="reassign",
            version=None,
            note=(
                f"Chuyển từ {plan.predecessor.name} sang {plan.successor.name} theo sắp xếp tổ chức "
                f"(thực hiện: {actor.full_name or actor.username})."
            ),
            params={"successor": plan.successor, "predecessor": plan.predecessor},
            now=now,
        )
        moved += 1
    logger.info(
        "reorganisation moved %d dossiers from %s to %s (by user %s)",
        moved,
        plan.predecessor.code,
        plan.successor.code,
        actor.pk,
    )
    return moved
