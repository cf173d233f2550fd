"""Officers' work queues: what each officer has to do, by role and agency, soonest due first.

Every queue is one filtered list over `Dossier` that an index of `Dossier.Meta` serves:
- agency queues filter `current_agency` and one `status`, ordered by (`due_at`, `id`) or by
  `id`: the `dossier_queue` index (current_agency, status, due_at, id);
- the officer's own queue filters `current_handler` and `status`: `dossier_handler_queue`;
- the lateness queue filters `current_agency`, running clocks and `due_at`, ordered by
  (`due_at`, `id`): `dossier_running_due` (bench/queues_bench.py measured why).
Pages are cut by keyset (the last row's sort key in an opaque cursor), never by OFFSET, so
page 1 000 of a queue costs what page 1 does. Counts are one COUNT per queue over the same
index. `tests/backoffice/test_queues.py` checks every plan with EXPLAIN on SQLite.

Search: a dossier code (prefix), the applicant's name or the procedure's name, folded
(no diacritics, đ → d) so "nguyen van an" finds "Nguyễn Văn An". The dossier table has no
folded column yet, so a text search reads the queue in index order and folds in Python,
up to `SEARCH_SCAN_LIMIT` rows; a folded, indexed column would lift that limit (noted in
docs for the migration owner).
"""

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import OfficerMembership, User
from motcua.accounts.rules import officer_agency_ids
from motcua.core import calendar as working_calendar
from motcua.core.errors import BadInput, NotFound
from motcua.core.text import fold
from motcua.dossiers.lifecycle import OPEN, Clock, Status
from motcua.dossiers.models import Dossier

PAGE_SIZE = 25
SEARCH_SCAN_LIMIT = 5000
DUE_SOON_WORKING_HOURS = 8  # one working day, as the reminders of dossiers.lateness
DUE_SOON_HORIZON = timedelta(days=4)  # a cheap bound before the exact working-time test

R = OfficerMembership.Role


@dataclass(frozen=True)
class QueueSpec:
    key: str
    title: str | Promise  # translated when shown
    help: str | Promise
    roles: frozenset[str]
    statuses: tuple[int, ...]
    by_handler: bool = False  # the officer's own dossiers, not the agency's
    order: str = "due"  # "due": (due_at, id); "id": oldest first (no due date yet)
    extra: Q = field(default_factory=Q)
    due_window: bool = False  # only dossiers due within DUE_SOON_HORIZON or already late


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(
        "receive",
        _("Chờ tiếp nhận"),
        _("Hồ sơ nộp trực tuyến, bưu chính chờ kiểm tra và tiếp nhận."),
        frozenset({R.RECEIVER}),
        (Status.SUBMITTED,),
        order="id",
        extra=Q(due_at__isnull=True),  # always so before receipt; lets the index give id order
    ),
    QueueSpec(
        "supplemented",
        _("Đã nộp bổ sung"),
        _("Người nộp đã gửi giấy tờ bổ sung; kiểm tra lại trước khi tiếp nhận."),
        frozenset({R.RECEIVER}),
        (Status.SUBMITTED,),
        order="id",
        extra=Q(due_at__isnull=True, supplement_requests__gt=0),
    ),
    QueueSpec(
        "assign",
        _("Chờ chuyển xử lý"),
        _("Đã tiếp nhận, cần chuyển đến người xử lý."),
        frozenset({R.RECEIVER, R.LEADER}),
        (Status.RECEIVED,),
    ),
    QueueSpec(
        "process",
        _("Cần tôi xử lý"),
        _("Hồ sơ đang ở bước của bạn."),
        frozenset({R.RECEIVER, R.SPECIALIST, R.LEADER}),
        (Status.PROCESSING,),
        by_handler=True,
    ),
    QueueSpec(
        "transferred_in",
        _("Liên thông đến"),
        _("Hồ sơ cơ quan khác chuyển đến để phối hợp giải quyết; xử lý xong thì trả lại."),
        frozenset({R.RECEIVER, R.SPECIALIST, R.LEADER}),
        (Status.PROCESSING,),
        extra=Q(transferred_out=True) & ~Q(home_agency_id=F("current_agency_id")),
    ),
    QueueSpec(
        "approve",
        _("Chờ phê duyệt, ký"),
        _("Hồ sơ đã đến bước của lãnh đạo, chờ phê duyệt và ký kết quả."),
        frozenset({R.LEADER}),
        (Status.PROCESSING,),
        extra=Q(transferred_out=False, step_index__gte=F("approval_step_index")),
    ),
    QueueSpec(
        "return",
        _("Chờ trả kết quả"),
        _("Đã có kết quả, chờ trả cho người nộp tại quầy hoặc trực tuyến."),
        frozenset({R.RECEIVER}),
        (Status.RESOLVED,),
    ),
    QueueSpec(
        "waiting",
        _("Chờ người nộp bổ sung"),
        _("Đã yêu cầu bổ sung; thời gian giải quyết đang tạm dừng."),
        frozenset({R.RECEIVER, R.SPECIALIST}),
        (Status.SUPPLEMENT_REQUESTED,),
        order="id",
    ),
    QueueSpec(
        "due_soon",
        _("Sắp đến hạn, quá hạn"),
        _("Hồ sơ đến hạn trong vài ngày tới hoặc đã quá hạn: xem xét xin lỗi, gia hạn (mẫu 04)."),
        frozenset({R.LEADER}),
        tuple(sorted(s.value for s in OPEN)),
        due_window=True,
    ),
)
QUEUES_BY_KEY = {spec.key: spec for spec in QUEUES}


@dataclass(frozen=True)
class QueueCount:
    spec: QueueSpec
    count: int


@dataclass
class QueueRow:
    dossier: Dossier
    late: bool
    due_soon: bool
    supplemented: bool


@dataclass
class QueuePage:
    spec: QueueSpec
    rows: list[QueueRow]
    next_cursor: str | None
    scan_limited: bool = False  # a text search stopped at SEARCH_SCAN_LIMIT rows


def queues_for_officer(user: User) -> list[QueueSpec]:
    """The queues this officer's current roles give them, in the order of QUEUES."""
    roles = set(_roles(user))
    return [spec for spec in QUEUES if spec.roles & roles]


def queue_counts(user: User, *, now: datetime | None = None) -> list[QueueCount]:
    """Each of the officer's queues with the number of dossiers in it (one COUNT per queue)."""
    now = now or timezone.now()
    return [QueueCount(spec, _base(user, spec, now=now).count()) for spec in queues_for_officer(user)]


def queue_queryset(user: User, key: str, *, now: datetime | None = None) -> QuerySet[Dossier]:
    """The queue's rows, in queue order, unpaginated (for EXPLAIN and tests)."""
    spec = _spec_for(user, key)
    return _ordered(_base(user, spec, now=now or timezone.now()), spec)


def queue_page(
    user: User,
    key: str,
    *,
    cursor: str | None = None,
    search: str = "",
    procedure_id: int | None = None,
    page_size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> QueuePage:
    """One page of a queue, after `cursor`, optionally filtered by procedure and a search text."""
    now = now or timezone.now()
    spec = _spec_for(user, key)
    queryset = _base(user, spec, now=now)
    if procedure_id:
        queryset = queryset.filter(procedure_id=procedure_id)
    if cursor:
        queryset = queryset.filter(_after(spec, cursor))
    queryset = _ordered(queryset, spec).select_related("procedure_version", "current_handler", "current_agency")
    search = (search or "").strip()
    scan_limited = False
    if not search:
        dossiers = list(queryset[: page_size + 1])
    elif _looks_like_code(search):
        dossiers = list(queryset.filter(code__istartswith=search.upper())[: page_size + 1])
    else:
        dossiers, scan_limited = _folded_search(queryset, search, page_size + 1)
    more = len(dossiers) > page_size
    dossiers = dossiers[:page_size]
    return QueuePage(
        spec=spec,
        rows=_rows(dossiers, now),
        next_cursor=_cursor(spec, dossiers[-1]) if more and dossiers else None,
        scan_limited=scan_limited,
    )


def dossier_marks(dossier: Dossier, *, now: datetime | None = None) -> tuple[bool, bool]:
    """(late, due soon) for one dossier, as the queues mark it."""
    row = _rows([dossier], now or timezone.now())[0]
    return row.late, row.due_soon


# --- internals --------------------------------------------------------------------------------


def _roles(user: User) -> Iterable[str]:
    if not user.is_authenticated or not user.is_officer:
        return []
    from motcua.accounts.rules import active_memberships

    return active_memberships(user).values_list("role", flat=True).distinct()


def _spec_for(user: User, key: str) -> QueueSpec:
    spec = QUEUES_BY_KEY.get(key)
    if spec is None or spec not in queues_for_officer(user):
        raise NotFound("Không có danh sách công việc này cho tài khoản của bạn.")
    return spec


def _base(user: User, spec: QueueSpec, *, now: datetime) -> QuerySet[Dossier]:
    statuses = list(spec.statuses)
    queryset = Dossier.objects.all()
    if spec.by_handler:
        # The handler's own list; only while they still serve the agency holding the dossier.
        agencies = officer_agency_ids(user)
        queryset = queryset.filter(current_handler=user, current_agency_id__in=agencies)
    else:
        agencies = officer_agency_ids(user, roles=set(spec.roles))
        queryset = queryset.filter(current_agency_id__in=agencies)
    queryset = queryset.filter(status__in=statuses) if len(statuses) > 1 else queryset.filter(status=statuses[0])
    if spec.due_window:
        queryset = queryset.filter(clock=Clock.RUNNING, due_at__lt=now + DUE_SOON_HORIZON)
    return queryset.filter(spec.extra)


def _ordered(queryset: QuerySet[Dossier], spec: QueueSpec) -> QuerySet[Dossier]:
    return queryset.order_by("due_at", "id") if spec.order == "due" else queryset.order_by("id")


def _cursor(spec: QueueSpec, dossier: Dossier) -> str:
    if spec.order == "due":
        raw = f"{dossier.due_at.isoformat() if dossier.due_at else ''}|{dossier.pk}"
    else:
        raw = str(dossier.pk)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _after(spec: QueueSpec, cursor: str) -> Q:
    invalid = BadInput("Liên kết trang không hợp lệ; hãy quay lại trang đầu của danh sách.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if spec.order != "due":
            return Q(id__gt=int(raw))
        due_raw, id_raw = raw.split("|")
        last_id = int(id_raw)
        due = datetime.fromisoformat(due_raw) if due_raw else None
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise invalid from None
    if due is None:
        # Rows without a due date sort first (SQLite) — continue by id among them, then all dated rows.
        return Q(due_at__isnull=True, id__gt=last_id) | Q(due_at__isnull=False)
    return Q(due_at__gt=due) | Q(due_at=due, id__gt=last_id)


def _looks_like_code(text: str) -> bool:
    # Dossier codes look like 000.00.31.H29-260907-0001: digits, dots and dashes, no spaces.
    return " " not in text and any(ch.isdigit() for ch in text) and ("." in text or "-" in text)


def _folded_search(queryset: QuerySet[Dossier], text: str, limit: int) -> tuple[list[Dossier], bool]:
    """Rows whose code, applicant or procedure contains every folded word of `text`."""
    words = fold(text).split()
    found: list[Dossier] = []
    for scanned, dossier in enumerate(queryset.iterator(chunk_size=500), start=1):
        haystack = fold(f"{dossier.code} {dossier.applicant_name} {dossier.procedure_version.name}")
        if all(word in haystack for word in words):
            found.append(dossier)
            if len(found) >= limit:
                return found, False
        if scanned >= SEARCH_SCAN_LIMIT:
            return found, True
    return found, False


def _rows(dossiers: list[Dossier], now: datetime) -> list[QueueRow]:
    calendars: dict[Any, working_calendar.WorkCalendar] = {}
    rows = []
    for dossier in dossiers:
        running = dossier.clock == Clock.RUNNING and dossier.status in {s.value for s in OPEN}
        late = bool(running and dossier.due_at and dossier.due_at < now)
        due_soon = False
        if running and not late and dossier.due_at and dossier.due_at - now < DUE_SOON_HORIZON:
            hours = tuple(map(tuple, dossier.current_agency.working_hours or []))
            if hours not in calendars:
                calendars[hours] = working_calendar.get_work_calendar(dossier.current_agency.working_hours or None)
            left = calendars[hours].working_time_between(now, dossier.due_at)
            due_soon = left <= timedelta(hours=DUE_SOON_WORKING_HOURS)
        rows.append(
            QueueRow(
                dossier=dossier,
                late=late,
                due_soon=due_soon,
                supplemented=dossier.supplement_requests > 0,
            )
        )
    return rows
