"""The electronic civil-status database (Cơ sở dữ liệu hộ tịch điện tử): birth and marriage
records reused instead of uploads.

    birth_record(id_number=...) -> BirthRecord | None
    marriage_record(id_number=...) -> MarriageRecord | None   (either spouse's ID)
    mapping.as_reused_document(record, requirement_code=...) -> dict for a dossier document

Both raise `IntegrationUnavailable` when the database is down, slow or answers garbage.
"""

from typing import Any

from motcua.integrations import transport
from motcua.integrations.civil_status.mapping import (
    BirthRecord,
    MappingError,
    MarriageRecord,
    as_reused_document,
    birth_from_wire,
    marriage_from_wire,
)
from motcua.integrations.errors import IntegrationUnavailable

__all__ = ["BirthRecord", "MarriageRecord", "as_reused_document", "birth_record", "marriage_record"]
SYSTEM = "civil-status"


def _record(path: str, id_number: str) -> Any:
    reply = transport.request(SYSTEM, "POST", path, json={"soDinhDanh": id_number}, accept=(200, 404))
    if reply.status == 404:
        return None
    record = reply.data.get("trichLuc") if isinstance(reply.data, dict) else None
    if record is None:
        raise IntegrationUnavailable(transport.SYSTEMS[SYSTEM].unavailable, reason="unexpected answer")
    return record


def birth_record(*, id_number: str) -> BirthRecord | None:
    data = _record("/api/v1/trich-luc/khai-sinh", id_number)
    try:
        return None if data is None else birth_from_wire(data)
    except MappingError as error:
        raise IntegrationUnavailable(transport.SYSTEMS[SYSTEM].unavailable, reason=str(error)) from error


def marriage_record(*, id_number: str) -> MarriageRecord | None:
    data = _record("/api/v1/trich-luc/ket-hon", id_number)
    try:
        return None if data is None else marriage_from_wire(data)
    except MappingError as error:
        raise IntegrationUnavailable(transport.SYSTEMS[SYSTEM].unavailable, reason=str(error)) from error
