"""Due times of dossiers and steps, in working time (core.calendar), never raw timedelta."""

import math
from datetime import datetime, timedelta

from motcua.core import calendar as working_calendar
from motcua.directory.models import Agency


def calendar_for(agency: Agency) -> working_calendar.WorkCalendar:
    return working_calendar.get_work_calendar(agency.working_hours or None)


def due_at_for(*, version, received_at: datetime, agency: Agency) -> datetime:
    """The appointment date: the procedure's time limit from receipt, with its cut-off hour."""
    calendar = calendar_for(agency)
    if version.processing_hours:
        return calendar.deadline_after_working_hours(received_at, version.processing_hours, cutoff=version.cutoff_hour)
    return calendar.deadline_after_working_days(
        received_at, max(1, version.processing_days or 1), cutoff=version.cutoff_hour
    )


def step_due_at(*, agency: Agency, started_at: datetime, hours: float) -> datetime:
    if hours <= 0:
        return started_at
    return calendar_for(agency).add_working_time(started_at, timedelta(hours=float(hours)))


def working_time_between(*, agency: Agency, start: datetime, end: datetime) -> timedelta:
    return calendar_for(agency).working_time_between(start, end)


def push_by(*, agency: Agency, moment: datetime, duration: timedelta) -> datetime:
    return calendar_for(agency).add_working_time(moment, duration)


def extend_by_days(*, agency: Agency, due_at: datetime, days: int) -> datetime:
    """A new appointment N working days after the old one (at the close of that day)."""
    return calendar_for(agency).deadline_after_working_days(due_at, max(1, math.ceil(days)))
