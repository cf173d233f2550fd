"""The civil-status database: birth and marriage records, reused as dossier documents."""

from datetime import date

import pytest

from motcua.integrations.civil_status import as_reused_document, birth_record, marriage_record
from motcua.integrations.errors import IntegrationUnavailable


def test_birth_record_of_the_demo_citizen(civil_status_db):
    record = birth_record(id_number="079090001234")
    assert record is not None
    assert (record.full_name, record.date_of_birth, record.gender) == ("Nguyễn Văn An", date(1990, 5, 12), "Nam")
    assert record.registered_on >= record.date_of_birth and record.registered_at.startswith("Ủy ban nhân dân")


def test_child_birth_record_names_the_parents(civil_status_db):
    husband_and_wife = marriage_record(id_number="079090001234")
    assert husband_and_wife is not None
    assert husband_and_wife.husband.full_name == "Nguyễn Văn An"
    # Either spouse's ID finds the same record.
    assert marriage_record(id_number=husband_and_wife.wife.id_number) == husband_and_wife
    children = [
        number
        for number, person in civil_status_db.simulator.people.items()
        if civil_status_db.simulator.births[number]["hoTenCha"] == "Nguyễn Văn An"
    ]
    child = birth_record(id_number=children[0])
    assert child is not None and child.mother_name == husband_and_wife.wife.full_name


def test_unknown_or_unmarried_is_none(civil_status_db):
    assert birth_record(id_number="079000000000") is None
    assert marriage_record(id_number="079185005678") is None  # demo.citizen2 lives alone


def test_record_as_a_reused_document(civil_status_db):
    record = marriage_record(id_number="079090001234")
    document = as_reused_document(record, requirement_code="TP02")
    assert document["reused_from"] == "civil_status_db" and document["requirement_code"] == "TP02"
    assert document["name"].startswith("Trích lục kết hôn số ")
    assert document["data"]["husband"]["date_of_birth"] == "1990-05-12"  # plain JSON


@pytest.mark.parametrize("switches", [{"mode": "down"}, {"mode": "garbage"}])
def test_unavailable(civil_status_db, switches):
    civil_status_db.control(**switches)
    with pytest.raises(IntegrationUnavailable) as caught:
        birth_record(id_number="079090001234")
    assert "hộ tịch" in caught.value.detail
