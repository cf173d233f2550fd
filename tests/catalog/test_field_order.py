"""E-form fields keep the order people fill them in, although PostgreSQL's jsonb reorders keys."""

import copy

import pytest

from motcua.catalog.eforms import form_properties, with_field_order
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_import

pytestmark = pytest.mark.django_db

# jsonb sorts keys by length, then bytes: this order is the opposite of what it would keep.
ORDER = ["noi_dung_de_nghi_chi_tiet", "ho_ten", "ngay_sinh", "so_dinh_danh", "x"]


def _schema(names: list[str]) -> dict:
    return {
        "type": "object",
        "required": names[:1],
        "properties": {name: {"type": "string", "title": name.replace("_", " "), "examples": ["a"]} for name in names},
    }


def test_the_order_is_written_and_read_back():
    schema = with_field_order(_schema(ORDER))
    assert schema["x-order"] == ORDER
    # The stored order wins over the (possibly shuffled) properties; unknown names go, missing ones follow.
    shuffled = {
        **schema,
        "properties": dict(reversed(list(schema["properties"].items()))),
        "x-order": ["ho_ten", "gone", "x"],
    }
    assert [name for name, _ in form_properties(shuffled)] == [
        "ho_ten",
        "x",
        "so_dinh_danh",
        "ngay_sinh",
        "noi_dung_de_nghi_chi_tiet",
    ]
    nested = with_field_order({"type": "object", "properties": {"b": _schema(["z", "a"]), "a": {"type": "string"}}})
    assert nested["x-order"] == ["b", "a"] and nested["properties"]["b"]["x-order"] == ["z", "a"]


def test_order_survives_the_database(seeded):
    """Through import and storage (jsonb on PostgreSQL, where the CI runs this again)."""
    document = copy.deepcopy(seeded)
    item = next(p for p in document["procedures"] if p.get("form_schema") and p["online_mode"] == "full")
    item["valid_from"] = "2099-01-01"  # a new version: no dossier was received under it
    item["valid_to"] = None
    item["form_schema"] = _schema(ORDER)
    document["procedures"] = [item]
    catalog_import(documents=[("order-test", document)])
    version = ProcedureVersion.objects.get(procedure__code=item["code"], valid_from="2099-01-01")
    assert [name for name, _ in form_properties(version.form_schema)] == ORDER


def test_every_seed_form_lists_its_order(seeded):
    for version in ProcedureVersion.objects.exclude(form_schema={}):
        assert version.form_schema.get("x-order"), version
