"""The civil-status database's fields ↔ MotCua's, and records as reusable dossier documents.

Wire format: see `simulators/civil_status.py` (trichLuc: soDinhDanh, hoVaTen, ngaySinh
yyyyMMdd, gioiTinh 1/2, noiSinh, hoTenCha, hoTenMe, soDangKy, quyenSo, ngayDangKy, noiDangKy;
a marriage has chong/vo instead of the person's own fields).
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from motcua.core.text import normalize

SOURCE = "civil_status_db"  # catalog's state_data_source / DossierDocument.reused_from


class MappingError(ValueError):
    """The answer does not have the shape of the protocol."""


@dataclass(frozen=True)
class BirthRecord:
    id_number: str
    full_name: str
    date_of_birth: date
    gender: str
    place_of_birth: str
    father_name: str
    mother_name: str
    registration_number: str
    book: str
    registered_on: date
    registered_at: str  # the registering authority


@dataclass(frozen=True)
class Spouse:
    id_number: str
    full_name: str
    date_of_birth: date


@dataclass(frozen=True)
class MarriageRecord:
    husband: Spouse
    wife: Spouse
    registration_number: str
    book: str
    registered_on: date
    registered_at: str


def _date(value: Any) -> date:
    if not isinstance(value, str):
        raise MappingError("date is not a string")
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError as error:
        raise MappingError(f"bad date {value!r}") from error


def _text(data: Any, key: str, *, required: bool = True) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise MappingError(f"{key} missing")
    return normalize(value)


def birth_from_wire(data: Any) -> BirthRecord:
    if not isinstance(data, dict):
        raise MappingError("record is not an object")
    return BirthRecord(
        id_number=_text(data, "soDinhDanh"),
        full_name=_text(data, "hoVaTen"),
        date_of_birth=_date(data.get("ngaySinh")),
        gender={"1": "Nam", "2": "Nữ"}.get(str(data.get("gioiTinh")), ""),
        place_of_birth=_text(data, "noiSinh", required=False),
        father_name=_text(data, "hoTenCha", required=False),
        mother_name=_text(data, "hoTenMe", required=False),
        registration_number=_text(data, "soDangKy"),
        book=_text(data, "quyenSo", required=False),
        registered_on=_date(data.get("ngayDangKy")),
        registered_at=_text(data, "noiDangKy"),
    )


def _spouse(data: Any) -> Spouse:
    if not isinstance(data, dict):
        raise MappingError("spouse is not an object")
    return Spouse(_text(data, "soDinhDanh"), _text(data, "hoVaTen"), _date(data.get("ngaySinh")))


def marriage_from_wire(data: Any) -> MarriageRecord:
    if not isinstance(data, dict):
        raise MappingError("record is not an object")
    return MarriageRecord(
        husband=_spouse(data.get("chong")),
        wife=_spouse(data.get("vo")),
        registration_number=_text(data, "soDangKy"),
        book=_text(data, "quyenSo", required=False),
        registered_on=_date(data.get("ngayDangKy")),
        registered_at=_text(data, "noiDangKy"),
    )


def _plain(record: BirthRecord | MarriageRecord) -> dict[str, Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        return value

    return {key: convert(value) for key, value in asdict(record).items()}


def as_reused_document(record: BirthRecord | MarriageRecord, *, requirement_code: str) -> dict[str, Any]:
    """The record as a dossier document taken from the state's data instead of an upload:
    {requirement_code, name, reused_from: "civil_status_db", reference, data}."""
    if isinstance(record, BirthRecord):
        name = f"Trích lục khai sinh số {record.registration_number}, {record.registered_at}"
    else:
        name = f"Trích lục kết hôn số {record.registration_number}, {record.registered_at}"
    return {
        "requirement_code": requirement_code,
        "name": name[:500],
        "reused_from": SOURCE,
        "reference": f"{record.registration_number}|{record.book}|{record.registered_on.isoformat()}",
        "data": _plain(record),
    }
