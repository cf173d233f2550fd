"""The electronic civil-status database's stand-in (Cơ sở dữ liệu hộ tịch điện tử, mô phỏng).

Birth and marriage records of the population stand-in's people (`simulators/population.py`,
same seed): everyone has a birth record; each married couple living together has a marriage
record. So a citizen's birth or marriage extract (trích lục) is reused instead of uploaded.

Protocol (JSON, header `X-Api-Key` on every API call; POST so personal IDs stay out of URLs):

* `POST /civil-status/api/v1/trich-luc/khai-sinh` {soDinhDanh} → 200 {"trichLuc": {soDinhDanh,
  hoVaTen, ngaySinh (yyyyMMdd), gioiTinh, noiSinh, hoTenCha, hoTenMe, soDangKy, quyenSo,
  ngayDangKy, noiDangKy}} or 404;
* `POST /civil-status/api/v1/trich-luc/ket-hon` {soDinhDanh} (either spouse) → 200
  {"trichLuc": {chong: {soDinhDanh, hoVaTen, ngaySinh}, vo: {...}, soDangKy, quyenSo,
  ngayDangKy, noiDangKy}} or 404.

Switches: `simulators/faults.py` (`mode`, `delay_seconds`, `fail_next`) on `_control`.
"""

import os
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from simulators import Request, Response
from simulators.faults import Faults, control_response
from simulators.population import _FAMILY, _GIVEN, _MIDDLE, SEED, Person, generate

# DEVELOPMENT ONLY: the same default as motcua.settings.CIVIL_STATUS_DB_API_KEY.
DEVELOPMENT_API_KEY = "motcua-development-civil-status-key-NOT-FOR-PRODUCTION"
_PLACES = [
    "Bệnh viện Từ Dũ, Thành phố Hồ Chí Minh",
    "Bệnh viện Hùng Vương, Thành phố Hồ Chí Minh",
    "Bệnh viện Nhân dân Gia Định, Thành phố Hồ Chí Minh",
    "Trạm y tế phường, Thành phố Hồ Chí Minh",
]


def api_key_from_environment() -> str:
    file_name = os.environ.get("CIVIL_STATUS_DB_API_KEY_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get("CIVIL_STATUS_DB_API_KEY") or DEVELOPMENT_API_KEY


@dataclass(frozen=True)
class Marriage:
    husband: str  # personal IDs
    wife: str
    number: str
    registered_on: date
    place: str


def _ymd(value: date) -> str:
    return value.strftime("%Y%m%d")


class CivilStatusSimulator:
    name = "civil-status"

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or api_key_from_environment()
        self.people, households = generate()
        rng = random.Random(SEED + 1)
        self.births: dict[str, dict[str, Any]] = {}
        self.marriages: dict[str, Marriage] = {}
        homes = {id(home): home for home in households.values()}.values()
        parents: dict[str, tuple[str, str]] = {}
        for home in homes:
            spouses = [n for n, relation in home.members if relation in ("Chủ hộ", "Vợ", "Chồng")]
            husband = next((n for n in spouses if self.people[n].gender == "Nam"), "")
            wife = next((n for n in spouses if self.people[n].gender == "Nữ"), "")
            if husband and wife and len(spouses) == 2:
                younger = max(self.people[husband].date_of_birth, self.people[wife].date_of_birth)
                married = min(younger + timedelta(days=365 * 22 + rng.randrange(365 * 6)), date(2025, 6, 30))
                record = Marriage(husband, wife, f"{rng.randrange(1, 400)}/{married.year}", married, self._office(rng))
                self.marriages[husband] = self.marriages[wife] = record
            for number, relation in home.members:
                if relation == "Con":
                    parents[number] = (
                        self.people[husband].full_name if husband else "",
                        self.people[wife].full_name if wife else "",
                    )
        for number, person in self.people.items():
            father, mother = parents.get(number) or (self._name(rng, "Nam", person), self._name(rng, "Nữ", None))
            registered = person.date_of_birth + timedelta(days=rng.randrange(3, 60))
            self.births[number] = {
                "soDinhDanh": number,
                "hoVaTen": person.full_name,
                "ngaySinh": _ymd(person.date_of_birth),
                "gioiTinh": "1" if person.gender == "Nam" else "2",
                "noiSinh": rng.choice(_PLACES),
                "hoTenCha": father,
                "hoTenMe": mother,
                "soDangKy": f"{rng.randrange(1, 900)}",
                "quyenSo": f"{rng.randrange(1, 12):02d}/{registered.year}",
                "ngayDangKy": _ymd(registered),
                "noiDangKy": self._office(rng),
            }
        self.faults = Faults()

    @staticmethod
    def _office(rng: random.Random) -> str:
        ward = rng.choice(["Bến Thành", "Sài Gòn", "Tân Định", "Thủ Đức", "Bình Thạnh", "Phú Nhuận", "Gia Định"])
        return f"Ủy ban nhân dân Phường {ward}, Thành phố Hồ Chí Minh"

    @staticmethod
    def _name(rng: random.Random, gender: str, child: Person | None) -> str:
        family = child.full_name.split(" ")[0] if child else rng.choice(_FAMILY)
        return f"{family} {rng.choice(_MIDDLE[gender])} {rng.choice(_GIVEN[gender])}"

    def reset(self) -> None:
        self.faults.reset()

    def _spouse(self, number: str) -> dict[str, str]:
        person = self.people[number]
        return {"soDinhDanh": number, "hoVaTen": person.full_name, "ngaySinh": _ymd(person.date_of_birth)}

    def handle(self, request: Request) -> Response:
        parts = [part for part in request.path.split("/") if part]
        if parts[:1] == ["_control"]:
            return control_response(self.faults, request, parts, lambda: {"received": self.faults.received}, self.reset)
        if request.headers.get("x-api-key") != self.api_key:
            return Response.json({"error": "unauthorized", "detail": "missing or wrong X-Api-Key"}, 401)
        faulty = self.faults.intercept(request)
        if faulty is not None:
            return faulty
        if request.method != "POST" or parts[:3] != ["api", "v1", "trich-luc"] or len(parts) != 4:
            return Response.json({"error": "not_found"}, 404)
        try:
            number = str(request.json()["soDinhDanh"])
        except (ValueError, KeyError, TypeError):
            return Response.json({"error": "bad_request", "detail": "soDinhDanh is required"}, 400)
        if parts[3] == "khai-sinh":
            birth = self.births.get(number)
            if birth is None:
                return Response.json({"error": "not_found", "detail": "no birth record"}, 404)
            return Response.json({"trichLuc": birth})
        if parts[3] == "ket-hon":
            marriage = self.marriages.get(number)
            if marriage is None:
                return Response.json({"error": "not_found", "detail": "no marriage record"}, 404)
            return Response.json(
                {
                    "trichLuc": {
                        "chong": self._spouse(marriage.husband),
                        "vo": self._spouse(marriage.wife),
                        "soDangKy": marriage.number,
                        "quyenSo": f"01/{marriage.registered_on.year}",
                        "ngayDangKy": _ymd(marriage.registered_on),
                        "noiDangKy": marriage.place,
                    }
                }
            )
        return Response.json({"error": "not_found"}, 404)
