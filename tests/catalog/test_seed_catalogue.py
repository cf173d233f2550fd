"""The seed catalogue: what issue 3 asks of it, checked on the data file and once loaded."""

import pytest
from jsonschema import Draft202012Validator

from motcua.catalog.eforms import check_form_schema, form_example
from motcua.catalog.interchange import validate_catalog_data
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.seed import load_seed_document, seed_catalog

pytestmark = pytest.mark.django_db

# The procedures the issue names, by national code.
REQUIRED_CODES = {
    "1.014199": "work permit for a foreign worker",
    "1.014200": "work permit re-issue",
    "1.014201": "work permit extension",
    "1.014196": "confirmation of exemption from a work permit",
    "2.000189": "registration of vocational-education activities",
    "1.001865": "employment-service licence",
    "1.001978": "unemployment benefit",
    "2.001955": "registration of labour rules",
    "1.009664": "investment registration (Export-Processing Zones Authority)",
    "2.000591": "food-safety eligibility certificate",
    "3.000333": "criminal-record certificate (police)",
    "3.000347": "driving-licence exchange (transport, now police)",
    "1.001193": "birth registration",
    "1.000656": "death registration",
    "1.000894": "marriage registration",
    "2.000815": "certified copies",
    "1.010041": "residence confirmation",
    "1.001612": "household-business registration",
    "1.013225": "construction permit for houses",
}


def test_the_seed_has_enough_real_procedures(seeded):
    items = seeded["procedures"]
    assert len({item["code"] for item in items}) >= 60
    assert set(REQUIRED_CODES) <= {item["code"] for item in items}
    assert sum(1 for item in items if any(fee["amount_vnd"] == 0 for fee in item["fees"])) >= 5


def test_at_least_ten_full_online_procedures_have_their_own_complete_eform(seeded):
    full = [item for item in seeded["procedures"] if item["online_mode"] == "full"]
    # A "complete" e-form asks for what the procedure needs, not only the generic applicant block.
    specific = [item for item in full if len(item["form_schema"]["properties"]) >= 8]
    assert len(specific) >= 10, [item["code"] for item in specific]


def test_every_schema_field_has_a_label_and_an_example_that_validates(seeded):
    for item in seeded["procedures"]:
        schema = item["form_schema"]
        assert check_form_schema(schema) == [], item["code"]
        assert not list(Draft202012Validator(schema).iter_errors(form_example(schema))), item["code"]
        for name, field in schema["properties"].items():
            assert field["title"] and field["examples"], (item["code"], name)


def test_the_seed_file_is_valid_and_steps_add_up(seeded):
    assert validate_catalog_data(seeded) == []
    for version in ProcedureVersion.objects.prefetch_related("steps"):
        assert sum(step.hours for step in version.steps.all()) == version.processing_working_hours


def test_documents_say_when_state_data_replaces_them(seeded):
    sources = {doc["state_data_source"] for item in seeded["procedures"] for doc in item["documents"]}
    assert {"population_db", "civil_status_db"} <= sources


def test_seed_catalog_is_idempotent(seeded):
    result = seed_catalog()
    assert not result.changed
    assert len(result.unchanged) == len(load_seed_document()["procedures"])
