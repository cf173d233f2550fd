"""The social-insurance database's stand-in (Cơ sở dữ liệu quốc gia về bảo hiểm, mô phỏng).

The insurance history of the population stand-in's working-age people (`simulators/population.py`,
same seed): about four in five of those aged 18–60 on 1/1/2026 have a social-insurance book
(sổ BHXH) with one to three employment periods, each with its employer and the months of
unemployment-insurance contributions; the others have none (404). The demo citizens have one,
so the unemployment-benefit procedure reuses it instead of an upload.

Protocol (JSON, header `X-Api-Key` on every API call; POST so personal IDs stay out of URLs):

* `POST /social-insurance/api/v1/qua-trinh-dong` {soDinhDanh} → 200 {"soBHXH": {soDinhDanh,
  hoVaTen, ngaySinh (yyyyMMdd), maSoBHXH (10 digits), quaTrinh: [{tuThang, denThang (MM/yyyy),
  donVi, soThangBHTN}], tongSoThangBHTN}} or 404.

Switches: `simulators/faults.py` (`mode`, `delay_seconds`, `fail_next`) on `_control`.
"""

import os
import random
from datetime import date
from pathlib import Path
from typing import Any

from simulators import Request, Response
from simulators.faults import Faults, control_response
from simulators.population import DEMO_PEOPLE, SEED, generate

# DEVELOPMENT ONLY: the same default as motcua.settings.SOCIAL_INSURANCE_DB_API_KEY.
DEVELOPMENT_API_KEY = "motcua-development-social-insurance-key-NOT-FOR-PRODUCTION"
_EMPLOYERS = [
    "Công ty TNHH Dệt may Sài Gòn",
    "Công ty Cổ phần Thực phẩm Bình Tây",
    "Công ty TNHH Điện tử Tân Thuận",
    "Ngân hàng TMCP Phương Nam",
    "Công ty Cổ phần Vận tải Bến Thành",
    "Trường Tiểu học Lê Văn Tám",
    "Công ty TNHH Phần mềm Quang Trung",
    "Bệnh viện Đa khoa khu vực Thủ Đức",
]
REFERENCE_DAY = date(2026, 1, 1)


def api_key_from_environment() -> str:
    file_name = os.environ.get("SOCIAL_INSURANCE_DB_API_KEY_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get("SOCIAL_INSURANCE_DB_API_KEY") or DEVELOPMENT_API_KEY


def _age(born: date) -> int:
    return REFERENCE_DAY.year - born.year - ((REFERENCE_DAY.month, REFERENCE_DAY.day) < (born.month, born.day))


def _periods(rng: random.Random, born: date) -> list[dict[str, Any]]:
    """One to three back-to-back employment periods, the last ending in 2025."""
    start_year = min(max(born.year + 18, 2009), 2024)
    choices = range(start_year, 2025)
    years = sorted(rng.sample(choices, min(rng.randint(1, 3), len(choices))))
    periods = []
    for index, year in enumerate(years):
        start_month = rng.randint(1, 12)
        end_year = years[index + 1] if index + 1 < len(years) else 2025
        end_month = rng.randint(1, 12) if end_year > year else 12
        months = max(1, (end_year - year) * 12 + end_month - start_month + 1)
        periods.append(
            {
                "tuThang": f"{start_month:02d}/{year}",
                "denThang": f"{end_month:02d}/{end_year}",
                "donVi": rng.choice(_EMPLOYERS),
                "soThangBHTN": months,
            }
        )
    return periods


class SocialInsuranceSimulator:
    name = "social-insurance"

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or api_key_from_environment()
        people, _households = generate()
        rng = random.Random(SEED + 2)
        demo = {person.id_number for person in DEMO_PEOPLE}
        self.books: dict[str, dict[str, Any]] = {}
        for number in sorted(people):
            person = people[number]
            insured = number in demo or (18 <= _age(person.date_of_birth) <= 60 and rng.random() < 0.8)
            if not insured:
                continue
            periods = _periods(rng, person.date_of_birth)
            self.books[number] = {
                "soDinhDanh": number,
                "hoVaTen": person.full_name,
                "ngaySinh": person.date_of_birth.strftime("%Y%m%d"),
                "maSoBHXH": f"79{rng.randrange(10**8):08d}",
                "quaTrinh": periods,
                "tongSoThangBHTN": sum(period["soThangBHTN"] for period in periods),
            }
        self.faults = Faults()

    def reset(self) -> None:
        self.faults.reset()

    def handle(self, request: Request) -> Response:
        parts = [part for part in request.path.split("/") if part]
        if parts[:1] == ["_control"]:
            return control_response(self.faults, request, parts, lambda: {"received": self.faults.received}, self.reset)
        if request.headers.get("x-api-key") != self.api_key:
            return Response.json({"error": "unauthorized", "detail": "missing or wrong X-Api-Key"}, 401)
        faulty = self.faults.intercept(request)
        if faulty is not None:
            return faulty
        if request.method != "POST" or parts != ["api", "v1", "qua-trinh-dong"]:
            return Response.json({"error": "not_found"}, 404)
        try:
            number = str(request.json()["soDinhDanh"])
        except (ValueError, KeyError, TypeError):
            return Response.json({"error": "bad_request", "detail": "soDinhDanh is required"}, 400)
        book = self.books.get(number)
        if book is None:
            return Response.json({"error": "not_found", "detail": "no social-insurance book"}, 404)
        return Response.json({"soBHXH": book})
