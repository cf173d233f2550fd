"""The National Public Service Portal (Cổng Dịch vụ công quốc gia, DVCQG) client.

    push(hoso, progress, version, key)  every dossier and status change (idempotency key)
    fetch_submitted()                   dossiers submitted at the portal, not yet acknowledged
    acknowledge(national_code, code)    tell the portal MotCua filed one under `code`
    fetch_procedures()                  the national procedure list

All raise `IntegrationUnavailable` when the portal is down, slow or answers garbage. Field
mapping: `mapping.py`; what uses it: `sync.py`.
"""

from typing import Any
from urllib.parse import quote

from motcua.integrations import transport
from motcua.integrations.dvcqg.mapping import (
    MappingError,
    NationalDossier,
    NationalProcedure,
    procedure_from_wire,
    submitted_from_wire,
)
from motcua.integrations.errors import IntegrationUnavailable

SYSTEM = "dvcqg"


def _items(data: Any) -> list[Any]:
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise IntegrationUnavailable(transport.SYSTEMS[SYSTEM].unavailable, reason="unexpected answer")
    return items


def push(*, hoso: dict[str, Any], progress: dict[str, Any] | None, version: int, key: str) -> None:
    reply = transport.request(
        SYSTEM,
        "POST",
        "/api/v1/hoso/dongbo",
        json={"HoSo": hoso, "TienDo": progress, "PhienBan": version},
        headers={"Idempotency-Key": key},
    )
    if not isinstance(reply.data, dict) or reply.data.get("KetQua") != "OK":
        raise IntegrationUnavailable(transport.SYSTEMS[SYSTEM].unavailable, reason="unexpected answer")


def fetch_submitted() -> list[NationalDossier | MappingError]:
    """Each item mapped, or the MappingError saying why it could not be (the rest still come)."""
    result: list[NationalDossier | MappingError] = []
    for item in _items(transport.request(SYSTEM, "GET", "/api/v1/hoso/moi").data):
        try:
            result.append(submitted_from_wire(item))
        except MappingError as error:
            result.append(error)
    return result


def acknowledge(*, national_code: str, code: str) -> None:
    transport.request(
        SYSTEM, "POST", f"/api/v1/hoso/moi/{quote(national_code, safe='')}/xacnhan", json={"MaHoSo": code}
    )


def fetch_procedures() -> list[NationalProcedure]:
    try:
        return [procedure_from_wire(item) for item in _items(transport.request(SYSTEM, "GET", "/api/v1/thutuc").data)]
    except MappingError as error:
        raise IntegrationUnavailable(transport.SYSTEMS[SYSTEM].unavailable, reason=str(error)) from error
