"""Directory writes: NFC names with their folded key, successors, dissolution."""

import unicodedata
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from motcua.core.errors import BadInput
from motcua.directory.models import Agency, AgencySuccession
from motcua.directory.services import agency_dissolve, agency_set_successors, agency_upsert

pytestmark = pytest.mark.django_db


def _agency(code: str, name: str, **extra) -> Agency:
    return agency_upsert(code=code, name=name, level=extra.pop("level", "ward"), **extra)[0]


def test_upsert_stores_nfc_and_folded_name_and_reports_changes():
    decomposed = unicodedata.normalize("NFD", "  Phường   Bến Thành ")
    agency, changed = agency_upsert(code="267.43.00.H29", name=decomposed, level="ward")
    assert changed
    assert agency.name == "Phường Bến Thành"
    assert unicodedata.is_normalized("NFC", agency.name)
    assert agency.name_folded == "phuong ben thanh"
    assert agency_upsert(code="267.43.00.H29", name="Phường Bến Thành", level="ward")[1] is False
    again, changed = agency_upsert(code="267.43.00.H29", name="Phường Đa Kao", level="ward")
    assert changed and again.pk == agency.pk and again.name_folded == "phuong da kao"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"code": "79-ben-thanh", "level": "ward"},
        {"code": "267.43.00.H29", "level": "village"},
        {"code": "267.43.00.H29", "level": "ward", "valid_from": date(2025, 7, 1), "valid_to": date(2025, 6, 30)},
    ],
)
def test_upsert_refuses_bad_input(kwargs):
    with pytest.raises(BadInput):
        agency_upsert(name="Phường Bến Thành", **kwargs)


def test_set_successors_is_idempotent_and_states_the_whole_truth():
    old = _agency("760.00.00.H29", "Quận 1", level="district", valid_to=date(2025, 6, 30))
    sai_gon = _agency("267.40.00.H29", "Phường Sài Gòn")
    tan_dinh = _agency("267.37.00.H29", "Phường Tân Định")
    ben_thanh = _agency("267.43.00.H29", "Phường Bến Thành")
    assert agency_set_successors(
        agency=old, successors=[sai_gon, tan_dinh, ben_thanh], notes={sai_gon.code: "Kế thừa chính"}
    )
    old.refresh_from_db()
    assert old.successor == sai_gon
    assert set(old.successors.all()) == {sai_gon, tan_dinh, ben_thanh}
    assert AgencySuccession.objects.get(predecessor=old, successor=sai_gon).note == "Kế thừa chính"
    assert not agency_set_successors(
        agency=old, successors=[sai_gon, tan_dinh, ben_thanh], notes={sai_gon.code: "Kế thừa chính"}
    )
    # Restating without Tân Định, with Bến Thành as principal, drops the link.
    assert agency_set_successors(agency=old, successors=[sai_gon, ben_thanh], principal=ben_thanh)
    old.refresh_from_db()
    assert old.successor == ben_thanh
    assert set(old.successors.all()) == {sai_gon, ben_thanh}
    assert set(tan_dinh.all_predecessors.all()) == set()


def test_set_successors_refuses_impossible_links():
    open_agency = _agency("267.40.00.H29", "Phường Sài Gòn")
    other = _agency("267.37.00.H29", "Phường Tân Định")
    closed = _agency("760.00.00.H29", "Quận 1", level="district", valid_to=date(2025, 6, 30))
    with pytest.raises(BadInput):
        agency_set_successors(agency=open_agency, successors=[other])  # not dissolved
    with pytest.raises(BadInput):
        agency_set_successors(agency=closed, successors=[])
    with pytest.raises(BadInput):
        agency_set_successors(agency=closed, successors=[other], principal=open_agency)
    with pytest.raises(BadInput):
        agency_set_successors(agency=closed, successors=[closed])


def test_dissolve_closes_and_hands_over():
    district = _agency("769.00.00.H29", "Thành phố Thủ Đức", level="district", valid_from=date(2021, 1, 1))
    thu_duc = _agency("268.24.00.H29", "Phường Thủ Đức", valid_from=date(2025, 7, 1))
    hiep_binh = _agency("268.12.00.H29", "Phường Hiệp Bình", valid_from=date(2025, 7, 1))
    agency_dissolve(agency=district, last_day=date(2025, 6, 30), successors=[thu_duc, hiep_binh])
    district.refresh_from_db()
    assert district.valid_to == date(2025, 6, 30)
    assert district.successor == thu_duc
    with pytest.raises(BadInput):
        agency_dissolve(agency=thu_duc, last_day=date(2020, 1, 1), successors=[hiep_binh])
    closed = _agency("267.99.00.H29", "Phường đã giải thể", valid_to=date(2025, 6, 30))
    with pytest.raises(BadInput):
        agency_dissolve(agency=hiep_binh, last_day=date(2026, 6, 30), successors=[closed])


def test_database_refuses_self_links_and_inverted_periods():
    agency = _agency("267.40.00.H29", "Phường Sài Gòn", valid_to=date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=agency.pk).update(successor=agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=agency.pk).update(valid_to=date(1999, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencySuccession.objects.create(predecessor=agency, successor=agency)
