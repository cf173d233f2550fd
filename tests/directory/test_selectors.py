"""Directory reads: look-ups, lists by day, descendants, successor chains (cycle-safe)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.errors import NotFound
from motcua.directory import seed, selectors
from motcua.directory.models import Agency
from motcua.directory.services import agency_set_successors, agency_upsert

pytestmark = pytest.mark.django_db


def _agency(code: str, name: str, *, parent=None, level="department", valid_to=None, valid_from=date(2000, 1, 1)):
    return agency_upsert(code=code, name=name, level=level, parent=parent, valid_from=valid_from, valid_to=valid_to)[0]


def test_agency_get_by_code_and_unknown():
    seed.seed_directory()
    assert selectors.agency_get(code=seed.BEN_THANH_CODE).name == "Phường Bến Thành"
    # Dissolved agencies stay addressable: their dossiers still name them.
    assert selectors.agency_get(code=seed.DISTRICT_1_CODE).valid_to == date(2025, 6, 30)
    with pytest.raises(NotFound):
        selectors.agency_get(code="999.99.99.H29")


def test_agency_list_by_level_and_day():
    seed.seed_directory()
    everything = selectors.agency_list()
    assert everything.count() == Agency.objects.count()
    districts = selectors.agency_list(level=Agency.Level.DISTRICT)
    assert [a.code for a in districts] == [seed.DISTRICT_1_CODE, seed.THU_DUC_CITY_CODE]
    assert not selectors.agency_list(level=Agency.Level.DISTRICT, active_on=date(2025, 7, 1)).exists()
    departments_2025_02 = {a.code for a in selectors.agency_list_active_on(day=date(2025, 2, 28), level="department")}
    departments_2025_03 = {a.code for a in selectors.agency_list_active_on(day=date(2025, 3, 1), level="department")}
    assert departments_2025_02 - departments_2025_03 == {
        seed.LABOUR_CODE,
        seed.TRANSPORT_CODE,
        seed.PLANNING_INVESTMENT_CODE,
    }


def test_agency_list_reads_parent_and_successor_without_a_query_per_row():
    seed.seed_directory()
    with CaptureQueriesContext(connection) as queries:
        rows = [
            (a.parent.code if a.parent else None, a.successor.code if a.successor else None)
            for a in selectors.agency_list()
        ]
    assert len(rows) > 180
    assert len(queries) == 1


def test_descendants_at_any_depth_in_one_query():
    root = _agency("000.00.90.H29", "Gốc")
    child = _agency("000.00.91.H29", "Con", parent=root)
    grandchild = _agency("000.00.92.H29", "Cháu", parent=child, valid_to=date(2024, 12, 31))
    great = _agency("000.00.93.H29", "Chắt", parent=grandchild)
    _agency("000.00.94.H29", "Người ngoài")
    with CaptureQueriesContext(connection) as queries:
        codes = [a.code for a in selectors.agency_descendants(agency=root)]
    assert len(queries) == 1
    assert codes == [root.code, child.code, grandchild.code, great.code]
    assert [a.code for a in selectors.agency_descendants(agency=child, include_self=False)] == [
        grandchild.code,
        great.code,
    ]
    active = selectors.agency_descendants(agency=root, active_on=date(2025, 1, 1))
    assert grandchild not in active and great in active


def test_descendants_compose_as_a_subquery_and_survive_a_parent_cycle():
    a = _agency("000.00.90.H29", "A")
    b = _agency("000.00.91.H29", "B", parent=a)
    Agency.objects.filter(pk=a.pk).update(parent=b)  # corrupt data: a ↔ b
    assert {x.code for x in selectors.agency_descendants(agency=a)} == {a.code, b.code}
    nested = Agency.objects.filter(pk__in=selectors.agency_descendants(agency=b).values("pk"))
    assert nested.count() == 2


def test_descendants_of_the_city_hold_every_seeded_agency():
    seed.seed_directory()
    city = Agency.objects.get(code=seed.HCMC_PC_CODE)
    assert selectors.agency_descendants(agency=city).count() == Agency.objects.count()
    assert selectors.agency_descendants(agency=city, active_on=date(2026, 1, 1), include_self=False).count() == (
        Agency.objects.active_on(date(2026, 1, 1)).count() - 1
    )


def test_current_successor_follows_the_chain():
    old = _agency("000.00.90.H29", "Cũ", valid_to=date(2020, 12, 31))
    middle = _agency("000.00.91.H29", "Giữa", valid_from=date(2021, 1, 1), valid_to=date(2025, 2, 28))
    new = _agency("000.00.92.H29", "Mới", valid_from=date(2025, 3, 1))
    agency_set_successors(agency=old, successors=[middle])
    agency_set_successors(agency=middle, successors=[new])
    assert selectors.agency_current_successor(agency=old, on=date(2020, 6, 1)) == old
    assert selectors.agency_current_successor(agency=old, on=date(2022, 6, 1)) == middle
    assert selectors.agency_current_successor(agency=old, on=date(2026, 1, 1)) == new
    assert selectors.agency_current_successor(agency=new, on=date(2026, 1, 1)) == new
    # Before the agency existed nothing stands for it; never walk backwards in time.
    assert selectors.agency_current_successor(agency=new, on=date(2024, 1, 1)) is None


def test_current_successor_is_none_when_the_chain_ends_or_has_a_gap():
    orphan = _agency("000.00.90.H29", "Không kế thừa", valid_to=date(2020, 12, 31))
    assert selectors.agency_current_successor(agency=orphan, on=date(2026, 1, 1)) is None
    late = _agency("000.00.91.H29", "Kế thừa muộn", valid_from=date(2022, 1, 1))
    agency_set_successors(agency=orphan, successors=[late])
    assert selectors.agency_current_successor(agency=orphan, on=date(2021, 6, 1)) is None


def test_current_successor_is_safe_against_cycles(caplog):
    a = _agency("000.00.90.H29", "A", valid_to=date(2020, 12, 31))
    b = _agency("000.00.91.H29", "B", valid_to=date(2021, 12, 31))
    c = _agency("000.00.92.H29", "C", valid_to=date(2022, 12, 31))
    agency_set_successors(agency=a, successors=[b])
    agency_set_successors(agency=b, successors=[c])
    agency_set_successors(agency=c, successors=[a])  # bad data: a → b → c → a
    with CaptureQueriesContext(connection) as queries:
        assert selectors.agency_current_successor(agency=a, on=date(2026, 1, 1)) is None
    assert len(queries) <= 3
    assert "cycle" in caplog.text


def test_current_successor_bounded_on_a_very_long_chain():
    previous = _agency("000.00.00.X01", "Đầu chuỗi", valid_to=date(2001, 1, 1))
    first = previous
    for index in range(selectors.MAX_SUCCESSION_HOPS + 3):
        current = _agency(f"000.00.{index:02d}.X02", f"Mắt xích {index}", valid_to=date(2002 + index // 12, 1, 1))
        agency_set_successors(agency=previous, successors=[current])
        previous = current
    with CaptureQueriesContext(connection) as queries:
        assert selectors.agency_current_successor(agency=first, on=date(2099, 1, 1)) is None
    assert len(queries) <= selectors.MAX_SUCCESSION_HOPS


def test_detail_has_children_count_and_successors_principal_first():
    seed.seed_directory()
    with CaptureQueriesContext(connection) as queries:
        thu_duc = selectors.agency_detail(code=seed.THU_DUC_CITY_CODE)
        successors = [a.code for a in thu_duc.successor_list]
    assert len(queries) == 2
    assert successors[0] == seed.THU_DUC_WARD_CODE
    assert len(successors) == 12
    assert successors[1:] == sorted(successors[1:])
    assert selectors.agency_detail(code=seed.HCMC_PC_CODE).children_count == Agency.objects.count() - 1
    with pytest.raises(NotFound):
        selectors.agency_detail(code="nope")


def test_service_centre_look_ups():
    seed.seed_directory()
    centre = selectors.service_centre_get(code=seed.BEN_THANH_SITE_CODE)
    assert [c.number for c in centre.counters.all()] == [1, 2, 3]
    assert len(selectors.service_centre_list()) == 2
    assert [c.code for c in selectors.service_centre_list(agency=centre.agency)] == [seed.BEN_THANH_SITE_CODE]
    with pytest.raises(NotFound):
        selectors.service_centre_get(code="khong-co")
