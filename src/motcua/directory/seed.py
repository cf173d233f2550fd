"""The HCMC agency directory: the city, its departments, its 168 communes, two dissolved districts.

`seed_directory()` is idempotent: it writes only what differs, so running it twice changes
nothing. It is called by `seed_demo` and by the catalogue seed.

Agency codes (QCVN 102:2016 shape `V1V2V3.Z1Z2.Y1Y2.MX1X2`, `H29` = HCMC). The People's
Committee's `000.00.00.H29` is public; the codes of departments and of the post-2025 wards
are not, so this module uses its own scheme **(unconfirmed)**, chosen so that no two
blocks can collide within one province:

- city-level bodies: `000.00.NN.H29`, NN = 31–49 for departments and boards, 50–59 for
  centres (Sở Nội vụ is `000.00.31.H29`, as the catalogue data already uses);
- wards, communes and the special zone: their 5-digit national division code
  (as in the vietnam-provinces package, 2025 list) split 3 + 2, e.g. Phường Bến Thành
  26743 → `267.43.00.H29` (HCMC's commune codes all start with 25–27);
- districts dissolved on 1/7/2025: their 3-digit national district code, e.g. Quận 1
  760 → `760.00.00.H29`, Thành phố Thủ Đức 769 → `769.00.00.H29` (HCMC's, Bình Dương's and
  Bà Rịa–Vũng Tàu's old district codes are all 7xx, so they never meet a commune block).

When the city publishes its real codes, change the constants and the two helpers below;
the rest of the system reads the constants, never literal codes.

Validity dates: `valid_from` of agencies that existed before the system's history starts is
2000-01-01 (a floor, not a founding date). The 2025 department mergers took effect on
1/3/2025 and the district level ended on 30/6/2025 (Resolution 1685/NQ-UBTVQH15 for
HCMC's communes, unconfirmed number).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from vietnam_provinces import ProvinceCode, Ward

from motcua.directory.models import Agency
from motcua.directory.services import agency_set_successors, agency_upsert, counter_upsert, service_centre_upsert

HISTORY_START = date(2000, 1, 1)
DEPARTMENTS_MERGED_ON = date(2025, 3, 1)
TWO_LEVEL_GOVERNMENT_ON = date(2025, 7, 1)


def commune_agency_code(division_code: int) -> str:
    """Agency code of a ward/commune/special zone from its 5-digit national code (unconfirmed scheme)."""
    digits = f"{division_code:05d}"
    return f"{digits[:3]}.{digits[3:]}.00.H29"


def district_agency_code(district_code: int) -> str:
    """Agency code of a pre-2025 district from its 3-digit national code (unconfirmed scheme)."""
    return f"{district_code:03d}.00.00.H29"


HCMC_PC_CODE = "000.00.00.H29"
HOME_AFFAIRS_CODE = "000.00.31.H29"
JUSTICE_CODE = "000.00.32.H29"
LABOUR_CODE = "000.00.33.H29"
CONSTRUCTION_CODE = "000.00.34.H29"
TRANSPORT_CODE = "000.00.35.H29"
EDUCATION_CODE = "000.00.36.H29"
HEALTH_CODE = "000.00.37.H29"
FINANCE_CODE = "000.00.38.H29"
PLANNING_INVESTMENT_CODE = "000.00.39.H29"
INDUSTRY_TRADE_CODE = "000.00.40.H29"
POLICE_CODE = "000.00.41.H29"
HEPZA_CODE = "000.00.42.H29"
FOOD_SAFETY_CODE = "000.00.43.H29"
SERVICE_CENTRE_CODE = "000.00.50.H29"

SAI_GON_DIVISION = 26740
BEN_THANH_DIVISION = 26743
THU_DUC_WARD_DIVISION = 26824
SAI_GON_CODE = commune_agency_code(SAI_GON_DIVISION)
BEN_THANH_CODE = commune_agency_code(BEN_THANH_DIVISION)
THU_DUC_WARD_CODE = commune_agency_code(THU_DUC_WARD_DIVISION)

DISTRICT_1_DIVISION = 760
THU_DUC_CITY_DIVISION = 769
DISTRICT_1_CODE = district_agency_code(DISTRICT_1_DIVISION)
THU_DUC_CITY_CODE = district_agency_code(THU_DUC_CITY_DIVISION)

# Service centres (sites with counters and queue numbers) are keyed by a slug, not an agency code.
CITY_CENTRE_SITE_CODE = "hcm-ttpvhcc"
BEN_THANH_SITE_CODE = "hcm-ben-thanh-ttpvhcc"

# Service keys that counters call queue numbers for, with their labels.
SERVICE_KEYS: dict[str, str] = {
    "ho-tich": "Hộ tịch, chứng thực",
    "lao-dong-viec-lam": "Lao động, việc làm, người có công",
    "dat-dai-xay-dung": "Đất đai, xây dựng",
    "doanh-nghiep": "Doanh nghiệp, đầu tư",
    "tu-phap": "Tư pháp, lý lịch tư pháp",
    "chung": "Tiếp nhận chung và trả kết quả",
}

_LEVEL_OF_DIVISION = {
    "phường": Agency.Level.WARD,
    "xã": Agency.Level.COMMUNE,
    "đặc khu": Agency.Level.SPECIAL_ZONE,
}


@dataclass(frozen=True)
class _Body:
    code: str
    name: str
    short_name: str
    level: str = Agency.Level.DEPARTMENT
    valid_from: date = HISTORY_START
    valid_to: date | None = None


_CITY_BODIES = [
    _Body(HOME_AFFAIRS_CODE, "Sở Nội vụ Thành phố Hồ Chí Minh", "Sở Nội vụ"),
    _Body(JUSTICE_CODE, "Sở Tư pháp Thành phố Hồ Chí Minh", "Sở Tư pháp"),
    _Body(
        LABOUR_CODE,
        "Sở Lao động – Thương binh và Xã hội Thành phố Hồ Chí Minh",
        "Sở LĐ-TB&XH",
        valid_to=date(2025, 2, 28),
    ),
    _Body(CONSTRUCTION_CODE, "Sở Xây dựng Thành phố Hồ Chí Minh", "Sở Xây dựng"),
    _Body(TRANSPORT_CODE, "Sở Giao thông vận tải Thành phố Hồ Chí Minh", "Sở GTVT", valid_to=date(2025, 2, 28)),
    _Body(EDUCATION_CODE, "Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh", "Sở GD&ĐT"),
    _Body(HEALTH_CODE, "Sở Y tế Thành phố Hồ Chí Minh", "Sở Y tế"),
    _Body(FINANCE_CODE, "Sở Tài chính Thành phố Hồ Chí Minh", "Sở Tài chính"),
    _Body(
        PLANNING_INVESTMENT_CODE,
        "Sở Kế hoạch và Đầu tư Thành phố Hồ Chí Minh",
        "Sở KH&ĐT",
        valid_to=date(2025, 2, 28),
    ),
    _Body(INDUSTRY_TRADE_CODE, "Sở Công Thương Thành phố Hồ Chí Minh", "Sở Công Thương"),
    _Body(POLICE_CODE, "Công an Thành phố Hồ Chí Minh", "Công an TP.HCM"),
    _Body(HEPZA_CODE, "Ban Quản lý các Khu chế xuất và công nghiệp Thành phố Hồ Chí Minh", "HEPZA"),
    _Body(FOOD_SAFETY_CODE, "Ban Quản lý An toàn thực phẩm Thành phố Hồ Chí Minh", "Ban Quản lý ATTP"),
    # Decree 118/2025 created the provincial centres from 1/7/2025 (exact opening date unconfirmed).
    _Body(
        SERVICE_CENTRE_CODE,
        "Trung tâm Phục vụ hành chính công Thành phố Hồ Chí Minh",
        "TTPVHCC TP.HCM",
        level=Agency.Level.CENTRE,
        valid_from=TWO_LEVEL_GOVERNMENT_ON,
    ),
]


@dataclass(frozen=True)
class _Succession:
    predecessor: str
    principal: str
    # successor code → what it took over (the principal first)
    notes: dict[str, str] = field(default_factory=dict)


_DEPARTMENT_SUCCESSIONS = [
    _Succession(
        LABOUR_CODE,
        HOME_AFFAIRS_CODE,
        {
            HOME_AFFAIRS_CODE: "Lao động, việc làm, tiền lương, bảo hiểm xã hội, người có công; hồ sơ đang giải quyết",
            HEALTH_CODE: "Bảo trợ xã hội, trẻ em, phòng, chống tệ nạn xã hội",
            EDUCATION_CODE: "Giáo dục nghề nghiệp",
        },
    ),
    _Succession(TRANSPORT_CODE, CONSTRUCTION_CODE, {CONSTRUCTION_CODE: "Toàn bộ chức năng, nhiệm vụ"}),
    _Succession(PLANNING_INVESTMENT_CODE, FINANCE_CODE, {FINANCE_CODE: "Toàn bộ chức năng, nhiệm vụ"}),
]

# The wards that took over each dissolved district (names as in vietnam-provinces).
DISTRICT_1_WARDS = ["Phường Sài Gòn", "Phường Tân Định", "Phường Bến Thành", "Phường Cầu Ông Lãnh"]
THU_DUC_CITY_WARDS = [
    "Phường Thủ Đức",
    "Phường Hiệp Bình",
    "Phường Tam Bình",
    "Phường Linh Xuân",
    "Phường Tăng Nhơn Phú",
    "Phường Long Bình",
    "Phường Long Phước",
    "Phường Long Trường",
    "Phường Cát Lái",
    "Phường Bình Trưng",
    "Phường Phước Long",
    "Phường An Khánh",
]

_CITY_CENTRE_COUNTERS = [
    (1, "Hộ tịch, quốc tịch", ["ho-tich"]),
    (2, "Lao động, việc làm, người có công", ["lao-dong-viec-lam"]),
    (3, "Đất đai, xây dựng", ["dat-dai-xay-dung"]),
    (4, "Đăng ký doanh nghiệp, đầu tư", ["doanh-nghiep"]),
    (5, "Tư pháp, lý lịch tư pháp", ["tu-phap"]),
    (6, "Tiếp nhận chung và trả kết quả", ["chung"]),
]
_BEN_THANH_COUNTERS = [
    (1, "Hộ tịch, chứng thực", ["ho-tich", "tu-phap"]),
    (2, "Đất đai, xây dựng, kinh doanh", ["dat-dai-xay-dung", "doanh-nghiep"]),
    (3, "Lao động, bảo trợ xã hội và tiếp nhận chung", ["lao-dong-viec-lam", "chung"]),
]


def hcmc_divisions() -> list[Ward]:
    """HCMC's 168 current commune-level units (113 wards, 54 communes, 1 special zone)."""
    return [ward for ward in Ward.iter_all() if ward.province_code == ProvinceCode.P_79]


def _successor_codes(names: list[str], code_by_name: dict[str, str]) -> list[str]:
    missing = [name for name in names if name not in code_by_name]
    if missing:
        raise LookupError(f"wards not in vietnam-provinces: {', '.join(missing)}")
    return [code_by_name[name] for name in names]


@transaction.atomic
def seed_directory() -> dict[str, int]:
    """Create or update the HCMC directory; returns how many rows each part touched."""
    touched = {"agencies": 0, "successions": 0, "service_centres": 0, "counters": 0}

    def count(key: str, result: tuple[object, bool] | bool) -> None:
        changed = result[1] if isinstance(result, tuple) else result
        touched[key] += int(changed)

    city, changed = agency_upsert(
        code=HCMC_PC_CODE,
        name="Ủy ban nhân dân Thành phố Hồ Chí Minh",
        short_name="UBND TP.HCM",
        level=Agency.Level.PROVINCE,
        valid_from=HISTORY_START,
        address="86 Lê Thánh Tôn, Phường Sài Gòn, Thành phố Hồ Chí Minh",
    )
    count("agencies", changed)
    agencies: dict[str, Agency] = {HCMC_PC_CODE: city}
    for body in _CITY_BODIES:
        result = agency_upsert(
            code=body.code,
            name=body.name,
            short_name=body.short_name,
            level=body.level,
            parent=city,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
        )
        agencies[body.code] = result[0]
        count("agencies", result)

    code_by_name: dict[str, str] = {}
    for division in hcmc_divisions():
        code = commune_agency_code(int(division.code))
        result = agency_upsert(
            code=code,
            name=division.name,
            level=_LEVEL_OF_DIVISION[division.division_type.value],
            parent=city,
            valid_from=TWO_LEVEL_GOVERNMENT_ON,
            division_code=str(int(division.code)),
        )
        agencies[code] = result[0]
        code_by_name[result[0].name] = code
        count("agencies", result)

    for code, division_code, name, valid_from in (
        (DISTRICT_1_CODE, DISTRICT_1_DIVISION, "Quận 1", HISTORY_START),
        # Formed on 1/1/2021 from Districts 2, 9 and Thủ Đức (Resolution 1111/NQ-UBTVQH14).
        (THU_DUC_CITY_CODE, THU_DUC_CITY_DIVISION, "Thành phố Thủ Đức", date(2021, 1, 1)),
    ):
        result = agency_upsert(
            code=code,
            name=name,
            level=Agency.Level.DISTRICT,
            parent=city,
            valid_from=valid_from,
            valid_to=date(2025, 6, 30),
            division_code=str(division_code),
        )
        agencies[code] = result[0]
        count("agencies", result)

    successions = list(_DEPARTMENT_SUCCESSIONS)
    for district, names in ((DISTRICT_1_CODE, DISTRICT_1_WARDS), (THU_DUC_CITY_CODE, THU_DUC_CITY_WARDS)):
        codes = _successor_codes(names, code_by_name)
        notes = {codes[0]: "Kế thừa chính: tiếp nhận hồ sơ đang giải quyết"}
        notes.update({ward: "Kế thừa một phần địa bàn" for ward in codes[1:]})
        successions.append(_Succession(district, codes[0], notes))
    for succession in successions:
        count(
            "successions",
            agency_set_successors(
                agency=agencies[succession.predecessor],
                successors=[agencies[code] for code in succession.notes],
                principal=agencies[succession.principal],
                notes=succession.notes,
            ),
        )

    for site_code, name, agency_code, counters in (
        (
            CITY_CENTRE_SITE_CODE,
            "Trung tâm Phục vụ hành chính công Thành phố Hồ Chí Minh",
            SERVICE_CENTRE_CODE,
            _CITY_CENTRE_COUNTERS,
        ),
        (
            BEN_THANH_SITE_CODE,
            "Trung tâm Phục vụ hành chính công Phường Bến Thành",
            BEN_THANH_CODE,
            _BEN_THANH_COUNTERS,
        ),
    ):
        centre, changed = service_centre_upsert(code=site_code, name=name, agency=agencies[agency_code])
        count("service_centres", changed)
        for number, counter_name, services in counters:
            count("counters", counter_upsert(centre=centre, number=number, name=counter_name, services=services))
    return touched
