"""GET /api/v1/calendar/deadline (contract.md): public, holidays and overrides included."""

from datetime import date

import pytest
from django.test import Client

from motcua.core.models import CalendarOverride
from motcua.core.seed import seed_calendar_overrides

pytestmark = pytest.mark.django_db

URL = "/api/v1/calendar/deadline"


def deadline(client: Client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()["deadline"]


def test_working_days_domain_example(client: Client):
    assert deadline(client, start="2027-02-03T08:00:00+07:00", working_days=3) == "2027-02-15T17:00:00+07:00"


def test_working_hours_domain_example(client: Client):
    assert deadline(client, start="2027-02-03T16:00:00+07:00", working_hours=4) == "2027-02-11T10:30:00+07:00"


def test_half_a_day_and_an_hour_across_lunch(client: Client):
    assert deadline(client, start="2027-03-08T07:30:00+07:00", working_days=0.5) == "2027-03-08T11:30:00+07:00"
    assert deadline(client, start="2027-03-08T11:00:00+07:00", working_hours=1) == "2027-03-08T13:30:00+07:00"


def test_start_without_zone_is_vietnam_time_and_other_zones_are_converted(client: Client):
    expected = "2027-02-11T10:30:00+07:00"
    assert deadline(client, start="2027-02-03T16:00:00", working_hours=4) == expected
    assert deadline(client, start="2027-02-03T09:00:00Z", working_hours=4) == expected
    assert deadline(client, start="2027-02-03T09:00:00+00:00", working_hours=4) == expected
    # 18:00 UTC on Tuesday 2/2 is already Wednesday 3/2 in Vietnam.
    assert deadline(client, start="2027-02-02T18:00:00Z", working_days=3) == "2027-02-15T17:00:00+07:00"


def test_an_unencoded_plus_sign_is_understood(client: Client):
    response = client.get(URL + "?start=2027-02-03T16:00:00+07:00&working_hours=4")
    assert response.status_code == 200
    assert response.json() == {"deadline": "2027-02-11T10:30:00+07:00"}


def test_overrides_in_the_database_are_used(client: Client):
    params = {"start": "2026-08-21T09:00:00+07:00", "working_days": 1}
    assert deadline(client, **params) == "2026-08-24T17:00:00+07:00"
    seed_calendar_overrides()
    assert deadline(client, **params) == "2026-08-22T17:00:00+07:00"
    assert deadline(client, start="2026-08-28T09:00:00+07:00", working_days=1) == "2026-09-03T17:00:00+07:00"
    CalendarOverride.objects.filter(day=date(2026, 8, 22)).delete()
    assert deadline(client, **params) == "2026-08-24T17:00:00+07:00"


def assert_bad_input(response, *words: str) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "bad_request"
    for word in words:
        assert word in body["detail"]
    return body["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2027-02-03T08:00:00+07:00"},
        {"start": "2027-02-03T08:00:00+07:00", "working_days": 1, "working_hours": 2},
    ],
)
def test_exactly_one_amount_is_required(client: Client, params):
    assert_bad_input(client.get(URL, params), "working_days", "working_hours", "một trong hai")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("working_days", 0),
        ("working_days", -3),
        ("working_days", 3651),
        ("working_days", "nan"),
        ("working_days", "inf"),
        ("working_hours", 0),
        ("working_hours", -1),
        ("working_hours", 3650 * 8 + 1),
    ],
)
def test_amounts_must_be_positive_and_sane(client: Client, name, value):
    assert_bad_input(client.get(URL, {"start": "2027-02-03T08:00:00+07:00", name: value}), name, "số dương")


def test_the_largest_amounts_are_accepted(client: Client):
    assert deadline(client, start="2027-02-03T08:00:00+07:00", working_days=3650).startswith("2041-")
    assert deadline(client, start="2027-02-03T17:00:00+07:00", working_hours=3650 * 8).startswith("2041-")


@pytest.mark.parametrize("start", ["", "hôm nay", "03/02/2027 08:00", "2027-02-30T08:00:00", "1738569600", "x" * 500])
def test_bad_start_says_the_expected_format(client: Client, start):
    assert_bad_input(client.get(URL, {"start": start, "working_days": 1}), "2027-02-03T08:00:00+07:00", "định dạng")


@pytest.mark.parametrize(
    "start", ["2101-01-03T08:00:00+07:00", "1800-01-03T08:00:00+07:00", "9999-12-31T23:00:00-12:00"]
)
def test_years_without_holiday_data_are_refused(client: Client, start):
    assert_bad_input(client.get(URL, {"start": start, "working_days": 1}), "năm")


def test_missing_start_is_bad_input(client: Client):
    assert client.get(URL, {"working_days": 1}).status_code == 400


def test_endpoint_is_public_and_documented_in_vietnamese(client: Client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"][URL]["get"]
    assert "hạn" in operation["summary"]
    assert "giờ Việt Nam" in operation["description"]
    assert not operation.get("security")
    assert {p["name"] for p in operation["parameters"]} == {"start", "working_days", "working_hours"}
