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

Search, always through an index and never by reading the queue in Python:
- a dossier code: prefix of `code` (unique index);
- otherwise two queries merged in queue order, both cut by the same keyset cursor:
  the applicant's name, folded (no diacritics, đ → d, lower case) so "nguyen van an" finds
  "Nguyễn Văn An", as a prefix of `applicant_name_folded` (`dossier_search_name`: agency,
  status, folded name); and the procedure's name, resolved first to procedure ids through
  the catalogue's search and then filtered by `procedure` (`dossier_search_procedure`).
  Each query sorts only its own matches.

"Supplements that came back" lists the dossiers whose supplement arrived
(`supplement_returned_at`, set by the `supplement` action) until an officer next acts on
them (that action clears it: the handler has looked). They are left out of the receive,
assign and process queues meanwhile, so each is counted once; the receiver sees those
not yet assigned, the leader those received, the handler their own in processing.
"""

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.accounts.models import OfficerMembership, User
from motcua.accounts.rules import officer_agency_ids
from motcua.core import calendar as working_calendar
from motcua.core.errors import BadInput, NotFound
from motcua.core.text import fold, fold_tokens
from motcua.dossiers.lifecycle import OPEN, Clock, Status
from motcua.dossiers.models import Dossier, ExtensionProposal

PAGE_SIZE = 25
PROCEDURE_MATCH_LIMIT = 100  # procedures a text may name; more is not a useful filter
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
    # "status": the statuses (and extra) of the holding agency or handler; "supplemented": the
    # supplements that came back; "proposals": extension proposals awaiting the leader.
    source: str = "status"


NOT_SUPPLEMENTED = Q(supplement_returned_at__isnull=True)


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(
        "receive",
        _("Chờ tiếp nhận"),
        _("Hồ sơ nộp trực tuyến, bưu chính chờ kiểm tra và tiếp nhận."),
        frozenset({R.RECEIVER}),
        (Status.SUBMITTED,),
        order="id",
        # due_at is always null before receipt; saying so lets the index give id order.
        extra=Q(due_at__isnull=True) & NOT_SUPPLEMENTED,
    ),
    QueueSpec(
        "supplemented",
        _("Đã nộp bổ sung"),
        _("Người nộp đã gửi giấy tờ bổ sung; kiểm tra lại trước khi làm bước tiếp theo."),
        frozenset({R.RECEIVER, R.SPECIALIST, R.LEADER}),
        (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING),
        order="id",
        source="supplemented",
    ),
    QueueSpec(
        "assign",
        _("Chờ chuyển xử lý"),
        _("Đã tiếp nhận, cần chuyển đến người xử lý."),
        frozenset({R.RECEIVER, R.LEADER}),
        (Status.RECEIVED,),
        extra=NOT_SUPPLEMENTED,
    ),
    QueueSpec(
        "process",
        _("Cần tôi xử lý"),
        _("Hồ sơ đang ở bước của bạn."),
        frozenset({R.RECEIVER, R.SPECIALIST, R.LEADER}),
        (Status.PROCESSING,),
        by_handler=True,
        extra=NOT_SUPPLEMENTED,
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
    QueueSpec(
        "extension_proposals",
        _("Đề nghị gia hạn chờ duyệt"),
        _("Cán bộ đề nghị gia hạn hồ sơ sắp trễ hạn (mẫu 04): duyệt hoặc không duyệt."),
        frozenset({R.LEADER}),
        tuple(sorted(s.value for s in OPEN)),
        source="proposals",
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
    if not search:
        dossiers = list(queryset[: page_size + 1])
    else:
        dossiers = _merged(spec, [q[: page_size + 1] for q in search_querysets(queryset, search)], page_size + 1)
    more = len(dossiers) > page_size
    dossiers = dossiers[:page_size]
    return QueuePage(
        spec=spec,
        rows=_rows(dossiers, now),
        next_cursor=_cursor(spec, dossiers[-1]) if more and dossiers else None,
    )


def search_querysets(queryset: QuerySet[Dossier], text: str) -> list[QuerySet[Dossier]]:
    """The indexed queries a search text means within a queue (each in queue order); public for
    EXPLAIN in tests and the benchmark."""
    text = (text or "").strip()
    if _looks_like_code(text):
        return [queryset.filter(code__istartswith=text.upper())]
    folded = fold(text)[:255]
    if not folded:
        return [queryset.none()]
    found = [queryset.filter(_name_prefix(folded))]
    procedure_ids = procedure_ids_matching(text)
    if procedure_ids:
        found.append(queryset.filter(procedure_id__in=procedure_ids))
    return found


def procedure_ids_matching(text: str) -> list[int]:
    """Procedures in force whose folded name holds every folded word of `text` (catalogue search)."""
    from motcua.catalog.selectors import procedure_search

    words = fold_tokens(text)
    if not words:
        return []
    try:
        hits = procedure_search(q=text[:200], page_size=PROCEDURE_MATCH_LIMIT).items
    except BadInput:
        return []
    ids = []
    for hit in hits:
        name = " ".join(fold_tokens(hit.name))
        if all(word in name for word in words):
            ids.append(hit.procedure_id)
    return sorted(set(ids))


def _name_prefix(folded: str) -> Q:
    """A prefix of the folded name, as an index range (SQLite) and LIKE (PostgreSQL's pattern ops)."""
    upper = folded[:-1] + chr(ord(folded[-1]) + 1)
    condition = Q(applicant_name_folded__startswith=folded)
    if connection.vendor == "sqlite":
        # SQLite's LIKE is case-insensitive and so never uses the (binary) index; a range does.
        condition &= Q(applicant_name_folded__gte=folded, applicant_name_folded__lt=upper)
    return condition


def _sort_key(spec: QueueSpec, dossier: Dossier) -> tuple:
    if spec.order != "due":
        return (dossier.pk,)
    # As the database orders them: rows without a due date first on SQLite, last on PostgreSQL.
    nulls_first = connection.vendor == "sqlite"
    missing = dossier.due_at is None
    return (missing != nulls_first, dossier.due_at or datetime.min.replace(tzinfo=UTC), dossier.pk)


def _merged(spec: QueueSpec, querysets: list[QuerySet[Dossier]], limit: int) -> list[Dossier]:
    """The first `limit` distinct rows of several queries in queue order (each is already sorted)."""
    if len(querysets) == 1:
        return list(querysets[0])
    rows: dict[int, Dossier] = {}
    for queryset in querysets:
        for dossier in queryset:
            rows.setdefault(dossier.pk, dossier)
    return sorted(rows.values(), key=lambda d: _sort_key(spec, d))[:limit]


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
    if spec.source == "supplemented":
        return _supplemented(user)
    if spec.source == "proposals":
        leaders = officer_agency_ids(user, roles={R.LEADER})
        pending = ExtensionProposal.objects.filter(state=ExtensionProposal.State.PENDING, agency_id__in=leaders)
        # Led by the proposals' partial index, then each dossier by its key (a short list).
        return queryset.filter(pk__in=pending.values("dossier_id"), status__in=statuses)
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


def _supplemented(user: User) -> QuerySet[Dossier]:
    """Supplements that came back: before assignment the receivers' (and, received, the
    leaders'), in processing the handler's own."""
    receivers = officer_agency_ids(user, roles={R.RECEIVER})
    leaders = officer_agency_ids(user, roles={R.LEADER})
    agencies = officer_agency_ids(user)
    whose = (
        Q(current_agency_id__in=receivers, status__in=[Status.SUBMITTED, Status.RECEIVED])
        | Q(current_agency_id__in=leaders, status=Status.RECEIVED)
        | Q(current_handler=user, status=Status.PROCESSING)
    )
    return Dossier.objects.filter(current_agency_id__in=agencies, supplement_returned_at__isnull=False).filter(whose)


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
    # Each database keeps its own default place for rows without a due date, so that the queue's
    # index serves the order as it is: first on SQLite, last on PostgreSQL.
    nulls_first = connection.vendor == "sqlite"
    if due is None:
        after_undated = Q(due_at__isnull=True, id__gt=last_id)
        return after_undated | Q(due_at__isnull=False) if nulls_first else after_undated
    after_dated = Q(due_at__gt=due) | Q(due_at=due, id__gt=last_id)
    return after_dated if nulls_first else after_dated | Q(due_at__isnull=True)


def _looks_like_code(text: str) -> bool:
    # Dossier codes look like 000.00.31.H29-260907-0001: digits, dots and dashes, no spaces.
    return " " not in text and any(ch.isdigit() for ch in text) and ("." in text or "-" in text)


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
                supplemented=dossier.supplement_returned_at is not None,
            )
        )
    return rows
