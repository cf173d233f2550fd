"""Stand-in for the National Business Registration Database (Cơ sở dữ liệu quốc gia về đăng ký
doanh nghiệp), mounted at `/business-registry/`.

Protocol (JSON, UTF-8):

- `GET /business-registry/api/enterprises/<tax code>` → 200 `{"tax_code", "name", "address",
  "legal_representative", "status", "registered_on"}` or 404 `{"error": "not_found"}`.
  `status` is `active` (đang hoạt động), `suspended` (tạm ngừng kinh doanh) or `dissolved`
  (đã giải thể). Tax codes are 10 digits, or `0312345678-001` for a branch.
- Every API call needs the header `X-Api-Key` (development default below, or
  `BUSINESS_REGISTRY_API_KEY` / `BUSINESS_REGISTRY_API_KEY_FILE`, as MotCua reads them).

Switches: `simulators/faults.py` (`mode` normal/down/garbage, `delay_seconds`, `fail_next`);
`GET /business-registry/_control` also shows how many look-ups were served.
"""

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators import Request, Response
from simulators.faults import Faults, control_response

# DEVELOPMENT ONLY: the same default as motcua.settings.BUSINESS_REGISTRY_API_KEY.
DEVELOPMENT_API_KEY = "motcua-development-business-registry-key-NOT-FOR-PRODUCTION"

TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")


@dataclass(frozen=True)
class Enterprise:
    tax_code: str
    name: str
    address: str
    legal_representative: str
    status: str = "active"
    registered_on: str = "2015-01-05"

    def as_json(self) -> dict[str, Any]:
        return {
            "tax_code": self.tax_code,
            "name": self.name,
            "address": self.address,
            "legal_representative": self.legal_representative,
            "status": self.status,
            "registered_on": self.registered_on,
        }


# The demo business of contract.md (accounts/seed.py): it already has an account.
DEMO_BUSINESS = Enterprise(
    tax_code="0312345678",
    name="Công ty TNHH Thương mại Dịch vụ Ánh Dương",
    address="88 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh",
    legal_representative="Lê Minh Quân",
    registered_on="2013-06-20",
)

# Businesses without an account, for sign-up tests and demos.
SIGNUP_BUSINESSES = [
    Enterprise(
        tax_code="0316000001",
        name="Công ty TNHH Công nghệ Sao Mai",
        address="25 Nguyễn Thị Minh Khai, Phường Bến Thành, Thành phố Hồ Chí Minh",
        legal_representative="Phan Thị Hồng Nhung",
        registered_on="2020-03-02",
    ),
    Enterprise(
        tax_code="0316000002",
        name="Công ty Cổ phần Xây dựng Phú Mỹ Hưng Thịnh",
        address="140 Lý Thường Kiệt, Phường Diên Hồng, Thành phố Hồ Chí Minh",
        legal_representative="Đỗ Văn Tài",
        registered_on="2021-11-15",
    ),
    Enterprise(
        tax_code="0316000001-001",
        name="Chi nhánh Thủ Đức – Công ty TNHH Công nghệ Sao Mai",
        address="9 Võ Văn Ngân, Phường Thủ Đức, Thành phố Hồ Chí Minh",
        legal_representative="Phan Thị Hồng Nhung",
        registered_on="2023-04-10",
    ),
]

# Look-ups that find a business that may not open an account.
CLOSED_BUSINESSES = [
    Enterprise(
        tax_code="0309999999",
        name="Công ty TNHH Thương mại Bình Minh Cũ",
        address="3 Hàm Nghi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
        legal_representative="Ngô Văn Lâm",
        status="dissolved",
        registered_on="2009-08-01",
    ),
]


def seed() -> dict[str, Enterprise]:
    return {e.tax_code: e for e in [DEMO_BUSINESS, *SIGNUP_BUSINESSES, *CLOSED_BUSINESSES]}


def api_key_from_environment() -> str:
    file_name = os.environ.get("BUSINESS_REGISTRY_API_KEY_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get("BUSINESS_REGISTRY_API_KEY") or DEVELOPMENT_API_KEY


class BusinessRegistrySimulator:
    name = "business-registry"

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or api_key_from_environment()
        self.enterprises = seed()
        self.faults = Faults()
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.faults.reset()
        with self._lock:
            self.lookups = 0

    def _state(self) -> dict[str, Any]:
        with self._lock:
            return {"lookups": self.lookups, "tax_codes": sorted(self.enterprises)}

    def handle(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/") if p]
        if parts[:1] == ["_control"]:
            return control_response(self.faults, request, parts, self._state, self.reset)
        if request.headers.get("x-api-key") != self.api_key:
            return Response.json({"error": "unauthorized", "detail": "missing or wrong X-Api-Key"}, 401)
        faulty = self.faults.intercept(request)
        if faulty is not None:
            return faulty
        if request.method == "GET" and len(parts) == 3 and parts[:2] == ["api", "enterprises"]:
            tax_code = parts[2]
            if not TAX_CODE.match(tax_code):
                return Response.json({"error": "bad_request", "detail": "tax code: 10 digits or 10-3"}, 400)
            with self._lock:
                self.lookups += 1
            enterprise = self.enterprises.get(tax_code)
            if enterprise is None:
                return Response.json({"error": "not_found"}, 404)
            return Response.json(enterprise.as_json())
        return Response.json({"error": "not_found", "detail": f"no route {request.method} {request.path}"}, 404)
