"""The population database's fields ↔ MotCua's, in one place (its specification is not public).

Wire format (see `simulators/population.py`): soDinhDanh, hoVaTen, ngaySinh (yyyyMMdd),
gioiTinh ("1" male, "2" female), danToc, quocTich, queQuan, noiThuongTru, noiOHienTai,
tinhTrangHonNhan, hoGiaDinh {maHo, chuHo, thanhVien [{soDinhDanh, hoVaTen, quanHeVoiChuHo,
ngaySinh}]}.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from motcua.core.text import normalize

GENDERS = {"1": "Nam", "2": "Nữ"}


class MappingError(ValueError):
    """The answer does not have the shape of the protocol."""


@dataclass(frozen=True)
class HouseholdMember:
    full_name: str
    relation: str  # to the head of household, e.g. "Chủ hộ", "Vợ", "Con"
    date_of_birth: date


@dataclass(frozen=True)
class PersonRecord:
    id_number: str
    full_name: str
    date_of_birth: date
    gender: str  # "Nam" | "Nữ"
    permanent_address: str
    current_address: str
    household: tuple[HouseholdMember, ...]
    household_head: str = ""
    ethnicity: str = ""
    nationality: str = ""
    hometown: str = ""
    marital_status: str = ""


def date_to_wire(value: date) -> str:
    return value.strftime("%Y%m%d")


def date_from_wire(value: Any) -> date:
    if not isinstance(value, str):
        raise MappingError("date is not a string")
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError as error:
        raise MappingError(f"bad date {value!r}") from error


def _text(data: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise MappingError(f"{key} missing")
    return normalize(value)


def verify_request(*, id_number: str, full_name: str, date_of_birth: date) -> dict[str, str]:
    return {"soDinhDanh": id_number, "hoVaTen": normalize(full_name), "ngaySinh": date_to_wire(date_of_birth)}


def person_from_wire(data: Any) -> PersonRecord:
    if not isinstance(data, dict):
        raise MappingError("citizen is not an object")
    home = data.get("hoGiaDinh") or {}
    if not isinstance(home, dict) or not isinstance(home.get("thanhVien", []), list):
        raise MappingError("household is not an object")
    members = []
    for member in home.get("thanhVien", []):
        if not isinstance(member, dict):
            raise MappingError("household member is not an object")
        members.append(
            HouseholdMember(
                full_name=_text(member, "hoVaTen"),
                relation=_text(member, "quanHeVoiChuHo"),
                date_of_birth=date_from_wire(member.get("ngaySinh")),
            )
        )
    gender = data.get("gioiTinh")
    if gender not in GENDERS:
        raise MappingError("gioiTinh is not 1 or 2")
    return PersonRecord(
        id_number=_text(data, "soDinhDanh"),
        full_name=_text(data, "hoVaTen"),
        date_of_birth=date_from_wire(data.get("ngaySinh")),
        gender=GENDERS[gender],
        permanent_address=_text(data, "noiThuongTru"),
        current_address=_text(data, "noiOHienTai", required=False),
        household=tuple(members),
        household_head=_text(home, "chuHo", required=False),
        ethnicity=_text(data, "danToc", required=False),
        nationality=_text(data, "quocTich", required=False),
        hometown=_text(data, "queQuan", required=False),
        marital_status=_text(data, "tinhTrangHonNhan", required=False),
    )


# x-prefill source (catalog.eforms.PREFILL_SOURCES) → how to read it from a record
PREFILL = {
    "population_db.full_name": lambda p: p.full_name,
    "population_db.date_of_birth": lambda p: p.date_of_birth.isoformat(),
    "population_db.gender": lambda p: p.gender,
    "population_db.ethnicity": lambda p: p.ethnicity,
    "population_db.nationality": lambda p: p.nationality,
    "population_db.hometown": lambda p: p.hometown,
    "population_db.permanent_address": lambda p: p.permanent_address,
    "population_db.current_address": lambda p: p.current_address,
    "population_db.household_head": lambda p: p.household_head,
    "population_db.marital_status": lambda p: p.marital_status,
}
