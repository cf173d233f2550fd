"""The national population database's stand-in (Cơ sở dữ liệu quốc gia về dân cư, mô phỏng).

A few hundred synthetic residents of Ho Chi Minh City, generated deterministically (seeded
random) in households, with the demo accounts' people (`motcua.accounts.seed`) exactly as the
seed has them, and a few documented people who have no MotCua account yet (`SIGNUP_PEOPLE`),
for sign-up tests. Every name is NFC.

Protocol (JSON, every API call needs the header `X-Api-Key`):

* `POST /population/api/v1/cong-dan/xac-thuc` {soDinhDanh, hoVaTen, ngaySinh: "yyyyMMdd"}
  → 200 {"ketQua": "KHOP", "congDan": {...}} or 200 {"ketQua": "KHONG_KHOP"}. The name is
  compared after NFC and whitespace/case normalisation; diacritics count ("Nguyen Van An"
  is not "Nguyễn Văn An").
* `POST /population/api/v1/cong-dan/tra-cuu` {soDinhDanh} → 200 {"congDan": {...}} or 404.
  (POST, so the personal ID never appears in a URL or an access log.)
* A citizen: {soDinhDanh, hoVaTen, ngaySinh, gioiTinh: "1" male | "2" female, danToc,
  quocTich, queQuan, noiThuongTru, noiOHienTai, tinhTrangHonNhan, hoGiaDinh: {maHo,
  chuHo, thanhVien: [{soDinhDanh, hoVaTen, quanHeVoiChuHo, ngaySinh}]}}.

Switches: see `simulators/faults.py` (`mode` normal/down/garbage, `delay_seconds`,
`fail_next`); `GET /population/_control` also shows the number of API calls served.
"""

import os
import random
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from simulators import Request, Response
from simulators.faults import Faults, control_response

# DEVELOPMENT ONLY: the same default as motcua.settings.POPULATION_DB_API_KEY.
DEVELOPMENT_API_KEY = "motcua-development-population-key-NOT-FOR-PRODUCTION"
SEED = 20260101
HOUSEHOLDS = 110  # about 300 people


@dataclass(frozen=True)
class Person:
    id_number: str
    full_name: str
    date_of_birth: date
    gender: str  # "Nam" | "Nữ"
    hometown: str
    permanent_address: str
    current_address: str
    marital_status: str = "Chưa kết hôn"
    ethnicity: str = "Kinh"
    nationality: str = "Việt Nam"


# The demo accounts' people, exactly as motcua.accounts.seed creates them.
DEMO_PEOPLE = (
    Person(
        "079090001234",
        "Nguyễn Văn An",
        date(1990, 5, 12),
        "Nam",
        "Xã Tân An, Tỉnh Long An",
        "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
        "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
        "Đã kết hôn",
    ),
    Person(
        "079185005678",
        "Trần Thị Bích Ngọc",
        date(1985, 9, 3),
        "Nữ",
        "Phường Thủ Dầu Một, Thành phố Hồ Chí Minh",
        "45 Võ Văn Ngân, Phường Thủ Đức, Thành phố Hồ Chí Minh",
        "45 Võ Văn Ngân, Phường Thủ Đức, Thành phố Hồ Chí Minh",
    ),
)

# People with no MotCua account yet, for sign-up tests (also listed in simulators/README.md).
SIGNUP_PEOPLE = (
    Person(
        "079095000111",
        "Lê Hoàng Minh",
        date(1995, 7, 21),
        "Nam",
        "Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "8 Pasteur, Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "8 Pasteur, Phường Sài Gòn, Thành phố Hồ Chí Minh",
    ),
    Person(
        "079198000222",
        "Phạm Ngọc Lan Anh",
        date(1998, 2, 14),
        "Nữ",
        "Tỉnh Bến Tre",
        "27 Hai Bà Trưng, Phường Tân Định, Thành phố Hồ Chí Minh",
        "103 Nguyễn Trãi, Phường Bến Thành, Thành phố Hồ Chí Minh",
    ),
    Person(
        "079301000333",
        "Đỗ Thị Thu Trang",
        date(2001, 11, 30),
        "Nữ",
        "Thành phố Hà Nội",
        "5 Lê Văn Việt, Phường Tăng Nhơn Phú, Thành phố Hồ Chí Minh",
        "5 Lê Văn Việt, Phường Tăng Nhơn Phú, Thành phố Hồ Chí Minh",
    ),
)

_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
_FAMILY += ["Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai"]
_MIDDLE = {"Nam": ["Văn", "Hữu", "Minh", "Quốc", "Đức", "Thành", "Công", "Gia"]}
_MIDDLE["Nữ"] = ["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bảo", "Phương"]
_GIVEN = {
    "Nam": ["An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Hùng", "Khang", "Khoa", "Long", "Lộc", "Nam", "Phúc"],
    "Nữ": ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung", "Thảo"],
}
_GIVEN["Nam"] += ["Quang", "Sơn", "Tâm", "Thắng", "Trí", "Tuấn", "Việt", "Vinh"]
_GIVEN["Nữ"] += ["Trang", "Tuyết", "Uyên", "Vy", "Yến", "Quỳnh", "Phượng", "Oanh"]
_WARDS = [
    ("Bến Thành", ["Lê Lợi", "Lê Thánh Tôn", "Nguyễn Trãi", "Phạm Ngũ Lão", "Bùi Viện"]),
    ("Sài Gòn", ["Đồng Khởi", "Nguyễn Huệ", "Pasteur", "Hàm Nghi", "Tôn Đức Thắng"]),
    ("Tân Định", ["Hai Bà Trưng", "Trần Quang Khải", "Đinh Tiên Hoàng", "Nguyễn Hữu Cầu"]),
    ("Cầu Ông Lãnh", ["Trần Hưng Đạo", "Nguyễn Thái Học", "Cô Giang", "Cô Bắc"]),
    ("Thủ Đức", ["Võ Văn Ngân", "Đặng Văn Bi", "Lê Văn Chí", "Kha Vạn Cân"]),
    ("Linh Xuân", ["Quốc lộ 1K", "Nguyễn Văn Lịch", "Linh Trung"]),
    ("Tăng Nhơn Phú", ["Lê Văn Việt", "Man Thiện", "Đình Phong Phú"]),
    ("Hiệp Bình", ["Phạm Văn Đồng", "Hiệp Bình", "Đường số 9"]),
    ("Bình Thạnh", ["Xô Viết Nghệ Tĩnh", "Điện Biên Phủ", "Bạch Đằng"]),
    ("Gia Định", ["Phan Đăng Lưu", "Lê Quang Định", "Nơ Trang Long"]),
    ("Phú Nhuận", ["Phan Xích Long", "Hoàng Văn Thụ", "Nguyễn Văn Trỗi"]),
    ("Bàn Cờ", ["Cách Mạng Tháng Tám", "Nguyễn Đình Chiểu", "Võ Văn Tần"]),
    ("Chợ Quán", ["Trần Bình Trọng", "Nguyễn Văn Cừ", "An Dương Vương"]),
    ("Tân Sơn Nhất", ["Trường Sơn", "Phổ Quang", "Hoàng Văn Thụ"]),
    ("Bình Trưng", ["Nguyễn Duy Trinh", "Đồng Văn Cống", "Lương Định Của"]),
]
_HOMETOWNS = [
    "Thành phố Hồ Chí Minh",
    "Thành phố Hà Nội",
    "Thành phố Đà Nẵng",
    "Thành phố Cần Thơ",
    "Tỉnh Đồng Tháp",
    "Tỉnh An Giang",
    "Tỉnh Tây Ninh",
    "Tỉnh Đồng Nai",
    "Tỉnh Vĩnh Long",
    "Tỉnh Khánh Hòa",
    "Tỉnh Quảng Ngãi",
    "Tỉnh Nghệ An",
]
CITY = "Thành phố Hồ Chí Minh"


def normalize_name(value: str) -> str:
    """How the database compares names: NFC, single spaces, case-insensitive; diacritics count."""
    return " ".join(unicodedata.normalize("NFC", value).split()).casefold()


def api_key_from_environment() -> str:
    file_name = os.environ.get("POPULATION_DB_API_KEY_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get("POPULATION_DB_API_KEY") or DEVELOPMENT_API_KEY


def personal_id(rng: random.Random, dob: date, gender: str) -> str:
    """12 digits: 079 (HCMC) + sex/century digit + 2-digit year + 6 random digits."""
    century = 0 if dob.year < 2000 else 2
    sex = century + (0 if gender == "Nam" else 1)
    return f"079{sex}{dob.year % 100:02d}{rng.randrange(1_000_000):06d}"


@dataclass
class Household:
    code: str
    head: str  # id number of the head
    members: list[tuple[str, str]] = field(default_factory=list)  # (id number, relation to the head)


def generate(seed: int = SEED, households: int = HOUSEHOLDS) -> tuple[dict[str, Person], dict[str, Household]]:
    """The whole synthetic population: people by ID, households by code; deterministic."""
    rng = random.Random(seed)
    people: dict[str, Person] = {}
    by_person: dict[str, Household] = {}
    taken = {p.id_number for p in (*DEMO_PEOPLE, *SIGNUP_PEOPLE)}

    def new_person(gender: str, dob: date, family: str, address: str, marital: str) -> Person:
        while True:
            number = personal_id(rng, dob, gender)
            if number not in taken:
                taken.add(number)
                break
        name = f"{family} {rng.choice(_MIDDLE[gender])} {rng.choice(_GIVEN[gender])}"
        hometown = rng.choice(_HOMETOWNS)
        person = Person(number, name, dob, gender, hometown, address, address, marital)
        people[number] = person
        return person

    def random_dob(start_year: int, end_year: int) -> date:
        start = date(start_year, 1, 1)
        return start + timedelta(days=rng.randrange((date(end_year, 12, 31) - start).days))

    def address() -> str:
        ward, streets = rng.choice(_WARDS)
        return f"{rng.randint(1, 350)} {rng.choice(streets)}, Phường {ward}, {CITY}"

    homes: dict[str, Household] = {}
    # The demo people's households first, fixed.
    an, ngoc = DEMO_PEOPLE
    people[an.id_number], people[ngoc.id_number] = an, ngoc
    an_home = Household("HGD-079-000001", an.id_number, [(an.id_number, "Chủ hộ")])
    wife = new_person("Nữ", date(1992, 3, 8), "Lê", an.permanent_address, "Đã kết hôn")
    son = new_person("Nam", date(2018, 10, 1), "Nguyễn", an.permanent_address, "Chưa kết hôn")
    an_home.members += [(wife.id_number, "Vợ"), (son.id_number, "Con")]
    homes[an_home.code] = an_home
    ngoc_home = Household("HGD-079-000002", ngoc.id_number, [(ngoc.id_number, "Chủ hộ")])
    homes[ngoc_home.code] = ngoc_home
    for index, person in enumerate(SIGNUP_PEOPLE, start=3):
        people[person.id_number] = person
        homes[f"HGD-079-{index:06d}"] = Household(
            f"HGD-079-{index:06d}", person.id_number, [(person.id_number, "Chủ hộ")]
        )

    for index in range(len(homes) + 1, households + 1):
        home_address = address()
        family = rng.choice(_FAMILY)
        head_gender = rng.choice(["Nam", "Nam", "Nữ"])
        married = rng.random() < 0.7
        head = new_person(
            head_gender, random_dob(1950, 1998), family, home_address, "Đã kết hôn" if married else "Chưa kết hôn"
        )
        home = Household(f"HGD-079-{index:06d}", head.id_number, [(head.id_number, "Chủ hộ")])
        if married:
            spouse_gender = "Nữ" if head_gender == "Nam" else "Nam"
            spouse_year = min(max(head.date_of_birth.year + rng.randint(-5, 5), 1950), 2000)
            spouse = new_person(
                spouse_gender, random_dob(spouse_year, spouse_year), rng.choice(_FAMILY), home_address, "Đã kết hôn"
            )
            home.members.append((spouse.id_number, "Vợ" if spouse_gender == "Nữ" else "Chồng"))
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            first = max(head.date_of_birth.year + 20, 1975)
            child = new_person(
                rng.choice(["Nam", "Nữ"]),
                random_dob(first, min(first + 15, 2024)),
                family,
                home_address,
                "Chưa kết hôn",
            )
            home.members.append((child.id_number, "Con"))
        if rng.random() < 0.15:
            parent = new_person(rng.choice(["Nam", "Nữ"]), random_dob(1935, 1955), family, home_address, "Đã kết hôn")
            home.members.append((parent.id_number, "Bố" if parent.gender == "Nam" else "Mẹ"))
        homes[home.code] = home
    for home in homes.values():
        for number, _relation in home.members:
            by_person[number] = home
    return people, by_person


def _ymd(value: date) -> str:
    return value.strftime("%Y%m%d")


class PopulationSimulator:
    name = "population"

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or api_key_from_environment()
        self.people, self.households = generate()
        self.faults = Faults()
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.faults.reset()
        with self._lock:
            self.calls = 0

    def citizen(self, person: Person) -> dict[str, Any]:
        home = self.households[person.id_number]
        head = self.people[home.head]
        return {
            "soDinhDanh": person.id_number,
            "hoVaTen": person.full_name,
            "ngaySinh": _ymd(person.date_of_birth),
            "gioiTinh": "1" if person.gender == "Nam" else "2",
            "danToc": person.ethnicity,
            "quocTich": person.nationality,
            "queQuan": person.hometown,
            "noiThuongTru": person.permanent_address,
            "noiOHienTai": person.current_address,
            "tinhTrangHonNhan": person.marital_status,
            "hoGiaDinh": {
                "maHo": home.code,
                "chuHo": head.full_name,
                "thanhVien": [
                    {
                        "soDinhDanh": number,
                        "hoVaTen": self.people[number].full_name,
                        "quanHeVoiChuHo": relation,
                        "ngaySinh": _ymd(self.people[number].date_of_birth),
                    }
                    for number, relation in home.members
                ],
            },
        }

    def handle(self, request: Request) -> Response:
        parts = [part for part in request.path.split("/") if part]
        if parts[:1] == ["_control"]:
            return control_response(self.faults, request, parts, self._state, self.reset)
        if request.headers.get("x-api-key") != self.api_key:
            return Response.json({"error": "unauthorized", "detail": "missing or wrong X-Api-Key"}, 401)
        faulty = self.faults.intercept(request)
        with self._lock:
            self.calls += 1
        if faulty is not None:
            return faulty
        if request.method != "POST" or parts[:3] != ["api", "v1", "cong-dan"] or len(parts) != 4:
            return Response.json({"error": "not_found"}, 404)
        try:
            body = request.json()
            number = str(body["soDinhDanh"])
        except (ValueError, KeyError, TypeError):
            return Response.json({"error": "bad_request", "detail": "soDinhDanh is required"}, 400)
        person = self.people.get(number)
        if parts[3] == "tra-cuu":
            if person is None:
                return Response.json({"error": "not_found", "detail": "no such citizen"}, 404)
            return Response.json({"congDan": self.citizen(person)})
        if parts[3] == "xac-thuc":
            name, dob = body.get("hoVaTen"), body.get("ngaySinh")
            if not isinstance(name, str) or not isinstance(dob, str):
                return Response.json({"error": "bad_request", "detail": "hoVaTen and ngaySinh are required"}, 400)
            if (
                person is None
                or normalize_name(name) != normalize_name(person.full_name)
                or dob != _ymd(person.date_of_birth)
            ):
                return Response.json({"ketQua": "KHONG_KHOP"})
            return Response.json({"ketQua": "KHOP", "congDan": self.citizen(person)})
        return Response.json({"error": "not_found"}, 404)

    def _state(self) -> dict[str, Any]:
        with self._lock:
            return {"calls": self.calls, "people": len(self.people)}
