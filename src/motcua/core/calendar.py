"""The working-time calendar: legal deadlines in working days and working hours.

It implements domain.md, section "Time":

- working days are not Saturdays, Sundays or Vietnam's public holidays (the `holidays`
  package: lunar Tết, Hùng Kings' day, observed days), adjusted by the overrides the
  government announces each year (`CalendarOverride`: extra days off, make-up working
  Saturdays); an override always wins over the package;
- working hours are 07:30–11:30 and 13:00–17:00 unless an agency says otherwise;
- N working days (Civil Code Art. 147–148): the day of receipt is not counted and the limit
  ends at the close of working hours of the N-th working day after it;
- H working hours run from the moment of receipt through working hours only
  (8 working hours = 1 working day).

`WorkCalendar` does the arithmetic and never touches the database, so it can be tested and
reused freely. `get_work_calendar()` builds one with the overrides currently stored, and the
module-level functions are shortcuts that do exactly that on every call.

Every instant must be aware (naive ones raise `NaiveDatetimeError`); any zone is accepted
and every result is aware in Asia/Ho_Chi_Minh. Vietnam has had no daylight-saving time since
1975, so combining a local date with a wall-clock time is unambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cache

import holidays

from motcua.core.errors import BadInput
from motcua.core.timeutil import VN_TZ, to_vn

Interval = tuple[time, time]
WorkingHours = tuple[Interval, ...]
Number = int | float | Decimal | Fraction
Pause = tuple[datetime, datetime | None]

DEFAULT_WORKING_HOURS: WorkingHours = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
# The law's conversion (domain.md), whatever an agency's own day length is.
HOURS_PER_WORKING_DAY = 8

# The `holidays` package computes the lunar holidays only inside this range; outside it
# Tết would silently be missing, so such years are refused instead.
FIRST_YEAR: int = holidays.Vietnam.start_year
LAST_YEAR: int = holidays.Vietnam.end_year

_ONE_DAY = timedelta(days=1)
_ZERO = timedelta(0)
# Even the longest Tết break plus weekends is under three weeks; a year without a single
# working day can only be a misconfiguration, and must not loop for ever.
_MAX_DAYS_WITHOUT_WORK = 366
_TIME_TEXT = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class InvalidWorkingHours(BadInput):
    default_detail = (
        'Giờ làm việc không hợp lệ. Hãy nhập các khoảng "giờ:phút" tăng dần, không chồng nhau, '
        'ví dụ [["07:30", "11:30"], ["13:00", "17:00"]].'
    )


class CalendarOutOfRange(BadInput):
    default_detail = f"Chỉ tính được thời hạn cho các ngày từ năm {FIRST_YEAR} đến năm {LAST_YEAR}."


# --- parsing ------------------------------------------------------------------------------


def parse_time(value: time | str, *, what: str = "giờ") -> time:
    """A wall-clock time from a `time` or "HH:MM" / "HH:MM:SS" text."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise InvalidWorkingHours(f"{what.capitalize()} phải là giờ địa phương, không kèm múi giờ.")
        return value
    if isinstance(value, str):
        match = _TIME_TEXT.match(value.strip())
        if match:
            hour, minute, second = (int(part or 0) for part in match.groups())
            if hour < 24 and minute < 60 and second < 60:
                return time(hour, minute, second)
    raise InvalidWorkingHours(f'{what.capitalize()} "{value}" không hợp lệ: hãy ghi dạng giờ:phút, ví dụ "07:30".')


def parse_working_hours(value: Iterable[Sequence[time | str]] | None) -> WorkingHours:
    """Validated working hours from `(start, end)` pairs of `time` or "HH:MM" text.

    Accepts an agency's `working_hours` JSON as stored (`[["07:30","11:30"],["13:00","17:00"]]`);
    None gives the default hours. Intervals must be non-empty, in order and not overlap.
    """
    if value is None:
        return DEFAULT_WORKING_HOURS
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidWorkingHours()
    intervals: list[Interval] = []
    for pair in value:
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise InvalidWorkingHours()
        start, end = parse_time(pair[0], what="giờ bắt đầu"), parse_time(pair[1], what="giờ kết thúc")
        if start >= end:
            raise InvalidWorkingHours(f"Khoảng giờ làm việc {start:%H:%M}–{end:%H:%M} phải kết thúc sau khi bắt đầu.")
        if intervals and start < intervals[-1][1]:
            raise InvalidWorkingHours(
                f"Khoảng giờ làm việc {start:%H:%M}–{end:%H:%M} phải bắt đầu sau khi khoảng trước kết thúc "
                f"({intervals[-1][1]:%H:%M})."
            )
        intervals.append((start, end))
    if not intervals:
        raise InvalidWorkingHours("Cần ít nhất một khoảng giờ làm việc.")
    return tuple(intervals)


def format_working_hours(hours: WorkingHours) -> list[list[str]]:
    """The JSON shape agencies store, the inverse of `parse_working_hours`."""
    return [[f"{start:%H:%M}", f"{end:%H:%M}"] for start, end in hours]


def _positive_amount(value: Number, what: str) -> Fraction:
    # Exact arithmetic: 0.1 day must not become 47 min 59.999 s through float rounding.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction):
        raise TypeError(f"{what} must be a number, not {type(value).__name__}")
    try:
        amount = Fraction(value)
    except (ValueError, OverflowError) as exc:  # NaN, infinity
        raise ValueError(f"{what} must be a finite number, got {value!r}") from exc
    if amount <= 0:
        raise ValueError(f"{what} must be positive, got {value!r}")
    return amount


def _hours(amount: Fraction) -> timedelta:
    return timedelta(microseconds=round(amount * 3_600_000_000))


def _as_date(day: date) -> date:
    # A datetime is a date too, but its calendar day depends on its zone: refuse it rather
    # than silently take the UTC day for the Vietnamese one.
    if isinstance(day, datetime):
        raise TypeError("pass a date; for an instant use motcua.core.timeutil.local_date(moment)")
    return day


# --- the law's holidays -----------------------------------------------------------------


# Unbounded on purpose: at most the 200 supported years, each a few dozen dates.
@cache
def _vietnam_holidays(year: int) -> dict[date, str]:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarOutOfRange()
    # The previous year is computed too so that a day off observed across New Year is kept.
    years = [y for y in (year - 1, year) if y >= FIRST_YEAR]
    return {day: name for day, name in holidays.Vietnam(years=years, language="vi").items() if day.year == year}


@cache
def public_holidays(year: int) -> frozenset[date]:
    """Vietnam's public holidays and observed days off in `year`, computed once per process."""
    return frozenset(_vietnam_holidays(year))


def holiday_name(day: date) -> str | None:
    """The Vietnamese name of the public holiday on `day`, if it is one (overrides aside)."""
    return _vietnam_holidays(_as_date(day).year).get(day)


# --- the calendar -------------------------------------------------------------------------


class WorkCalendar:
    """Working days and hours, and the deadline arithmetic on them. Pure: no database.

    `extra_days_off` and `extra_working_days` are the announced overrides; they win over
    weekends and the `holidays` package.
    """

    __slots__ = ("closing", "day_length", "extra_days_off", "extra_working_days", "opening", "working_hours")

    def __init__(
        self,
        working_hours: Iterable[Sequence[time | str]] | None = None,
        *,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        self.working_hours: WorkingHours = parse_working_hours(working_hours)
        self.extra_days_off = frozenset(_as_date(day) for day in extra_days_off)
        self.extra_working_days = frozenset(_as_date(day) for day in extra_working_days)
        if clash := self.extra_days_off & self.extra_working_days:
            raise ValueError(f"days both off and working: {sorted(clash)}")
        self.opening: time = self.working_hours[0][0]
        self.closing: time = self.working_hours[-1][1]
        self.day_length: timedelta = sum(
            (datetime.combine(date.min, end) - datetime.combine(date.min, start) for start, end in self.working_hours),
            _ZERO,
        )

    def __repr__(self) -> str:
        return (
            f"WorkCalendar({format_working_hours(self.working_hours)}, "
            f"{len(self.extra_days_off)} extra days off, {len(self.extra_working_days)} extra working days)"
        )

    # days

    def is_working_day(self, day: date) -> bool:
        day = _as_date(day)
        # Looked up first, so that any day outside the supported years is refused.
        law_holidays = public_holidays(day.year)
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return day.weekday() < 5 and day not in law_holidays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day = _as_date(day)
        for _ in range(_MAX_DAYS_WITHOUT_WORK):
            day += _ONE_DAY
            if self.is_working_day(day):
                return day
        raise ValueError(f"no working day in the year after {day}: check the calendar overrides")

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself is never counted)."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"count must be a non-negative integer, got {count!r}")
        day = _as_date(day)
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def receipt_day(self, start: datetime, *, cutoff: time | str | None = None) -> date:
        """The working day a receipt at `start` counts for.

        Received on a non-working day, or at/after the cut-off hour, counts as received on
        the next working day.
        """
        local = to_vn(start)
        day = local.date()
        late = cutoff is not None and local.time() >= parse_time(cutoff, what="giờ chốt")
        if self.is_working_day(day) and not late:
            return day
        return self.next_working_day(day)

    # deadlines

    def deadline_after_working_days(
        self, start: datetime, days: Number, *, cutoff: time | str | None = None
    ) -> datetime:
        """The end of a limit of `days` working days for something received at `start`.

        Whole days follow Civil Code Art. 147–148: the day of receipt is not counted and the
        limit ends at the close of working hours of the N-th working day after it. A
        fractional number of days is a limit in working hours (x 8) from the moment of receipt.
        """
        amount = _positive_amount(days, "days")
        if amount.denominator != 1:
            return self.deadline_after_working_hours(start, amount * HOURS_PER_WORKING_DAY, cutoff=cutoff)
        due = self.add_working_days(self.receipt_day(start, cutoff=cutoff), int(amount))
        return _at(due, self.closing)

    def deadline_after_working_hours(
        self, start: datetime, hours: Number, *, cutoff: time | str | None = None
    ) -> datetime:
        """The end of a limit of `hours` working hours running from the moment of receipt.

        A start outside working hours begins at the next working period; with a cut-off hour,
        a late receipt begins at the opening of the next working day.
        """
        amount = _positive_amount(hours, "hours")
        local = to_vn(start)
        if cutoff is not None:
            day = self.receipt_day(local, cutoff=cutoff)
            if day != local.date():
                local = _at(day, self.opening)
        return self.add_working_time(local, _hours(amount))

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when `duration` of working time has run from `start`.

        Used to push a due date by the working time a pause lasted. A zero duration returns
        `start` itself (a due date at 17:00 stays at 17:00); otherwise a start outside working
        hours begins at the next working period, and a limit that runs out exactly at the end
        of a period ends there (17:00, not 07:30 the next morning).
        """
        local = to_vn(start)
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration!r}")
        if duration == _ZERO:
            return local
        remaining = duration
        day, cursor = local.date(), local
        # One pass per working day: a limit years away costs a few thousand steps, not minutes.
        while True:
            if self.is_working_day(day):
                for opens, closes in self.working_hours:
                    begin, end = max(cursor, _at(day, opens)), _at(day, closes)
                    if begin >= end:
                        continue
                    if remaining <= end - begin:
                        return begin + remaining
                    remaining -= end - begin
            day = self.next_working_day(day)
            cursor = _at(day, self.opening)

    # elapsed time

    def working_time_between(self, start: datetime, end: datetime, pauses: Iterable[Pause] = ()) -> timedelta:
        """Working time from `start` to `end`, minus the working time spent in `pauses`.

        Each pause is `(paused_at, resumed_at)`; `resumed_at` None means still paused (up to
        `end`). Pauses are clipped to `[start, end]` and merged, so overlapping ones count once.
        If `end` is before `start` the result is negative (e.g. the time left until a due date
        that has passed).
        """
        low, high = to_vn(start), to_vn(end)
        if high < low:
            return -self.working_time_between(end, start, pauses)
        total = self._working_time(low, high)
        for paused_at, resumed_at in _merge_pauses(pauses, low, high):
            total -= self._working_time(paused_at, resumed_at)
        return total

    def _working_time(self, low: datetime, high: datetime) -> timedelta:
        total = _ZERO
        day, last = low.date(), high.date()
        while day <= last:
            if self.is_working_day(day):
                for opens, closes in self.working_hours:
                    begin, end = max(low, _at(day, opens)), min(high, _at(day, closes))
                    if end > begin:
                        total += end - begin
            day += _ONE_DAY
        return total


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=VN_TZ)


def _merge_pauses(pauses: Iterable[Pause], low: datetime, high: datetime) -> list[tuple[datetime, datetime]]:
    clipped: list[tuple[datetime, datetime]] = []
    for paused_at, resumed_at in pauses:
        begin = to_vn(paused_at)
        end = high if resumed_at is None else to_vn(resumed_at)
        if end < begin:
            raise ValueError(f"pause ends before it starts: {paused_at!r} → {resumed_at!r}")
        begin, end = max(begin, low), min(end, high)
        if begin < end:
            clipped.append((begin, end))
    clipped.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in clipped:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


# --- the calendar in force (database overrides) -------------------------------------------


def get_work_calendar(working_hours: Iterable[Sequence[time | str]] | None = None) -> WorkCalendar:
    """The calendar in force: the law's holidays plus the overrides stored right now.

    The overrides are read with one query on every call, on purpose: the table holds a few
    rows a year, and the web processes and task workers share no cache, so a copy kept in
    memory would keep serving yesterday's calendar after an administrator saves an override.
    The costly part, the lunar holidays of each year, is computed once per process. Code
    that computes many deadlines at once should call this once and reuse the calendar.
    """
    from motcua.core.models import CalendarOverride  # here, so the module imports before apps are ready

    days_off: list[date] = []
    working_days: list[date] = []
    for day, kind in CalendarOverride.objects.values_list("day", "kind"):
        (working_days if kind == CalendarOverride.Kind.WORKING_DAY else days_off).append(day)
    return WorkCalendar(working_hours, extra_days_off=days_off, extra_working_days=working_days)


def is_working_day(day: date) -> bool:
    return get_work_calendar().is_working_day(day)


def next_working_day(day: date) -> date:
    return get_work_calendar().next_working_day(day)


def deadline_after_working_days(
    start: datetime,
    days: Number,
    *,
    working_hours: Iterable[Sequence[time | str]] | None = None,
    cutoff: time | str | None = None,
) -> datetime:
    return get_work_calendar(working_hours).deadline_after_working_days(start, days, cutoff=cutoff)


def deadline_after_working_hours(
    start: datetime,
    hours: Number,
    *,
    working_hours: Iterable[Sequence[time | str]] | None = None,
    cutoff: time | str | None = None,
) -> datetime:
    return get_work_calendar(working_hours).deadline_after_working_hours(start, hours, cutoff=cutoff)


def add_working_time(
    start: datetime, duration: timedelta, *, working_hours: Iterable[Sequence[time | str]] | None = None
) -> datetime:
    return get_work_calendar(working_hours).add_working_time(start, duration)


def working_time_between(
    start: datetime,
    end: datetime,
    pauses: Iterable[Pause] = (),
    *,
    working_hours: Iterable[Sequence[time | str]] | None = None,
) -> timedelta:
    return get_work_calendar(working_hours).working_time_between(start, end, pauses)
