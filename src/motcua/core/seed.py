"""Calendar overrides the government has announced, loaded by the seeding commands."""

from datetime import date

from django.db import transaction

from motcua.core.models import CalendarOverride

# The 2026 swap around National Day: Saturday 22/8 is worked so that Monday 31/8 can be a
# day off, bridging to 1–2/9. The `holidays` package already lists 31/8 (as "substituted
# from 22/08/2026") but cannot know a Saturday becomes a working day, hence both rows.
ANNOUNCED_OVERRIDES: tuple[tuple[date, str, str], ...] = (
    (
        date(2026, 8, 22),
        CalendarOverride.Kind.WORKING_DAY,
        "Làm bù thứ Bảy 22/8/2026 để nghỉ thứ Hai 31/8/2026 (hoán đổi ngày làm việc dịp Quốc khánh 2/9/2026).",
    ),
    (
        date(2026, 8, 31),
        CalendarOverride.Kind.DAY_OFF,
        "Nghỉ thứ Hai 31/8/2026, làm bù vào thứ Bảy 22/8/2026 (hoán đổi ngày làm việc dịp Quốc khánh 2/9/2026).",
    ),
)


@transaction.atomic
def seed_calendar_overrides() -> int:
    """Store the announced overrides; returns how many rows were created.

    Idempotent, and a day an administrator has already entered is left as they wrote it:
    the admin is where the calendar is kept, the seed only fills a fresh database.
    """
    created = 0
    for day, kind, reason in ANNOUNCED_OVERRIDES:
        _, was_created = CalendarOverride.objects.get_or_create(day=day, defaults={"kind": kind, "reason": reason})
        created += was_created
    return created
