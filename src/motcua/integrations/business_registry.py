"""The national business registration database (Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp):
who a tax code belongs to, so a business account is opened with the registry's own data.

    lookup_business(tax_code=...) -> BusinessRecord | None

None means the registry has no such tax code. Raises `IntegrationUnavailable` when it is down,
too slow or answers something that is not its protocol. Stand-in: `simulators/business_registry.py`;
transport (direct or through LGSP): `motcua.integrations.transport`.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from motcua.core.text import normalize
from motcua.integrations import transport
from motcua.integrations.errors import IntegrationUnavailable

SYSTEM = "business-registry"
# Registered here so this client needs nothing from the shared transport module but its API.
transport.SYSTEMS.setdefault(
    SYSTEM,
    transport.System(
        SYSTEM,
        "BUSINESS_REGISTRY_URL",
        "BUSINESS_REGISTRY_API_KEY",
        "Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp tạm thời không phản hồi. Vui lòng thử lại sau ít phút.",
    ),
)

STATUSES = {
    "active": "Đang hoạt động",
    "suspended": "Tạm ngừng kinh doanh",
    "dissolved": "Đã giải thể",
}


@dataclass(frozen=True)
class BusinessRecord:
    tax_code: str
    name: str
    address: str
    legal_representative: str
    status: str  # one of STATUSES

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @property
    def status_display(self) -> str:
        return STATUSES.get(self.status, self.status)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise IntegrationUnavailable(transport.SYSTEMS[SYSTEM].unavailable, reason=f"unexpected answer: {key}")
    return normalize(value)


def lookup_business(*, tax_code: str) -> BusinessRecord | None:
    """The registry's record of a tax code (10 digits or 0312345678-001), or None if unknown."""
    reply = transport.request(SYSTEM, "GET", f"/api/enterprises/{quote(tax_code, safe='-')}", accept=(200, 404))
    if reply.status == 404:
        return None
    data = reply.data
    if not isinstance(data, dict):
        raise IntegrationUnavailable(transport.SYSTEMS[SYSTEM].unavailable, reason="unexpected answer")
    status = _text(data, "status")
    if status not in STATUSES:
        raise IntegrationUnavailable(transport.SYSTEMS[SYSTEM].unavailable, reason="unexpected status")
    return BusinessRecord(
        tax_code=_text(data, "tax_code"),
        name=_text(data, "name"),
        address=_text(data, "address"),
        legal_representative=_text(data, "legal_representative"),
        status=status,
    )
