"""The national insurance database (Cơ sở dữ liệu quốc gia về bảo hiểm): a person's social-insurance
book and unemployment-insurance contributions, reused instead of a copy of the book.

    insurance_record(id_number=...) -> InsuranceRecord | None

None means the database has no book for that personal ID. Raises `IntegrationUnavailable`
when it is down, too slow or answers something that is not its protocol. Stand-in:
`simulators/social_insurance.py`; transport (direct or through LGSP): `motcua.integrations.transport`.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from motcua.core.text import normalize
from motcua.integrations import transport
from motcua.integrations.errors import IntegrationUnavailable

SYSTEM = "social-insurance"
SOURCE = "insurance_db"  # catalog's state_data_source / DossierDocument.reused_from
transport.SYSTEMS.setdefault(
    SYSTEM,
    transport.System(
        SYSTEM,
        "SOCIAL_INSURANCE_DB_URL",
        "SOCIAL_INSURANCE_DB_API_KEY",
        "Cơ sở dữ liệu quốc gia về bảo hiểm tạm thời không phản hồi. Vui lòng thử lại sau ít phút.",
    ),
)


@dataclass(frozen=True)
class InsurancePeriod:
    from_month: str  # MM/yyyy
    to_month: str
    employer: str
    unemployment_months: int


@dataclass(frozen=True)
class InsuranceRecord:
    id_number: str
    full_name: str
    date_of_birth: date
    insurance_number: str  # mã số BHXH, 10 digits
    periods: tuple[InsurancePeriod, ...]
    unemployment_months: int


def _unavailable(reason: str) -> IntegrationUnavailable:
    return IntegrationUnavailable(transport.SYSTEMS[SYSTEM].unavailable, reason=f"unexpected answer: {reason}")


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _unavailable(key)
    return normalize(value)


def _months(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _unavailable(key)
    return value


def record_from_wire(data: Any) -> InsuranceRecord:
    if not isinstance(data, dict):
        raise _unavailable("soBHXH")
    try:
        born = datetime.strptime(str(data.get("ngaySinh")), "%Y%m%d").date()
    except ValueError:
        raise _unavailable("ngaySinh") from None
    raw_periods = data.get("quaTrinh")
    if not isinstance(raw_periods, list) or not all(isinstance(item, dict) for item in raw_periods):
        raise _unavailable("quaTrinh")
    number = _text(data, "maSoBHXH")
    if not (len(number) == 10 and number.isdigit()):
        raise _unavailable("maSoBHXH")
    return InsuranceRecord(
        id_number=_text(data, "soDinhDanh"),
        full_name=_text(data, "hoVaTen"),
        date_of_birth=born,
        insurance_number=number,
        periods=tuple(
            InsurancePeriod(
                _text(item, "tuThang"), _text(item, "denThang"), _text(item, "donVi"), _months(item, "soThangBHTN")
            )
            for item in raw_periods
        ),
        unemployment_months=_months(data, "tongSoThangBHTN"),
    )


def insurance_record(*, id_number: str) -> InsuranceRecord | None:
    reply = transport.request(
        SYSTEM, "POST", "/api/v1/qua-trinh-dong", json={"soDinhDanh": id_number}, accept=(200, 404)
    )
    if reply.status == 404:
        return None
    return record_from_wire(reply.data.get("soBHXH") if isinstance(reply.data, dict) else None)
