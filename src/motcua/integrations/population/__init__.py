"""The national population database (Cơ sở dữ liệu quốc gia về dân cư): verify a person, and
read their address and household to pre-fill forms ("declare only once").

    verify_person(id_number=..., full_name=..., date_of_birth=...) -> PersonRecord | None
    fetch_person(id_number=...) -> PersonRecord | None

None means the database answered "no match" / "no such person". Both raise
`IntegrationUnavailable` when it is down, too slow or answers garbage. Field mapping:
`mapping.py`; transport (direct or through LGSP): `motcua.integrations.transport`.
"""

from datetime import date

from motcua.integrations import transport
from motcua.integrations.errors import IntegrationUnavailable
from motcua.integrations.population.mapping import HouseholdMember, MappingError, PersonRecord, person_from_wire
from motcua.integrations.population.mapping import verify_request as _verify_request

__all__ = ["HouseholdMember", "PersonRecord", "fetch_person", "verify_person"]
SYSTEM = "population"


def _unavailable(reason: str) -> IntegrationUnavailable:
    return IntegrationUnavailable(transport.SYSTEMS[SYSTEM].unavailable, reason=reason)


def verify_person(*, id_number: str, full_name: str, date_of_birth: date) -> PersonRecord | None:
    """The person's record when ID, name and date of birth match the database, else None."""
    body = _verify_request(id_number=id_number, full_name=full_name, date_of_birth=date_of_birth)
    reply = transport.request(SYSTEM, "POST", "/api/v1/cong-dan/xac-thuc", json=body)
    data = reply.data
    result = data.get("ketQua") if isinstance(data, dict) else None
    if result == "KHONG_KHOP":
        return None
    if result != "KHOP":
        raise _unavailable("unexpected answer")
    try:
        return person_from_wire(data.get("congDan"))
    except MappingError as error:
        raise _unavailable(f"unexpected answer: {error}") from error


def fetch_person(*, id_number: str) -> PersonRecord | None:
    """The person's record (addresses, household), or None when the ID is unknown."""
    reply = transport.request(
        SYSTEM, "POST", "/api/v1/cong-dan/tra-cuu", json={"soDinhDanh": id_number}, accept=(200, 404)
    )
    if reply.status == 404:
        return None
    data = reply.data
    try:
        return person_from_wire(data.get("congDan") if isinstance(data, dict) else None)
    except MappingError as error:
        raise _unavailable(f"unexpected answer: {error}") from error
