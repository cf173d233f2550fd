"""GET /api/v1/agencies (contract.md) and GET /api/v1/agencies/{code}."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.directory import seed
from motcua.directory.models import Agency

pytestmark = pytest.mark.django_db

URL = "/api/v1/agencies"
ITEM_KEYS = {"code", "name", "level", "parent_code", "successor_code", "valid_from", "valid_to"}


@pytest.fixture
def seeded():
    seed.seed_directory()


def _items(client: Client, **params) -> list[dict]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"items"}
    return body["items"]


def test_every_agency_ever_with_the_exact_shape(client: Client, seeded):
    items = _items(client)
    assert len(items) == Agency.objects.count()
    assert all(set(item) == ITEM_KEYS for item in items)
    by_code = {item["code"]: item for item in items}
    assert by_code[seed.DISTRICT_1_CODE] == {
        "code": seed.DISTRICT_1_CODE,
        "name": "Quận 1",
        "level": "district",
        "parent_code": seed.HCMC_PC_CODE,
        "successor_code": seed.SAI_GON_CODE,
        "valid_from": "2000-01-01",
        "valid_to": "2025-06-30",
    }
    assert by_code[seed.HCMC_PC_CODE] == {
        "code": seed.HCMC_PC_CODE,
        "name": "Ủy ban nhân dân Thành phố Hồ Chí Minh",
        "level": "province",
        "parent_code": None,
        "successor_code": None,
        "valid_from": "2000-01-01",
        "valid_to": None,
    }
    assert by_code[seed.BEN_THANH_CODE]["valid_from"] == "2025-07-01"


def test_active_on_a_day(client: Client, seeded):
    before = {item["code"] for item in _items(client, active_on="2025-06-30")}
    after = {item["code"] for item in _items(client, active_on="2025-07-01")}
    assert seed.DISTRICT_1_CODE in before and seed.DISTRICT_1_CODE not in after
    assert seed.BEN_THANH_CODE in after and seed.BEN_THANH_CODE not in before
    assert after == set(Agency.objects.active_on(date(2025, 7, 1)).values_list("code", flat=True))


def test_level_filter_alone_and_with_a_day(client: Client, seeded):
    wards = _items(client, level="ward")
    assert len(wards) == 113  # the current wards; no pre-2025 ward is seeded
    assert {item["level"] for item in wards} == {"ward"}
    assert len(_items(client, level="commune", active_on="2026-01-01")) == 54
    assert _items(client, level="district", active_on="2026-01-01") == []
    assert [item["code"] for item in _items(client, level="district")] == [seed.DISTRICT_1_CODE, seed.THU_DUC_CITY_CODE]
    # Empty parameters (as in `?level=&active_on=`) mean "no filter".
    assert len(_items(client, level="", active_on="")) == Agency.objects.count()


@pytest.mark.parametrize(
    "params",
    [
        {"level": "village"},
        {"level": "WARD"},
        {"active_on": "2025-02-30"},
        {"active_on": "01/07/2025"},
        {"active_on": "20250701"},
        {"active_on": "hôm nay"},
    ],
)
def test_bad_level_or_date_gives_400_in_vietnamese(client: Client, params):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "bad_request"
    assert body["detail"].startswith(("Cấp cơ quan", "Ngày"))


def test_list_runs_a_fixed_number_of_queries(client: Client, seeded):
    with CaptureQueriesContext(connection) as queries:
        _items(client)
    # the request's own overhead (session, rate limits…) plus one SELECT of agencies
    agency_queries = [q for q in queries if "directory_agency" in q["sql"]]
    assert len(agency_queries) == 1


def test_detail_with_all_successors_and_children_count(client: Client, seeded):
    response = client.get(f"{URL}/{seed.DISTRICT_1_CODE}")
    assert response.status_code == 200
    assert response.json() == {
        "code": seed.DISTRICT_1_CODE,
        "name": "Quận 1",
        "level": "district",
        "parent_code": seed.HCMC_PC_CODE,
        "successor_code": seed.SAI_GON_CODE,
        "valid_from": "2000-01-01",
        "valid_to": "2025-06-30",
        "successor_codes": [
            seed.SAI_GON_CODE,
            seed.commune_agency_code(26737),  # Tân Định
            seed.BEN_THANH_CODE,
            seed.commune_agency_code(26758),  # Cầu Ông Lãnh
        ],
        "children_count": 0,
    }
    city = client.get(f"{URL}/{seed.HCMC_PC_CODE}").json()
    assert city["children_count"] == Agency.objects.count() - 1
    assert city["successor_codes"] == []
    labour = client.get(f"{URL}/{seed.LABOUR_CODE}").json()
    assert labour["successor_code"] == seed.HOME_AFFAIRS_CODE
    assert labour["successor_codes"][0] == seed.HOME_AFFAIRS_CODE
    assert set(labour["successor_codes"]) == {seed.HOME_AFFAIRS_CODE, seed.HEALTH_CODE, seed.EDUCATION_CODE}


@pytest.mark.parametrize("code", ["999.99.99.H29", "khong-co", "x" * 300])
def test_unknown_code_gives_404(client: Client, seeded, code):
    response = client.get(f"{URL}/{code}")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found"
    assert body["detail"].startswith("Không tìm thấy cơ quan")


def test_public_and_documented(client: Client):
    assert client.get(URL).status_code == 200  # no token needed
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/agencies"]["get"]
    assert operation["summary"] == "Danh sách cơ quan"
    assert "security" not in operation
    assert {p["name"] for p in operation["parameters"]} == {"level", "active_on"}
    assert spec["paths"]["/api/v1/agencies/{code}"]["get"]["summary"] == "Thông tin một cơ quan"
