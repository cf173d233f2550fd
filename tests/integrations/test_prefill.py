"""A verified citizen's e-form pre-filled from the population database (stand-in over HTTP)."""

import pytest

from motcua.accounts.models import ApplicantProfile
from motcua.catalog.eforms import PREFILL_SOURCES
from motcua.integrations.errors import IntegrationUnavailable
from motcua.integrations.population.mapping import PREFILL
from motcua.integrations.prefill import prefill_for, prefill_form
from tests.integrations.conftest import PROCEDURE, version_of

pytestmark = pytest.mark.django_db


def test_every_population_prefill_source_is_served():
    population_sources = {source for source in PREFILL_SOURCES if source.startswith("population_db.")}
    assert population_sources == set(PREFILL)


def test_verified_citizen_form_prefilled_from_the_population_database(demo, population_db):
    schema = version_of(PROCEDURE).form_schema  # Cấp Giấy xác nhận tình trạng hôn nhân
    values = prefill_form(schema, demo["demo.citizen2"])
    assert values == {
        "ngay_sinh": "1985-09-03",
        "noi_cu_tru": "45 Võ Văn Ngân, Phường Thủ Đức, Thành phố Hồ Chí Minh",
        "tinh_trang_hon_nhan": "Chưa kết hôn",
    }
    assert population_db.state()["calls"] == 1


def test_a_value_the_field_refuses_is_left_to_the_citizen(demo, population_db):
    schema = version_of(PROCEDURE).form_schema
    values = prefill_form(schema, demo["demo.citizen"])  # married: not one of the form's choices
    assert "tinh_trang_hon_nhan" not in values
    assert values["noi_cu_tru"] == "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"


def test_prefill_sources_for_a_verified_citizen(demo, population_db):
    values = prefill_for(demo["demo.citizen"])
    assert values["population_db.household_head"] == "Nguyễn Văn An"
    assert values["population_db.nationality"] == "Việt Nam"
    assert values["population_db.marital_status"] == "Đã kết hôn"


def test_unverified_or_business_accounts_get_nothing(demo, population_db):
    ApplicantProfile.objects.filter(user=demo["demo.citizen"]).update(verified_at=None)
    assert prefill_for(demo["demo.citizen"]) == {}
    assert prefill_for(demo["demo.business"]) == {}
    assert population_db.state()["calls"] == 0


def test_database_down_raises(demo, population_db):
    population_db.control(mode="down")
    with pytest.raises(IntegrationUnavailable):
        prefill_form(version_of(PROCEDURE).form_schema, demo["demo.citizen"])


def test_apply_page_shows_the_population_database_value(demo, population_db, client):
    """End to end: the citizen's online form shows what the population stand-in says over HTTP."""
    import dataclasses
    import re

    from django.urls import reverse

    people = population_db.simulator.people
    people["079185005678"] = dataclasses.replace(people["079185005678"], marital_status="Đã ly hôn")
    client.force_login(demo["demo.citizen2"])
    page = client.get(reverse("portal:apply", args=[PROCEDURE]))
    assert page.status_code == 200
    html = page.content.decode()
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', html)
    assert chosen is not None and chosen.group(1) == "Đã ly hôn"
    assert population_db.state()["calls"] == 1
