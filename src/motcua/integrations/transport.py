"""How MotCua reaches the national systems: directly, or through the city's LGSP data bus.

Every client calls `request(system, method, path, ...)`; the setting `INTEGRATIONS_TRANSPORT`
chooses the route, so no client knows whether it talks to the system or to the bus:

* `direct`: `<SYSTEM_URL><path>` with the system's `X-Api-Key`;
* `lgsp`: `<LGSP_URL>/<system><path>` with the bus's `X-LGSP-Key` and the system's key, which
  the bus forwards (`simulators/lgsp.py` is its stand-in).

Anything that is not an answer of the protocol — no connection, a timeout, a 5xx, a body
that is not JSON — raises `IntegrationUnavailable` (retry later); other 4xx than those the
caller expects raise `IntegrationRefused`.
"""

import logging
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from motcua.integrations.errors import IntegrationRefused, IntegrationUnavailable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class System:
    name: str  # the path segment on the LGSP bus
    url_setting: str
    key_setting: str
    unavailable: str  # shown to a user when it does not answer


SYSTEMS = {
    "population": System(
        "population",
        "POPULATION_DB_URL",
        "POPULATION_DB_API_KEY",
        "Cơ sở dữ liệu quốc gia về dân cư tạm thời không phản hồi. Vui lòng thử lại sau ít phút.",
    ),
    "civil-status": System(
        "civil-status",
        "CIVIL_STATUS_DB_URL",
        "CIVIL_STATUS_DB_API_KEY",
        "Cơ sở dữ liệu hộ tịch điện tử tạm thời không phản hồi. Vui lòng thử lại sau ít phút.",
    ),
    "dvcqg": System(
        "dvcqg",
        "DVCQG_URL",
        "DVCQG_API_KEY",
        "Cổng Dịch vụ công quốc gia tạm thời không phản hồi. Vui lòng thử lại sau ít phút.",
    ),
}


@dataclass(frozen=True)
class Reply:
    status: int
    data: Any


def request(
    system: str,
    method: str,
    path: str,
    *,
    json: Any = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    accept: tuple[int, ...] = (200, 201),
) -> Reply:
    """One call to `system`; returns its status and JSON body when the status is in `accept`."""
    spec = SYSTEMS[system]
    all_headers = {"X-Api-Key": getattr(settings, spec.key_setting), "Accept": "application/json", **(headers or {})}
    if settings.INTEGRATIONS_TRANSPORT == "lgsp":
        url = f"{settings.LGSP_URL.rstrip('/')}/{spec.name}{path}"
        all_headers["X-LGSP-Key"] = settings.LGSP_API_KEY
    else:
        url = f"{getattr(settings, spec.url_setting).rstrip('/')}{path}"
    try:
        response = httpx.request(
            method, url, json=json, params=params, headers=all_headers, timeout=settings.INTEGRATIONS_TIMEOUT_SECONDS
        )
    except httpx.HTTPError as error:
        logger.warning("%s: %s %s failed: %s", system, method, path, type(error).__name__)
        raise IntegrationUnavailable(spec.unavailable, reason=f"{type(error).__name__}") from error
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code >= 500 or response.status_code in (401, 403, 429) or data is None:
        # A wrong key is an operator's problem, not the user's: it shows as "unavailable".
        logger.warning("%s: %s %s answered %s", system, method, path, response.status_code)
        raise IntegrationUnavailable(spec.unavailable, reason=f"HTTP {response.status_code}")
    if response.status_code not in accept:
        raise IntegrationRefused(reason=f"HTTP {response.status_code}")
    return Reply(response.status_code, data)
