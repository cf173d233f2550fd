"""The population database client against its stand-in over real HTTP."""

import time
import unicodedata
from datetime import date

import pytest
from simulators.population import DEMO_PEOPLE, SIGNUP_PEOPLE, generate

from motcua.accounts.seed import _APPLICANTS
from motcua.integrations.errors import IntegrationUnavailable
from motcua.integrations.population import PersonRecord, fetch_person, verify_person


def test_demo_people_match_the_seed():
    people, _ = generate()
    for username in ("demo.citizen", "demo.citizen2"):
        profile = _APPLICANTS[username]["profile"]
        person = people[profile["id_number"]]
        assert (person.full_name, person.date_of_birth, person.gender, person.permanent_address) == (
            profile["name"],
            profile["date_of_birth"],
            profile["gender"],
            profile["address"],
        )
    assert 200 <= len(people) <= 600
    assert all(unicodedata.is_normalized("NFC", p.full_name) for p in people.values())
    assert all(len(n) == 12 and n.isdigit() for n in people)


def test_population_is_deterministic():
    assert generate()[0] == generate()[0]


def test_verify_demo_citizen_returns_the_record(population_db):
    record = verify_person(id_number="079090001234", full_name="Nguyễn Văn An", date_of_birth=date(1990, 5, 12))
    assert isinstance(record, PersonRecord)
    assert record.permanent_address == "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh"
    assert record.gender == "Nam"
    assert record.household[0].relation == "Chủ hộ"
    assert {m.relation for m in record.household} == {"Chủ hộ", "Vợ", "Con"}
    assert record.household_head == "Nguyễn Văn An"


def test_verify_normalises_case_spaces_and_unicode_form(population_db):
    decomposed = unicodedata.normalize("NFD", "  trần THỊ   bích ngọc ")
    record = verify_person(id_number="079185005678", full_name=decomposed, date_of_birth=date(1985, 9, 3))
    assert record is not None and record.full_name == "Trần Thị Bích Ngọc"


@pytest.mark.parametrize(
    ("id_number", "full_name", "dob"),
    [
        ("079090001234", "Nguyen Van An", date(1990, 5, 12)),  # diacritics count
        ("079090001234", "Nguyễn Văn An", date(1990, 5, 13)),
        ("079090009999", "Nguyễn Văn An", date(1990, 5, 12)),
        ("079090001234", "Nguyễn Văn Ân", date(1990, 5, 12)),
    ],
)
def test_verify_mismatch_is_none(population_db, id_number, full_name, dob):
    assert verify_person(id_number=id_number, full_name=full_name, date_of_birth=dob) is None


def test_signup_people_verify(population_db):
    for person in SIGNUP_PEOPLE:
        record = verify_person(
            id_number=person.id_number, full_name=person.full_name, date_of_birth=person.date_of_birth
        )
        assert record is not None and record.current_address == person.current_address


def test_fetch_person(population_db):
    record = fetch_person(id_number=DEMO_PEOPLE[1].id_number)
    assert record is not None and record.current_address.endswith("Thành phố Hồ Chí Minh")
    assert fetch_person(id_number="079000000000") is None


@pytest.mark.parametrize("switches", [{"mode": "down"}, {"mode": "garbage"}, {"fail_next": 1}])
def test_unavailable_remote_raises_with_vietnamese_detail(population_db, switches):
    population_db.control(**switches)
    with pytest.raises(IntegrationUnavailable) as caught:
        fetch_person(id_number="079090001234")
    assert "Cơ sở dữ liệu quốc gia về dân cư" in caught.value.detail


def test_slow_remote_times_out(population_db, settings):
    settings.INTEGRATIONS_TIMEOUT_SECONDS = 0.3
    population_db.control(delay_seconds=1.0)
    started = time.monotonic()
    with pytest.raises(IntegrationUnavailable):
        verify_person(id_number="079090001234", full_name="Nguyễn Văn An", date_of_birth=date(1990, 5, 12))
    assert time.monotonic() - started < 1.0


def test_wrong_api_key_is_unavailable_not_a_mismatch(population_db, settings):
    settings.POPULATION_DB_API_KEY = "wrong"
    with pytest.raises(IntegrationUnavailable):
        verify_person(id_number="079090001234", full_name="Nguyễn Văn An", date_of_birth=date(1990, 5, 12))


def test_deploy_check_refuses_development_keys(settings):
    from motcua.integrations.checks import development_keys_in_use

    assert {e.id for e in development_keys_in_use()} >= {"integrations.E001", "integrations.E003"}
    for name in ("POPULATION_DB_API_KEY", "CIVIL_STATUS_DB_API_KEY", "DVCQG_API_KEY", "LGSP_API_KEY"):
        setattr(settings, name, "a-real-key")
    assert development_keys_in_use() == []
