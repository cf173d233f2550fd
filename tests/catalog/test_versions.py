"""Versions: an edit makes a new version from a date; dossiers keep the one they were received under."""

import datetime as dt

import pytest

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import procedure_version_in_force, procedure_versions
from motcua.catalog.services import (
    procedure_popularity_bump,
    procedure_version_activate,
    procedure_version_create,
)
from motcua.core.errors import BadInput, Conflict, NotFound

pytestmark = pytest.mark.django_db


def test_a_new_version_closes_the_previous_one(seeded):
    old = procedure_version_in_force(code="1.001193", on=dt.date(2026, 1, 5))
    new = procedure_version_create(
        procedure_code="1.001193",
        valid_from=dt.date(2026, 3, 1),
        changes={
            "processing_hours": 4,
            "processing_days": None,
            "steps": [
                {"name": "Tiếp nhận, xử lý", "role": "specialist", "agency": None, "hours": 3},
                {"name": "Ký số", "role": "leader", "agency": None, "hours": 1},
            ],
        },
    )
    old.refresh_from_db()
    assert old.valid_to == dt.date(2026, 2, 28)
    assert procedure_version_in_force(code="1.001193", on=dt.date(2026, 2, 28)).pk == old.pk
    assert procedure_version_in_force(code="1.001193", on=dt.date(2026, 3, 1)).pk == new.pk
    assert new.processing_working_hours == 4
    assert old.steps.count() == 4  # the old version is untouched
    assert [v.pk for v in procedure_versions(code="1.001193")] == [old.pk, new.pk]


def test_a_draft_does_not_end_the_version_in_force(seeded):
    old = procedure_version_in_force(code="2.000815", on=dt.date(2026, 12, 31))
    draft = procedure_version_create(
        procedure_code="2.000815", valid_from=dt.date(2027, 1, 1), changes={"status": "draft", "name": "Bản nháp"}
    )
    old.refresh_from_db()
    assert old.valid_to is None
    # The draft is never in force; the active version goes on, on the draft's day and after.
    assert procedure_version_in_force(code="2.000815", on=dt.date(2027, 1, 2)).pk == old.pk
    assert procedure_version_in_force(code="2.000815", on=dt.date(2027, 6, 1)).pk == old.pk
    assert draft.status == "draft" and draft.pk != old.pk
    with pytest.raises(NotFound):
        procedure_version_in_force(code="9.999999")
    with pytest.raises(NotFound):
        procedure_version_in_force(code="2.000815", on=dt.date(2020, 1, 1))


def test_activating_a_draft_closes_the_previous_version_the_day_before(seeded):
    old = procedure_version_in_force(code="1.004873", on=dt.date(2026, 12, 1))
    draft = procedure_version_create(
        procedure_code="1.004873", valid_from=dt.date(2027, 2, 1), changes={"status": "draft"}
    )
    with pytest.raises(BadInput):  # its day has passed: those days were served by the old version
        procedure_version_activate(version_id=draft.pk, today=dt.date(2027, 2, 2))
    old.refresh_from_db()
    assert old.valid_to is None
    activated = procedure_version_activate(version_id=draft.pk, today=dt.date(2027, 1, 15))
    old.refresh_from_db()
    assert activated.status == "active"
    assert old.valid_to == dt.date(2027, 1, 31)
    assert procedure_version_in_force(code="1.004873", on=dt.date(2027, 1, 31)).pk == old.pk
    assert procedure_version_in_force(code="1.004873", on=dt.date(2027, 2, 1)).pk == draft.pk
    with pytest.raises(Conflict):  # only a draft can be activated
        procedure_version_activate(version_id=draft.pk, today=dt.date(2027, 1, 15))


def test_importing_a_draft_ends_nothing(seeded):
    from motcua.catalog.selectors import catalog_export
    from motcua.catalog.services import catalog_import

    document = catalog_export(codes=["1.000656"])
    draft = dict(document["procedures"][-1], valid_from="2027-03-01", status="draft", name="Đăng ký khai tử (dự thảo)")
    document["procedures"].append(draft)
    catalog_import(documents=[("draft.json", document)])
    versions = procedure_versions(code="1.000656")
    assert [v.status for v in versions] == ["active", "draft"]
    assert versions[0].valid_to is None
    assert procedure_version_in_force(code="1.000656", on=dt.date(2027, 3, 2)).pk == versions[0].pk


def test_a_version_cannot_be_inserted_before_an_existing_one(seeded):
    with pytest.raises(BadInput):
        procedure_version_create(procedure_code="1.000894", valid_from=dt.date(2025, 1, 1))


def test_popularity_counter(seeded):
    version = ProcedureVersion.objects.select_related("procedure").get(procedure__code="1.004884")
    before = version.procedure.popularity
    procedure_popularity_bump(procedure_code="1.004884", by=3)
    version.procedure.refresh_from_db()
    assert version.procedure.popularity == before + 3


def test_the_repair_migration_reopens_versions_an_old_draft_ended(seeded):
    import importlib

    from django.apps import apps

    repair = importlib.import_module("motcua.catalog.migrations.0002_reopen_versions_ended_by_drafts")
    old = procedure_version_in_force(code="2.001035", on=dt.date(2026, 12, 1))
    procedure_version_create(procedure_code="2.001035", valid_from=dt.date(2027, 4, 1), changes={"status": "draft"})
    ProcedureVersion.objects.filter(pk=old.pk).update(valid_to=dt.date(2027, 3, 31))  # what the bug did
    # An unrelated, deliberate end is kept.
    other = procedure_version_in_force(code="2.001023", on=dt.date(2026, 12, 1))
    ProcedureVersion.objects.filter(pk=other.pk).update(valid_to=dt.date(2027, 3, 31))
    repair.reopen(apps, None)
    old.refresh_from_db()
    other.refresh_from_db()
    assert old.valid_to is None
    assert other.valid_to == dt.date(2027, 3, 31)
