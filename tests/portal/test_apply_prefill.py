# ruff: noqa: F811 (fixtures imported from tests.portal.apply_fixtures are used as arguments)
""" "Declare only once": fields only the population database holds are read from it (over HTTP, from
its stand-in) for a verified applicant, locked; when it is down the applicant types them."""

import copy

import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.portal.apply_fixtures import APPLY_CODE, SCHEMA, applicant, apply_version  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def population_version(apply_version):
    schema = copy.deepcopy(SCHEMA)
    schema["properties"]["noi_o_hien_tai"] = {
        "type": "string",
        "title": "Nơi ở hiện tại",
        "maxLength": 255,
        "examples": ["12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"],
        "x-prefill": "population_db.current_address",
    }
    schema["properties"]["tinh_trang_hon_nhan"] = {
        "type": "string",
        "title": "Tình trạng hôn nhân",
        "examples": ["Độc thân"],
        "x-prefill": "population_db.marital_status",
    }
    apply_version.form_schema = schema
    apply_version.save()
    return apply_version


def test_population_fields_are_prefilled_and_locked(client, applicant, population_version, population_db):
    assert client.login(username=applicant.username, password=PASSWORD)
    url = reverse("portal:apply", kwargs={"code": APPLY_CODE})
    html = client.get(url).content.decode()
    assert 'value="12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"' in html
    assert 'value="Đã kết hôn"' in html and "Từ Cơ sở dữ liệu quốc gia về dân cư" in html
    served = population_db.state()
    # Cached: a second page asks the database no more.
    client.get(url)
    assert population_db.state() == served


def test_database_down_leaves_the_fields_to_type(client, applicant, population_version, population_db):
    population_db.control(mode="down")
    assert client.login(username=applicant.username, password=PASSWORD)
    response = client.get(reverse("portal:apply", kwargs={"code": APPLY_CODE}))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="noi_o_hien_tai"' in html and "Đã kết hôn" not in html
    assert 'value="Nguyễn Văn An"' in html  # the profile's data does not need the database
