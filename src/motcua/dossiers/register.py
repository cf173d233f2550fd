"""The dossier register (Sổ theo dõi hồ sơ, form 07 of Circular 03/2025/TT-VPCP, Appendix I).

An agency's register lists every dossier it received (`receiving_agency`, which a dossier
keeps through transfers and reorganisations), in order of receipt (`received_at`, then
`id`), one row each: the running number (STT), code, procedure, applicant, received, the
appointment given at receipt and any new one (a pause for a supplement or an extension
moves it), resolved and returned times, on time or late, and notes (supplement requests,
extension, transfers, return channel, stopping).

Numbering (STT) restarts every calendar year of receipt, in Vietnam's time: a dossier's
number is 1 + the dossiers the same agency received earlier that year. A page of the
register, whatever its period, shows each row's number in the year's register, so an
extract of one row (the per-dossier form 07 issued at return, `register_number`) and the
full register agree.

Reads are permission-aware: the register of an agency is for its one-stop officers and
leaders (and city administrators). Another agency's register is "not found", a specialist
of the agency is refused. Pages are cut by keyset on (received_at, id), never OFFSET; each
page costs one query for its rows, one COUNT per year it starts in, and one query each for
the extensions and transfers of its rows (never a query per row).

Index: `dossier_register` (receiving_agency, received_at, id) serves the filter, the year's
running numbers and the keyset order directly.
"""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OfficerMembership, User
from motcua.accounts.rules import is_system_admin, officer_agency_ids, officer_roles_in
from motcua.core.errors import BadInput, NotFound, PermissionDenied
from motcua.core.timeutil import VN_TZ, local_date, to_vn
from motcua.directory.models import Agency
from motcua.dossiers.lifecycle import Clock, Status
from motcua.dossiers.models import Channel, Dossier, DossierEvent, DueDateChange

REGISTER_ROLES = frozenset({OfficerMembership.Role.RECEIVER.value, OfficerMembership.Role.LEADER.value})
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PERIOD_DAYS = 366
# A PDF of the register is one signed document: more rows than this should be printed by a
# shorter period (WeasyPrint lays out every row in memory).
MAX_PDF_ROWS = 1000

_RETURN_CHANNEL = {
    Channel.IN_PERSON: "trả trực tiếp",
    Channel.ONLINE: "trả trực tuyến",
    Channel.POST: "trả qua bưu chính",
}


@dataclass(frozen=True)
class RegisterRow:
    number: int  # STT in the agency's register for the year of receipt
    code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    received_at: datetime
    due_at: datetime | None  # the appointment given at receipt
    new_due_at: datetime | None  # the appointment now, when it moved
    resolved_at: datetime | None
    returned_at: datetime | None
    timing: str  # on time or late, in words
    late: bool  # late or running late: marked with text and icon, never colour alone
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RegisterPage:
    agency: Agency
    date_from: date
    date_to: date
    rows: list[RegisterRow]
    total: int  # dossiers received in the period
    next_cursor: str | None


# --- permission ---------------------------------------------------------------------------------


def register_agencies_for_user(user: User) -> list[Agency]:
    """The agencies whose register this user may read (administrators: every agency active today)."""
    if is_system_admin(user):
        return list(Agency.objects.active_on(local_date(timezone.now())).order_by("code"))
    ids = officer_agency_ids(user, roles=set(REGISTER_ROLES))
    return list(Agency.objects.filter(pk__in=ids).order_by("code"))


def register_agency_for_user(user: User, agency_code: str) -> Agency:
    """The agency whose register `user` asks for: 404 for another agency, 403 for a role without the register."""
    agency = Agency.objects.select_related("parent").filter(code=agency_code).first()
    if agency is None:
        raise NotFound(_("Không tìm thấy cơ quan này."))
    if is_system_admin(user):
        return agency
    roles = officer_roles_in(user, agency.pk)
    if not roles:
        raise NotFound(_("Không tìm thấy cơ quan này."))
    if not roles & REGISTER_ROLES:
        raise PermissionDenied(_("Sổ theo dõi hồ sơ dành cho cán bộ một cửa và lãnh đạo của cơ quan."))
    return agency


# --- period and cursor ----------------------------------------------------------------------------


def register_period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """Check a period (both days included); missing days default to this month up to today."""
    today = local_date(timezone.now())
    start = date_from or today.replace(day=1)
    end = date_to or (today if start <= today else start)
    if start > end:
        raise BadInput(_("“Từ ngày” phải trước hoặc trùng “Đến ngày”."), fields={"tu": "after_end"})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise BadInput(
            _("Mỗi lần chỉ xem được tối đa %(days)s ngày. Hãy chọn khoảng thời gian ngắn hơn.")
            % {"days": MAX_PERIOD_DAYS},
            fields={"den": "too_long"},
        )
    return start, end


def _bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    start = datetime.combine(date_from, time.min, tzinfo=VN_TZ)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=VN_TZ)
    return start, end


def _year_start(moment: datetime) -> datetime:
    return datetime(to_vn(moment).year, 1, 1, tzinfo=VN_TZ)


def _encode_cursor(row: Dossier) -> str:
    assert row.received_at is not None
    raw = f"{row.received_at.astimezone(VN_TZ).isoformat()}|{row.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            raise ValueError
        return parsed, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        detail = _("Đường dẫn trang không hợp lệ. Hãy mở lại sổ từ trang đầu.")
        raise BadInput(detail, fields={"sau": "invalid"}) from None


# --- reading -----------------------------------------------------------------------------------------


def _received(agency: Agency) -> QuerySet[Dossier]:
    return Dossier.objects.filter(receiving_agency=agency, received_at__isnull=False)


def _in_period(agency: Agency, date_from: date, date_to: date) -> QuerySet[Dossier]:
    start, end = _bounds(date_from, date_to)
    return _received(agency).filter(received_at__gte=start, received_at__lt=end)


def _number_before(agency: Agency, dossier: Dossier) -> int:
    """How many dossiers the agency received earlier in the same year (the row's STT is this + 1)."""
    assert dossier.received_at is not None
    earlier = Q(received_at__lt=dossier.received_at) | Q(received_at=dossier.received_at, id__lt=dossier.pk)
    return _received(agency).filter(earlier, received_at__gte=_year_start(dossier.received_at)).count()


def register_number(dossier: Dossier) -> int | None:
    """The dossier's STT in its receiving agency's register for its year of receipt (None if not received)."""
    if dossier.received_at is None:
        return None
    return _number_before(dossier.receiving_agency, dossier) + 1


def _timing(dossier: Dossier, now: datetime) -> tuple[str, bool]:
    if dossier.status == Status.STOPPED:
        return "Dừng giải quyết", False
    if dossier.status == Status.REFUSED:
        return "Không giải quyết", False
    if dossier.on_time is True:
        return "Đúng hạn", False
    if dossier.on_time is False:
        return "Quá hạn", True
    if dossier.clock == Clock.PAUSED:
        return "Tạm dừng, chờ người nộp", False
    if dossier.due_at is not None and now > dossier.due_at:
        return "Đang giải quyết, đã quá hạn", True
    return "Đang giải quyết, còn hạn", False


def _extended_ids(ids: list[int]) -> set[int]:
    return set(
        DueDateChange.objects.filter(dossier_id__in=ids, reason=DueDateChange.Reason.EXTENSION).values_list(
            "dossier_id", flat=True
        )
    )


def _transfers(ids: list[int]) -> dict[int, list[str]]:
    events = list(
        DossierEvent.objects.filter(dossier_id__in=ids, action__in=("transfer", "return_transfer"))
        .order_by("dossier_id", "seq")
        .values_list("dossier_id", "action", "data")
    )
    codes = {
        (data or {}).get("to_agency" if action == "transfer" else "from_agency")
        for _id, action, data in events
        if isinstance(data, dict)
    }
    names = dict(Agency.objects.filter(code__in=[code for code in codes if code]).values_list("code", "name"))
    notes: dict[int, list[str]] = {}
    for dossier_id, action, data in events:
        data = data if isinstance(data, dict) else {}
        if action == "transfer":
            code = data.get("to_agency", "")
            notes.setdefault(dossier_id, []).append(f"Liên thông: chuyển {names.get(code, code)}")
        else:
            code = data.get("from_agency", "")
            notes.setdefault(dossier_id, []).append(f"Nhận lại từ {names.get(code, code)}")
    return notes


def _rows(agency: Agency, dossiers: list[Dossier], now: datetime) -> list[RegisterRow]:
    ids = [dossier.pk for dossier in dossiers]
    extended = _extended_ids(ids)
    transfers = _transfers(ids)
    rows: list[RegisterRow] = []
    number = 0
    year: int | None = None
    for dossier in dossiers:
        assert dossier.received_at is not None
        received_year = to_vn(dossier.received_at).year
        if received_year != year:
            number = _number_before(agency, dossier)
            year = received_year
        number += 1
        notes: list[str] = []
        if dossier.supplement_requests:
            notes.append(f"Yêu cầu bổ sung {dossier.supplement_requests} lần")
        if dossier.pk in extended:
            notes.append("Gia hạn (có văn bản xin lỗi)")
        notes.extend(transfers.get(dossier.pk, []))
        if dossier.status == Status.WITHDRAWAL_REQUESTED:
            notes.append("Người nộp xin rút hồ sơ")
        if dossier.return_channel:
            notes.append(_RETURN_CHANNEL.get(Channel(dossier.return_channel), "").capitalize())
        timing, late = _timing(dossier, now)
        moved = dossier.due_at is not None and dossier.original_due_at is not None
        rows.append(
            RegisterRow(
                number=number,
                code=dossier.code,
                procedure_code=dossier.procedure.code,
                procedure_name=dossier.procedure_version.name,
                applicant_name=dossier.applicant_name,
                received_at=dossier.received_at,
                due_at=dossier.original_due_at or dossier.due_at,
                new_due_at=dossier.due_at if moved and dossier.due_at != dossier.original_due_at else None,
                resolved_at=dossier.resolved_at,
                returned_at=dossier.returned_at,
                timing=timing,
                late=late,
                notes=[note for note in notes if note],
            )
        )
    return rows


_COLUMNS = (
    "id",
    "code",
    "procedure__code",
    "procedure_version__name",
    "applicant_name",
    "status",
    "clock",
    "received_at",
    "due_at",
    "original_due_at",
    "resolved_at",
    "returned_at",
    "on_time",
    "supplement_requests",
    "return_channel",
    "receiving_agency_id",
)


def _ordered(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return queryset.select_related("procedure", "procedure_version").only(*_COLUMNS).order_by("received_at", "id")


def register_page(
    *,
    user: User,
    agency_code: str,
    date_from: date | None,
    date_to: date | None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> RegisterPage:
    """One page of an agency's register for a period, in order of receipt, with each row's STT."""
    agency = register_agency_for_user(user, agency_code)
    start, end = register_period(date_from, date_to)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    now = now or timezone.now()
    period = _in_period(agency, start, end)
    queryset = period
    if cursor:
        moment, pk = _decode_cursor(cursor)
        queryset = queryset.filter(Q(received_at__gt=moment) | Q(received_at=moment, id__gt=pk))
    dossiers = list(_ordered(queryset)[: limit + 1])
    more = len(dossiers) > limit
    dossiers = dossiers[:limit]
    return RegisterPage(
        agency=agency,
        date_from=start,
        date_to=end,
        rows=_rows(agency, dossiers, now),
        total=period.count(),
        next_cursor=_encode_cursor(dossiers[-1]) if more and dossiers else None,
    )


def register_all_rows(
    *, user: User, agency_code: str, date_from: date | None, date_to: date | None, now: datetime | None = None
) -> RegisterPage:
    """The whole register for a period (for the PDF), at most MAX_PDF_ROWS rows, else a clear refusal."""
    agency = register_agency_for_user(user, agency_code)
    start, end = register_period(date_from, date_to)
    period = _in_period(agency, start, end)
    dossiers = list(_ordered(period)[: MAX_PDF_ROWS + 1])
    if len(dossiers) > MAX_PDF_ROWS:
        raise BadInput(
            _(
                "Khoảng thời gian này có hơn %(max)s hồ sơ, quá nhiều cho một tệp PDF. "
                "Hãy chọn khoảng thời gian ngắn hơn (ví dụ từng tuần)."
            )
            % {"max": f"{MAX_PDF_ROWS:,}".replace(",", ".")},
            fields={"den": "too_many"},
        )
    return RegisterPage(
        agency=agency,
        date_from=start,
        date_to=end,
        rows=_rows(agency, dossiers, now or timezone.now()),
        total=len(dossiers),
        next_cursor=None,
    )
