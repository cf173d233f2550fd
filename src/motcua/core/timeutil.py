"""Time helpers: every instant the system reasons about is aware and in Vietnam's zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class NaiveDatetimeError(ValueError):
    """A naive datetime reached code that needs an instant: refuse rather than guess."""


def to_vn(moment: datetime) -> datetime:
    """The same instant in Asia/Ho_Chi_Minh; naive datetimes are refused, never guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(f"naive datetime {moment!r}: give a time zone (Asia/Ho_Chi_Minh or UTC)")
    return moment.astimezone(VN_TZ)


def local_date(moment: datetime) -> date:
    return to_vn(moment).date()


def format_vn(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM in Vietnam's time, as people read it."""
    return to_vn(moment).strftime("%d/%m/%Y %H:%M")
