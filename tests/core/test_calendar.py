"""The working-time calendar against domain.md's "Time" rules and Vietnam's real holidays."""

import time as clock
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core import calendar as cal_module
from motcua.core.calendar import (
    DEFAULT_WORKING_HOURS,
    CalendarOutOfRange,
    InvalidWorkingHours,
    WorkCalendar,
    add_working_time,
    deadline_after_working_days,
    deadline_after_working_hours,
    format_working_hours,
    get_work_calendar,
    holiday_name,
    is_working_day,
    next_working_day,
    parse_working_hours,
    public_holidays,
    working_time_between,
)
from motcua.core.errors import BadInput
from motcua.core.models import CalendarOverride
from motcua.core.seed import seed_calendar_overrides
from motcua.core.timeutil import VN_TZ, NaiveDatetimeError

# The 2026 swap as seeded, for the tests that need no database.
SWAP_2026 = WorkCalendar(extra_working_days=[date(2026, 8, 22)], extra_days_off=[date(2026, 8, 31)])
PLAIN = WorkCalendar()


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


# --- working days -------------------------------------------------------------------------


@pytest.mark.parametrize("day", [date(2026, 2, d) for d in range(16, 21)])
def test_tet_2026_is_off(day):
    assert not PLAIN.is_working_day(day)


@pytest.mark.parametrize("day", [date(2027, 2, d) for d in range(4, 11)])
def test_tet_2027_is_off(day):
    assert not PLAIN.is_working_day(day)


def test_ordinary_weekdays_work_and_weekends_do_not():
    assert PLAIN.is_working_day(date(2026, 2, 13))  # Friday before Tết
    assert PLAIN.is_working_day(date(2026, 2, 23))  # Monday after Tết
    assert not PLAIN.is_working_day(date(2026, 3, 7))  # Saturday
    assert not PLAIN.is_working_day(date(2026, 3, 8))  # Sunday


def test_tet_2026_is_skipped():
    # Received Friday 13/2/2026: the whole week of Tết 16–20/2 is off, then the weekend.
    assert PLAIN.deadline_after_working_days(vn(2026, 2, 13, 9), 1) == vn(2026, 2, 23, 17)
    assert PLAIN.deadline_after_working_days(vn(2026, 2, 12, 9), 2) == vn(2026, 2, 23, 17)
    assert PLAIN.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)


def test_domain_example_tet_2027():
    # domain.md: received Wednesday 3/2/2027 with 3 working days → due Monday 15/2/2027 17:00.
    due = PLAIN.deadline_after_working_days(vn(2027, 2, 3, 8), 3)
    assert due == vn(2027, 2, 15, 17)
    assert due.isoformat() == "2027-02-15T17:00:00+07:00"


def test_hung_kings_day_2026_on_sunday_is_observed_on_monday():
    assert not PLAIN.is_working_day(date(2026, 4, 26))
    assert not PLAIN.is_working_day(date(2026, 4, 27))
    start = vn(2026, 4, 24, 9)  # Friday
    assert PLAIN.deadline_after_working_days(start, 1) == vn(2026, 4, 28, 17)
    assert PLAIN.deadline_after_working_days(start, 2) == vn(2026, 4, 29, 17)
    # 30/4 and 1/5 (Thursday, Friday) are holidays too, then the weekend.
    assert PLAIN.deadline_after_working_days(start, 3) == vn(2026, 5, 4, 17)


def test_hung_kings_day_2027_on_friday():
    assert not PLAIN.is_working_day(date(2027, 4, 16))
    assert PLAIN.deadline_after_working_days(vn(2027, 4, 15, 9), 1) == vn(2027, 4, 19, 17)


def test_swap_2026_in_a_pure_calendar():
    assert not PLAIN.is_working_day(date(2026, 8, 22))  # just a Saturday without the override
    assert SWAP_2026.is_working_day(date(2026, 8, 22))
    assert not SWAP_2026.is_working_day(date(2026, 8, 31))
    assert SWAP_2026.deadline_after_working_days(vn(2026, 8, 21, 9), 1) == vn(2026, 8, 22, 17)
    # 31/8 swapped off, 1–2/9 National Day.
    assert SWAP_2026.deadline_after_working_days(vn(2026, 8, 28, 9), 1) == vn(2026, 9, 3, 17)


def test_overrides_win_over_the_package():
    calendar = WorkCalendar(extra_working_days=[date(2027, 2, 8)], extra_days_off=[date(2027, 2, 11)])
    assert calendar.is_working_day(date(2027, 2, 8))  # a day of Tết made a working day
    assert not calendar.is_working_day(date(2027, 2, 11))  # an ordinary Thursday made a day off


def test_a_day_cannot_be_both_off_and_working():
    with pytest.raises(ValueError, match="both"):
        WorkCalendar(extra_working_days=[date(2026, 8, 22)], extra_days_off=[date(2026, 8, 22)])


def test_datetimes_are_refused_where_a_date_is_meant():
    # Its calendar day depends on the zone: 2027-02-02 20:00 UTC is already 3/2 in Vietnam.
    with pytest.raises(TypeError):
        PLAIN.is_working_day(datetime(2027, 2, 2, 20, tzinfo=UTC))


def test_holiday_names_are_vietnamese():
    assert "Tết" in holiday_name(date(2027, 2, 6))
    assert holiday_name(date(2027, 3, 3)) is None


def test_holiday_years_are_computed_lazily_and_only_in_range():
    public_holidays.cache_clear()
    PLAIN.deadline_after_working_days(vn(2090, 3, 1, 9), 5)
    assert public_holidays.cache_info().currsize == 1  # only 2090 was needed
    with pytest.raises(CalendarOutOfRange):
        PLAIN.is_working_day(date(2101, 1, 3))


# --- deadlines in working days ------------------------------------------------------------


def test_day_of_receipt_is_not_counted_even_early_in_the_morning():
    assert PLAIN.deadline_after_working_days(vn(2027, 3, 8, 6), 1) == vn(2027, 3, 9, 17)


def test_received_on_a_weekend_counts_from_the_next_working_day():
    # Saturday 13/3/2027 counts as received Monday 15/3, which is itself not counted.
    assert PLAIN.deadline_after_working_days(vn(2027, 3, 13, 10), 1) == vn(2027, 3, 16, 17)


def test_cutoff_hour():
    monday = date(2027, 3, 8)
    before, at = datetime.combine(monday, time(14, 59), VN_TZ), datetime.combine(monday, time(15, 0), VN_TZ)
    assert PLAIN.deadline_after_working_days(before, 1, cutoff=time(15)) == vn(2027, 3, 9, 17)
    assert PLAIN.deadline_after_working_days(at, 1, cutoff=time(15)) == vn(2027, 3, 10, 17)
    assert PLAIN.deadline_after_working_days(at, 1, cutoff="15:00") == vn(2027, 3, 10, 17)
    assert PLAIN.deadline_after_working_days(at, 1) == vn(2027, 3, 9, 17)  # none nationally
    # In hours, a late receipt starts at the next working day's opening.
    assert PLAIN.deadline_after_working_hours(at, 1, cutoff=time(15)) == vn(2027, 3, 9, 8, 30)
    assert PLAIN.deadline_after_working_hours(at, 1) == vn(2027, 3, 8, 16)


def test_cutoff_on_the_last_day_before_tet():
    assert PLAIN.receipt_day(vn(2027, 2, 3, 16), cutoff=time(15)) == date(2027, 2, 11)
    assert PLAIN.deadline_after_working_days(vn(2027, 2, 3, 16), 1, cutoff=time(15)) == vn(2027, 2, 12, 17)


def test_half_a_day_is_four_working_hours_from_receipt():
    assert PLAIN.deadline_after_working_days(vn(2027, 3, 8, 7, 30), 0.5) == vn(2027, 3, 8, 11, 30)
    assert PLAIN.deadline_after_working_days(vn(2027, 3, 8, 9), Decimal("0.5")) == vn(2027, 3, 8, 14, 30)
    assert PLAIN.deadline_after_working_days(vn(2027, 3, 8, 9), 1.5) == vn(2027, 3, 9, 14, 30)
    assert PLAIN.deadline_after_working_days(vn(2027, 3, 8, 9), 3.0) == vn(2027, 3, 11, 17)  # whole days


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), Decimal("NaN")])
def test_amounts_must_be_positive_and_finite(bad):
    with pytest.raises(ValueError):
        PLAIN.deadline_after_working_days(vn(2027, 3, 8, 9), bad)
    with pytest.raises(ValueError):
        PLAIN.deadline_after_working_hours(vn(2027, 3, 8, 9), bad)


@pytest.mark.parametrize("bad", [True, "3", None])
def test_amounts_must_be_numbers(bad):
    with pytest.raises(TypeError):
        PLAIN.deadline_after_working_days(vn(2027, 3, 8, 9), bad)


# --- deadlines in working hours -----------------------------------------------------------


def test_domain_example_working_hours():
    # domain.md: 4 hours from 16:00 on 3/2/2027 → 10:30 on 11/2/2027.
    assert PLAIN.deadline_after_working_hours(vn(2027, 2, 3, 16), 4) == vn(2027, 2, 11, 10, 30)


def test_one_hour_across_lunch():
    assert PLAIN.deadline_after_working_hours(vn(2027, 3, 8, 11), 1) == vn(2027, 3, 8, 13, 30)


def test_start_outside_working_hours_begins_at_the_next_period():
    assert PLAIN.deadline_after_working_hours(vn(2027, 3, 8, 6), 1) == vn(2027, 3, 8, 8, 30)
    assert PLAIN.deadline_after_working_hours(vn(2027, 3, 8, 12), 1) == vn(2027, 3, 8, 14)
    assert PLAIN.deadline_after_working_hours(vn(2027, 3, 8, 18), 1) == vn(2027, 3, 9, 8, 30)
    assert PLAIN.deadline_after_working_hours(vn(2027, 3, 13, 10), 1) == vn(2027, 3, 15, 8, 30)


def test_a_limit_that_ends_with_a_period_ends_there():
    assert PLAIN.deadline_after_working_hours(vn(2027, 3, 8, 13), 4) == vn(2027, 3, 8, 17)
    assert PLAIN.deadline_after_working_hours(vn(2027, 3, 8, 7, 30), 8) == vn(2027, 3, 8, 17)


def test_add_working_time_pushes_a_due_date():
    due = vn(2027, 2, 3, 17)
    assert PLAIN.add_working_time(due, timedelta(0)) == due
    assert PLAIN.add_working_time(due, timedelta(hours=2, minutes=15)) == vn(2027, 2, 11, 9, 45)
    with pytest.raises(ValueError):
        PLAIN.add_working_time(due, timedelta(minutes=-1))


# --- per-agency working hours -------------------------------------------------------------


def test_custom_working_hours_from_agency_json():
    calendar = WorkCalendar([["07:00", "11:00"], ["13:30", "16:30"]])
    assert calendar.day_length == timedelta(hours=7)
    assert calendar.deadline_after_working_days(vn(2027, 2, 3, 8), 3) == vn(2027, 2, 15, 16, 30)
    assert calendar.deadline_after_working_hours(vn(2027, 3, 8, 10), 2) == vn(2027, 3, 8, 14, 30)
    assert calendar.working_time_between(vn(2027, 3, 8), vn(2027, 3, 9)) == timedelta(hours=7)
    assert format_working_hours(calendar.working_hours) == [["07:00", "11:00"], ["13:30", "16:30"]]


def test_working_hours_accept_time_objects_and_default():
    assert parse_working_hours(None) == DEFAULT_WORKING_HOURS
    assert parse_working_hours([(time(8), time(12))]) == ((time(8), time(12)),)
    assert WorkCalendar([(time(8), time(12))]).deadline_after_working_days(vn(2027, 3, 8, 9), 1) == vn(2027, 3, 9, 12)


@pytest.mark.parametrize(
    "bad",
    [
        [],
        "07:30-11:30",
        [["11:30", "07:30"]],
        [["07:30", "07:30"]],
        [["07:30", "11:30"], ["11:00", "17:00"]],
        [["13:00", "17:00"], ["07:30", "11:30"]],
        [["07:30"]],
        [["07:30", "11:30", "12:00"]],
        [["7h30", "11:30"]],
        [["25:00", "26:00"]],
        [["07:60", "11:30"]],
        [[None, "11:30"]],
        [(time(7, 30, tzinfo=UTC), time(11, 30))],
        42,
    ],
)
def test_invalid_working_hours_are_refused_in_vietnamese(bad):
    with pytest.raises(InvalidWorkingHours) as caught:
        WorkCalendar(bad)
    assert isinstance(caught.value, BadInput)
    assert "giờ" in caught.value.detail.lower()


# --- working time elapsed -----------------------------------------------------------------


def test_working_time_between():
    assert PLAIN.working_time_between(vn(2027, 3, 8, 7, 30), vn(2027, 3, 8, 17)) == timedelta(hours=8)
    assert PLAIN.working_time_between(vn(2027, 3, 8, 11), vn(2027, 3, 8, 13, 30)) == timedelta(hours=1)
    # Friday 16:00 → Monday 08:30 spans a weekend: 1 h + 1 h.
    assert PLAIN.working_time_between(vn(2027, 3, 12, 16), vn(2027, 3, 15, 8, 30)) == timedelta(hours=2)
    # Across Tết 2027: 16:00 on 3/2 → 10:30 on 11/2.
    assert PLAIN.working_time_between(vn(2027, 2, 3, 16), vn(2027, 2, 11, 10, 30)) == timedelta(hours=4)
    # Backwards is negative: time left until a due date already passed.
    assert PLAIN.working_time_between(vn(2027, 3, 8, 17), vn(2027, 3, 8, 15)) == -timedelta(hours=2)


def test_overlapping_pauses_are_subtracted_once():
    start, end = vn(2027, 3, 8, 7, 30), vn(2027, 3, 12, 17)  # Monday to Friday: 40 h
    pauses = [
        (vn(2027, 3, 9, 7, 30), vn(2027, 3, 9, 17)),  # Tuesday
        (vn(2027, 3, 9, 13), vn(2027, 3, 10, 11, 30)),  # overlaps it, runs to Wednesday noon
        (vn(2027, 3, 9, 9), vn(2027, 3, 9, 10)),  # inside the first
    ]
    assert PLAIN.working_time_between(start, end, pauses) == timedelta(hours=40 - 8 - 4)


def test_open_pause_runs_to_the_end_and_pauses_are_clipped():
    start, end = vn(2027, 3, 8, 7, 30), vn(2027, 3, 10, 17)  # 24 h
    assert PLAIN.working_time_between(start, end, [(vn(2027, 3, 10, 13), None)]) == timedelta(hours=20)
    # A pause before the start or after the end takes nothing; one straddling the start is clipped.
    pauses = [(vn(2027, 3, 1, 8), vn(2027, 3, 2, 8)), (vn(2027, 3, 5, 8), vn(2027, 3, 8, 8, 30))]
    assert PLAIN.working_time_between(start, end, pauses) == timedelta(hours=23)
    with pytest.raises(ValueError):
        PLAIN.working_time_between(start, end, [(vn(2027, 3, 9, 10), vn(2027, 3, 9, 9))])


# --- time zones ---------------------------------------------------------------------------


def test_naive_datetimes_raise():
    naive = datetime(2027, 2, 3, 8)
    with pytest.raises(NaiveDatetimeError):
        PLAIN.deadline_after_working_days(naive, 3)
    with pytest.raises(NaiveDatetimeError):
        PLAIN.deadline_after_working_hours(naive, 3)
    with pytest.raises(NaiveDatetimeError):
        PLAIN.add_working_time(naive, timedelta(hours=1))
    with pytest.raises(NaiveDatetimeError):
        PLAIN.working_time_between(naive, vn(2027, 2, 4))
    with pytest.raises(NaiveDatetimeError):
        PLAIN.working_time_between(vn(2027, 2, 3), vn(2027, 2, 4), [(naive, None)])


def test_utc_is_converted_to_vietnam_time():
    in_utc = datetime(2027, 2, 3, 1, tzinfo=UTC)  # 08:00 in Vietnam
    due = PLAIN.deadline_after_working_days(in_utc, 3)
    assert due == PLAIN.deadline_after_working_days(vn(2027, 2, 3, 8), 3)
    assert due.utcoffset() == timedelta(hours=7)
    assert due.isoformat() == "2027-02-15T17:00:00+07:00"
    assert PLAIN.deadline_after_working_hours(datetime(2027, 2, 3, 9, tzinfo=UTC), 4).isoformat() == (
        "2027-02-11T10:30:00+07:00"
    )


def test_the_vietnamese_day_of_receipt_is_used_not_the_utc_one():
    # 18:00 UTC on Tuesday 2/2 is 01:00 on Wednesday 3/2 in Vietnam.
    assert PLAIN.deadline_after_working_days(datetime(2027, 2, 2, 18, tzinfo=UTC), 3) == vn(2027, 2, 15, 17)
    minus_five = timezone(timedelta(hours=-5))
    # 00:00 at UTC-5 is 12:00 in Vietnam, the lunch break: the hour runs 13:00–14:00.
    assert PLAIN.deadline_after_working_hours(datetime(2027, 3, 8, 0, tzinfo=minus_five), 1) == vn(2027, 3, 8, 14)


# --- speed --------------------------------------------------------------------------------


def test_ten_years_ahead_is_fast():
    began = clock.perf_counter()
    due = PLAIN.deadline_after_working_days(vn(2027, 2, 3, 8), 3650)
    by_hours = PLAIN.deadline_after_working_hours(vn(2027, 2, 3, 17), 3650 * 8)
    elapsed = PLAIN.working_time_between(vn(2027, 2, 3, 17), due)
    assert clock.perf_counter() - began < 2
    assert by_hours == due
    assert elapsed == timedelta(hours=3650 * 8)


# --- properties ---------------------------------------------------------------------------

instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2029, 12, 31), timezones=st.just(VN_TZ))


@settings(max_examples=150, deadline=None)
@given(start=instants, days=st.integers(min_value=1, max_value=60))
def test_one_more_day_is_the_next_working_day(start, days):
    due = SWAP_2026.deadline_after_working_days(start, days)
    later = SWAP_2026.deadline_after_working_days(start, days + 1)
    assert due.date() > start.date()
    assert SWAP_2026.is_working_day(due.date()) and SWAP_2026.is_working_day(later.date())
    assert later.date() == SWAP_2026.next_working_day(due.date())
    assert due.time() == later.time() == time(17)


@settings(max_examples=150, deadline=None)
@given(start=instants, quarters=st.integers(min_value=1, max_value=8 * 4 * 30))
def test_working_time_to_an_hours_deadline_is_those_hours(start, quarters):
    hours = Fraction(quarters, 4)
    due = SWAP_2026.deadline_after_working_hours(start, hours)
    assert due > start
    assert SWAP_2026.working_time_between(start, due) == timedelta(hours=float(hours))


@settings(max_examples=100, deadline=None)
@given(
    start=instants,
    span=st.integers(min_value=0, max_value=30 * 24 * 3600),
    pause=st.tuples(st.integers(min_value=-3 * 24 * 3600, max_value=40 * 24 * 3600), st.integers(0, 10 * 24 * 3600)),
)
def test_a_repeated_pause_counts_once(start, span, pause):
    end = start + timedelta(seconds=span)
    paused_at = start + timedelta(seconds=pause[0])
    one = [(paused_at, paused_at + timedelta(seconds=pause[1]))]
    once = SWAP_2026.working_time_between(start, end, one)
    assert SWAP_2026.working_time_between(start, end, one * 2) == once
    assert timedelta(0) <= once <= SWAP_2026.working_time_between(start, end)


# --- the calendar in force, from the database ---------------------------------------------


@pytest.mark.django_db
def test_seed_is_idempotent_and_counts_the_swap():
    assert not is_working_day(date(2026, 8, 22))
    assert seed_calendar_overrides() == 2
    assert seed_calendar_overrides() == 0
    rows = {row.day: row for row in CalendarOverride.objects.all()}
    assert set(rows) == {date(2026, 8, 22), date(2026, 8, 31)}
    assert rows[date(2026, 8, 22)].kind == CalendarOverride.Kind.WORKING_DAY
    assert rows[date(2026, 8, 31)].kind == CalendarOverride.Kind.DAY_OFF
    assert all("22/8/2026" in row.reason for row in rows.values())
    assert is_working_day(date(2026, 8, 22))
    assert not is_working_day(date(2026, 8, 31))
    assert next_working_day(date(2026, 8, 21)) == date(2026, 8, 22)
    assert deadline_after_working_days(vn(2026, 8, 21, 9), 1) == vn(2026, 8, 22, 17)
    assert deadline_after_working_days(vn(2026, 8, 20, 9), 3) == vn(2026, 8, 24, 17)
    assert deadline_after_working_days(vn(2026, 8, 28, 9), 1) == vn(2026, 9, 3, 17)


@pytest.mark.django_db
def test_module_shortcuts_take_agency_hours():
    hours = [["07:00", "11:00"], ["13:30", "16:30"]]
    assert deadline_after_working_days(vn(2027, 2, 3, 8), 3, working_hours=hours) == vn(2027, 2, 15, 16, 30)
    assert deadline_after_working_hours(vn(2027, 3, 8, 10), 2, working_hours=hours) == vn(2027, 3, 8, 14, 30)
    assert add_working_time(vn(2027, 3, 8, 16), timedelta(hours=1), working_hours=hours) == vn(2027, 3, 9, 7, 30)
    assert working_time_between(vn(2027, 3, 8), vn(2027, 3, 9), working_hours=hours) == timedelta(hours=7)
    assert deadline_after_working_days(vn(2027, 3, 8, 15), 1, cutoff="15:00") == vn(2027, 3, 10, 17)


@pytest.mark.django_db
def test_an_override_saved_in_the_admin_applies_to_the_next_call(admin_client):
    get_work_calendar()  # warm whatever is cached
    assert not is_working_day(date(2027, 3, 13))
    response = admin_client.post(
        reverse("admin:core_calendaroverride_add"),
        {"day": "2027-03-13", "kind": "work", "reason": "Làm bù thử nghiệm"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert is_working_day(date(2027, 3, 13))
    assert deadline_after_working_days(vn(2027, 3, 12, 9), 1) == vn(2027, 3, 13, 17)

    override = CalendarOverride.objects.get(day=date(2027, 3, 13))
    response = admin_client.post(
        reverse("admin:core_calendaroverride_change", args=[override.pk]),
        {"day": "2027-03-15", "kind": "off", "reason": "Nghỉ thử nghiệm"},
    )
    assert response.status_code == 302
    assert not is_working_day(date(2027, 3, 13))
    assert not is_working_day(date(2027, 3, 15))
    assert deadline_after_working_days(vn(2027, 3, 12, 9), 1) == vn(2027, 3, 16, 17)


@pytest.mark.django_db
def test_admin_list_shows_weekday_and_the_law_holiday(admin_client):
    seed_calendar_overrides()
    response = admin_client.get(reverse("admin:core_calendaroverride_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thứ Bảy" in page
    assert "Thứ Hai" in page
    assert holiday_name(date(2026, 8, 31)) in page


def test_work_calendar_needs_no_database():
    # No django_db mark: pytest-django fails this test if the arithmetic touched the ORM.
    assert cal_module.WorkCalendar().deadline_after_working_days(vn(2027, 2, 3, 8), 3) == vn(2027, 2, 15, 17)
