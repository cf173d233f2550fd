"""Codes of the one-stop system: agencies (QCVN 102:2016), dossiers, personal IDs, tax codes."""

import re
from datetime import date, datetime

from django.db import connection

from motcua.core.errors import BadInput
from motcua.core.timeutil import local_date

# V1V2V3.Z1Z2.Y1Y2.MX1X2, e.g. 000.00.00.H29 (HCMC People's Committee).
AGENCY_CODE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$")
DOSSIER_CODE = re.compile(
    r"^(?P<agency>[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2})-(?P<day>\d{6})-(?P<seq>\d{4,})$"
)
PERSONAL_ID = re.compile(r"^\d{12}$")
# 10 digits, or 13 written with a branch suffix: 0312345678-001 (also accepted without the dash).
TAX_CODE = re.compile(r"^(?P<head>\d{10})(?:-?(?P<branch>\d{3}))?$")
# Province codes used in birth registration for personal IDs (Circular 59/2021/TT-BCA, 63 old provinces).
_PERSONAL_ID_PROVINCES = {
    1,
    2,
    4,
    6,
    8,
    10,
    11,
    12,
    14,
    15,
    17,
    19,
    20,
    22,
    24,
    25,
    26,
    27,
    30,
    31,
    33,
    34,
    35,
    36,
    37,
    38,
    40,
    42,
    44,
    45,
    46,
    48,
    49,
    51,
    52,
    54,
    56,
    58,
    60,
    62,
    64,
    66,
    67,
    68,
    70,
    72,
    74,
    75,
    77,
    79,
    80,
    82,
    83,
    84,
    86,
    87,
    89,
    91,
    92,
    93,
    94,
    95,
    96,
}


def is_agency_code(value: str) -> bool:
    return bool(AGENCY_CODE.match(value))


def validate_agency_code(value: str) -> str:
    if not is_agency_code(value):
        raise BadInput(f"Mã cơ quan “{value}” không đúng dạng QCVN 102:2016, ví dụ 000.00.00.H29.")
    return value


def validate_personal_id(value: str) -> str:
    """A 12-digit personal identification number whose first three digits are a province."""
    value = value.strip().replace(" ", "")
    if not PERSONAL_ID.match(value) or int(value[:3]) not in _PERSONAL_ID_PROVINCES:
        raise BadInput("Số định danh cá nhân gồm 12 chữ số, ví dụ 079090001234.", fields={"id_number": "invalid"})
    return value


def validate_tax_code(value: str) -> str:
    """A business tax code: 10 digits, or 13 with a branch suffix, returned as 0312345678[-001]."""
    match = TAX_CODE.match(value.strip().replace(" ", ""))
    if not match:
        raise BadInput(
            "Mã số thuế gồm 10 chữ số, hoặc 13 chữ số với mã chi nhánh, ví dụ 0312345678 hoặc 0312345678-001.",
            fields={"tax_code": "invalid"},
        )
    return match["head"] + (f"-{match['branch']}" if match["branch"] else "")


def format_dossier_code(agency_code: str, day: date, sequence: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{sequence:04d}"


def next_dossier_code(agency_code: str, at: datetime) -> str:
    """The next dossier code of an agency for the local day of `at`.

    One INSERT … ON CONFLICT DO UPDATE … RETURNING statement: atomic on PostgreSQL and on
    SQLite (≥ 3.35), so concurrent submissions never get the same number. Run it inside the
    caller's transaction: a rolled-back submission gives its number back, leaving no gap.
    """
    validate_agency_code(agency_code)
    day = local_date(at)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_dailysequence (scope, day, value) VALUES (%s, %s, 1) "
            "ON CONFLICT (scope, day) DO UPDATE SET value = core_dailysequence.value + 1 "
            "RETURNING value",
            [f"dossier:{agency_code}", day],
        )
        (value,) = cursor.fetchone()
    return format_dossier_code(agency_code, day, value)
