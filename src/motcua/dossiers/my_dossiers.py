"""Reads for an applicant's own dossiers (My dossiers): the list page by page, one dossier, its progress."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import User
from motcua.core.errors import NotFound
from motcua.dossiers.lifecycle import Status
from motcua.dossiers.models import Dossier, DossierDocument, DossierStepLog

PAGE_SIZE = 20
# Forms the agency keeps for itself (control sheet, log book): not the applicant's papers.
INTERNAL_FORMS = ("06", "07")


def my_dossier_page(
    user: User, *, before_id: int | None = None, size: int = PAGE_SIZE
) -> tuple[list[Dossier], int | None]:
    """One page of the applicant's dossiers, newest first, keyset on id (index dossier_applicant_recent).

    Returns (dossiers, the id to pass as `before_id` for the next page or None).
    """
    if not user.is_authenticated:
        return [], None
    queryset = (
        Dossier.objects.filter(applicant=user)
        .select_related("procedure_version", "current_agency")
        .only(
            "id",
            "code",
            "status",
            "clock",
            "submitted_at",
            "due_at",
            "on_time",
            "procedure_version__name",
            "current_agency__name",
        )
        .order_by("-id")
    )
    if before_id is not None:
        queryset = queryset.filter(id__lt=before_id)
    rows = list(queryset[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more and rows else None)


def my_dossier_get(user: User, code: str) -> Dossier:
    """One of the applicant's own dossiers (404 for anyone else, officers included: they have the back office)."""
    dossier = (
        Dossier.objects.select_related("procedure", "procedure_version", "current_agency", "receiving_agency")
        .filter(code=code, applicant_id=user.pk if user.is_authenticated else None)
        .first()
    )
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ, hoặc bạn không có quyền xem hồ sơ này.")
    return dossier


def my_dossier_documents(dossier: Dossier) -> QuerySet[DossierDocument]:
    """What the applicant may download: what they gave, the notices sent to them, the results."""
    return (
        DossierDocument.objects.filter(dossier=dossier)
        .exclude(kind=DossierDocument.Kind.NOTICE, form_number__in=INTERNAL_FORMS)
        .select_related("file")
        .order_by("id")
    )


def my_dossier_document(dossier: Dossier, document_id: int) -> DossierDocument:
    document = my_dossier_documents(dossier).filter(pk=document_id, file__isnull=False).first()
    if document is None:
        raise NotFound("Không tìm thấy giấy tờ này trong hồ sơ.")
    return document


@dataclass(frozen=True)
class ProgressStep:
    name: Any  # a lazy translation or the step's own name
    state: str  # "done" | "current" | "todo"
    at: datetime | None = None  # when it ended (done) or started (current)
    due_at: datetime | None = None
    on_time: bool | None = None


def my_dossier_progress(dossier: Dossier, *, now: datetime) -> list[ProgressStep]:
    """Submitted → received → each internal step → result → returned, with due times and lateness."""
    steps = list(dossier.procedure_version.steps.order_by("order", "id").only("name"))
    logs: dict[int, DossierStepLog] = {}
    for visit in DossierStepLog.objects.filter(dossier=dossier).order_by("started_at", "id"):
        logs[visit.step_index] = visit  # the latest visit of each step
    status = Status(dossier.status)
    ended = status in (Status.REFUSED, Status.STOPPED, Status.RESOLVED, Status.RETURNED)
    result: list[ProgressStep] = [ProgressStep(name=_("Nộp hồ sơ"), state="done", at=dossier.submitted_at)]
    if dossier.received_at:
        result.append(ProgressStep(name=_("Tiếp nhận hồ sơ"), state="done", at=dossier.received_at))
    elif status in (Status.REFUSED,):
        result.append(ProgressStep(name=_("Không được tiếp nhận"), state="done", at=dossier.finished_at))
        return result
    else:
        result.append(ProgressStep(name=_("Tiếp nhận hồ sơ"), state="current" if not ended else "todo"))
    for index, step in enumerate(steps):
        log = logs.get(index)
        if log is not None and log.ended_at is not None:
            result.append(
                ProgressStep(name=step.name, state="done", at=log.ended_at, due_at=log.due_at, on_time=log.on_time)
            )
        elif log is not None and not ended:
            late = bool(log.due_at and now > log.due_at)
            result.append(
                ProgressStep(
                    name=step.name,
                    state="current",
                    at=log.started_at,
                    due_at=log.due_at,
                    on_time=False if late else None,
                )
            )
        elif status == Status.RESOLVED or status == Status.RETURNED:
            # Steps a receiver or leader closed in one go (no log of their own): done with the result.
            result.append(ProgressStep(name=step.name, state="done", at=dossier.resolved_at))
        else:
            result.append(ProgressStep(name=step.name, state="todo"))
    if dossier.resolved_at:
        result.append(
            ProgressStep(
                name=_("Có kết quả"),
                state="done",
                at=dossier.resolved_at,
                due_at=dossier.due_at,
                on_time=dossier.on_time,
            )
        )
    elif status == Status.STOPPED:
        result.append(ProgressStep(name=_("Dừng giải quyết"), state="done", at=dossier.finished_at))
        return result
    else:
        result.append(ProgressStep(name=_("Có kết quả"), state="todo", due_at=dossier.due_at))
    if dossier.returned_at:
        result.append(ProgressStep(name=_("Nhận kết quả"), state="done", at=dossier.returned_at))
    else:
        result.append(ProgressStep(name=_("Nhận kết quả"), state="current" if status == Status.RESOLVED else "todo"))
    return result
