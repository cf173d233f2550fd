"""The national insurance database's client against its stand-in: a book found, none, and a
remote that is down or answers garbage (never read as "no such book")."""

import pytest
from simulators.social_insurance import SocialInsuranceSimulator

from motcua.integrations.errors import IntegrationUnavailable
from motcua.integrations.social_insurance import insurance_record
from tests.integration_fixtures import _serve


@pytest.fixture
def social_insurance_db(settings):
    settings.INTEGRATIONS_TRANSPORT = "direct"
    for remote in _serve(SocialInsuranceSimulator(api_key=settings.SOCIAL_INSURANCE_DB_API_KEY)):
        settings.SOCIAL_INSURANCE_DB_URL = remote.url
        yield remote


def test_demo_citizen_has_a_book(social_insurance_db):
    record = insurance_record(id_number="079090001234")
    assert record is not None
    assert record.full_name == "Nguyễn Văn An" and len(record.insurance_number) == 10
    assert record.periods and record.unemployment_months == sum(p.unemployment_months for p in record.periods)


def test_unknown_person_has_none(social_insurance_db):
    assert insurance_record(id_number="000000000000") is None


@pytest.mark.parametrize("mode", ["down", "garbage"])
def test_trouble_is_unavailable_not_none(social_insurance_db, mode):
    social_insurance_db.control(mode=mode)
    with pytest.raises(IntegrationUnavailable) as error:
        insurance_record(id_number="079090001234")
    assert "bảo hiểm tạm thời không phản hồi" in error.value.detail
