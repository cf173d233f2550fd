"""The HCMC directory seed: complete, idempotent, valid codes, the 2025 reorganisation."""

import unicodedata
from datetime import date

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from motcua.core.codes import is_agency_code
from motcua.core.text import fold
from motcua.core.timeutil import local_date
from motcua.directory import seed
from motcua.directory.models import Agency, AgencySuccession, Counter, ServiceCentre
from motcua.directory.selectors import agency_current_successor, agency_successors

pytestmark = pytest.mark.django_db

COMMUNE_LEVELS = [Agency.Level.WARD, Agency.Level.COMMUNE, Agency.Level.SPECIAL_ZONE]


def _snapshot() -> dict:
    return {
        "agencies": [
            model_to_dict(a, exclude=["successors"]) | {"name_folded": a.name_folded} for a in Agency.objects.all()
        ],
        "links": list(AgencySuccession.objects.values_list("predecessor__code", "successor__code", "note")),
        "centres": list(ServiceCentre.objects.values()),
        "counters": list(Counter.objects.values()),
    }


def test_seed_twice_changes_nothing():
    first = seed.seed_directory()
    assert first["agencies"] == Agency.objects.count()
    before = _snapshot()
    second = seed.seed_directory()
    assert second == {"agencies": 0, "successions": 0, "service_centres": 0, "counters": 0}
    assert _snapshot() == before


def test_seed_repairs_a_changed_row():
    seed.seed_directory()
    Agency.objects.filter(code=seed.BEN_THANH_CODE).update(name="Bến Thành cũ", name_folded="")
    assert seed.seed_directory()["agencies"] == 1
    ben_thanh = Agency.objects.get(code=seed.BEN_THANH_CODE)
    assert (ben_thanh.name, ben_thanh.name_folded) == ("Phường Bến Thành", "phuong ben thanh")


def test_168_current_communes_active_from_1_july_2025():
    seed.seed_directory()
    communes = Agency.objects.filter(level__in=COMMUNE_LEVELS)
    assert communes.count() == 168
    assert communes.filter(level=Agency.Level.WARD).count() == 113
    assert communes.filter(level=Agency.Level.COMMUNE).count() == 54
    assert communes.filter(level=Agency.Level.SPECIAL_ZONE).get().name == "Đặc khu Côn Đảo"
    for day in (date(2025, 7, 1), local_date(timezone.now())):
        assert communes.active_on(day).count() == 168
    assert not communes.active_on(date(2025, 6, 30)).exists()
    assert set(communes.values_list("parent__code", flat=True)) == {seed.HCMC_PC_CODE}
    assert all(a.division_code and a.code == seed.commune_agency_code(int(a.division_code)) for a in communes)


def test_district_1_split_into_four_wards_with_sai_gon_principal():
    seed.seed_directory()
    district = Agency.objects.get(code=seed.DISTRICT_1_CODE)
    assert district.name == "Quận 1"
    assert district.is_active_on(date(2025, 6, 30))
    assert not district.is_active_on(date(2025, 7, 1))
    assert district.successor.code == seed.SAI_GON_CODE
    assert district.successor.name == "Phường Sài Gòn"
    assert [a.name for a in agency_successors(agency=district)] == [
        "Phường Sài Gòn",
        "Phường Tân Định",
        "Phường Bến Thành",
        "Phường Cầu Ông Lãnh",
    ]
    assert agency_current_successor(agency=district, on=date(2026, 1, 1)).code == seed.SAI_GON_CODE


def test_thu_duc_city_split_into_twelve_wards():
    seed.seed_directory()
    city = Agency.objects.get(code=seed.THU_DUC_CITY_CODE)
    assert city.valid_to == date(2025, 6, 30)
    assert city.successor.name == "Phường Thủ Đức"
    assert city.successor.code == seed.THU_DUC_WARD_CODE
    assert {a.name for a in city.successors.all()} == set(seed.THU_DUC_CITY_WARDS)
    assert len(seed.THU_DUC_CITY_WARDS) == 12


def test_department_mergers_of_1_march_2025():
    seed.seed_directory()
    labour = Agency.objects.get(code=seed.LABOUR_CODE)
    assert labour.valid_to == date(2025, 2, 28)
    assert labour.is_active_on(date(2025, 2, 28)) and not labour.is_active_on(date(2025, 3, 1))
    assert agency_current_successor(agency=labour, on=date(2026, 1, 1)).code == seed.HOME_AFFAIRS_CODE
    assert agency_successors(agency=labour)[0].code == seed.HOME_AFFAIRS_CODE
    assert {a.code for a in labour.successors.all()} == {seed.HOME_AFFAIRS_CODE, seed.HEALTH_CODE, seed.EDUCATION_CODE}
    transport = Agency.objects.get(code=seed.TRANSPORT_CODE)
    assert transport.successor.code == seed.CONSTRUCTION_CODE
    assert agency_current_successor(agency=transport, on=date(2025, 3, 1)).code == seed.CONSTRUCTION_CODE


def test_named_constants_point_at_the_right_agencies():
    seed.seed_directory()
    expected = {
        seed.HCMC_PC_CODE: ("Ủy ban nhân dân Thành phố Hồ Chí Minh", Agency.Level.PROVINCE),
        seed.HOME_AFFAIRS_CODE: ("Sở Nội vụ Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.LABOUR_CODE: ("Sở Lao động – Thương binh và Xã hội Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.HEPZA_CODE: ("Ban Quản lý các Khu chế xuất và công nghiệp Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.FOOD_SAFETY_CODE: ("Ban Quản lý An toàn thực phẩm Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.POLICE_CODE: ("Công an Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.CONSTRUCTION_CODE: ("Sở Xây dựng Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.TRANSPORT_CODE: ("Sở Giao thông vận tải Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.JUSTICE_CODE: ("Sở Tư pháp Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.EDUCATION_CODE: ("Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.HEALTH_CODE: ("Sở Y tế Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.FINANCE_CODE: ("Sở Tài chính Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.INDUSTRY_TRADE_CODE: ("Sở Công Thương Thành phố Hồ Chí Minh", Agency.Level.DEPARTMENT),
        seed.SERVICE_CENTRE_CODE: ("Trung tâm Phục vụ hành chính công Thành phố Hồ Chí Minh", Agency.Level.CENTRE),
        seed.BEN_THANH_CODE: ("Phường Bến Thành", Agency.Level.WARD),
        seed.DISTRICT_1_CODE: ("Quận 1", Agency.Level.DISTRICT),
        seed.THU_DUC_CITY_CODE: ("Thành phố Thủ Đức", Agency.Level.DISTRICT),
    }
    found = {a.code: (a.name, a.level) for a in Agency.objects.filter(code__in=expected)}
    assert found == expected
    city = Agency.objects.get(code=seed.HCMC_PC_CODE)
    assert city.parent is None and city.valid_from == date(2000, 1, 1) and city.valid_to is None


def test_every_code_is_qcvn_shaped_and_every_name_nfc_and_folded():
    seed.seed_directory()
    for agency in Agency.objects.all():
        assert is_agency_code(agency.code), agency.code
        assert unicodedata.is_normalized("NFC", agency.name), agency.code
        assert "  " not in agency.name, agency.name
        assert agency.name_folded == fold(agency.name)
    names = [*ServiceCentre.objects.values_list("name", flat=True), *Counter.objects.values_list("name", flat=True)]
    for name in names:
        assert unicodedata.is_normalized("NFC", name)


def test_service_centres_and_their_counters():
    seed.seed_directory()
    city_centre = ServiceCentre.objects.get(code=seed.CITY_CENTRE_SITE_CODE)
    assert city_centre.agency.code == seed.SERVICE_CENTRE_CODE
    assert city_centre.counters.count() == 6
    ben_thanh = ServiceCentre.objects.get(code=seed.BEN_THANH_SITE_CODE)
    assert ben_thanh.agency.code == seed.BEN_THANH_CODE
    assert ben_thanh.counters.count() == 3
    served = {key for counter in Counter.objects.all() for key in counter.services}
    assert served == set(seed.SERVICE_KEYS)
    assert {key for c in city_centre.counters.all() for key in c.services} == set(seed.SERVICE_KEYS)


def test_seed_keeps_agencies_created_earlier_by_the_shared_fixtures(agency, other_agency):
    """conftest's Home Affairs and Justice use the seed's codes, so both can be used together."""
    seed.seed_directory()
    assert Agency.objects.get(pk=agency.pk).code == seed.HOME_AFFAIRS_CODE
    assert Agency.objects.get(pk=other_agency.pk).name == "Sở Tư pháp Thành phố Hồ Chí Minh"
