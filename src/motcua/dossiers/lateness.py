"""Lateness: flag dossiers past their due time and remind those due soon.

Run every few minutes by the scheduler (`manage.py run_periodic`). Each flag is one public
event in the dossier log ("every late dossier visible") and one outbox message that the
notifications subscribe to; a dossier is flagged once per appointment: when its due date moves
(a pause ended, an extension) the services clear both marks, so the new date gets its own
reminder and, if missed, its own late flag.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from motcua.core import outbox
from motcua.dossiers import deadlines
from motcua.dossiers.lifecycle import OPEN, Clock, Role
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import append_system_event

DUE_SOON_WORKING_HOURS = 8  # one working day ahead


def dossiers_flag_late(*, now: datetime | None = None, batch: int = 500) -> int:
    """Flag every open, running dossier past its due time; returns how many were flagged."""
    now = now or timezone.now()
    flagged = 0
    candidates = Dossier.objects.filter(
        status__in=[s.value for s in OPEN], clock=Clock.RUNNING, late_notified_at__isnull=True, due_at__lt=now
    ).order_by("due_at")
    for dossier_id in list(candidates.values_list("id", flat=True)[:batch]):
        with transaction.atomic():
            dossier = (
                Dossier.objects.select_for_update(of=("self",))
                .select_related("current_agency")
                .filter(pk=dossier_id, late_notified_at__isnull=True, clock=Clock.RUNNING, due_at__lt=now)
                .first()
            )
            if dossier is None or dossier.due_at is None:
                continue
            due_at = dossier.due_at
            dossier.late_notified_at = now
            dossier.save(update_fields=["late_notified_at", "updated_at"])
            append_system_event(
                dossier,
                action="flag_late",
                title="Hồ sơ đã quá hạn giải quyết",
                at=now,
                data={"due_at": due_at.isoformat()},
            )
            outbox.enqueue(
                topic="dossier.late",
                payload={"code": dossier.code, "due_at": due_at.isoformat()},
                key=f"dossier:{dossier.code}:late:{due_at.isoformat()}",
            )
            flagged += 1
    return flagged


def dossiers_remind_due_soon(*, now: datetime | None = None, batch: int = 500) -> int:
    """Queue one reminder per dossier whose due time is within a working day."""
    now = now or timezone.now()
    reminded = 0
    horizon = now + timedelta(days=4)  # a cheap upper bound; the exact test is in working time below
    candidates = Dossier.objects.filter(
        status__in=[s.value for s in OPEN],
        clock=Clock.RUNNING,
        due_soon_notified_at__isnull=True,
        due_at__gte=now,
        due_at__lt=horizon,
    ).select_related("current_agency")
    for dossier in candidates[:batch]:
        due_at = dossier.due_at
        if due_at is None:  # excluded by the query; keeps the type checker honest
            continue
        left = deadlines.working_time_between(agency=dossier.current_agency, start=now, end=due_at)
        if left > timedelta(hours=DUE_SOON_WORKING_HOURS):
            continue
        updated = Dossier.objects.filter(pk=dossier.pk, due_soon_notified_at__isnull=True).update(
            due_soon_notified_at=now
        )
        if updated:
            outbox.enqueue(
                topic="dossier.due_soon",
                payload={"code": dossier.code, "due_at": due_at.isoformat(), "role": Role.SPECIALIST.value},
                key=f"dossier:{dossier.code}:due_soon:{due_at.isoformat()}",
            )
            reminded += 1
    return reminded
