"""Search quality on realistic queries, filters, synonyms and popularity."""

import pytest

from motcua.catalog import search
from motcua.catalog.models import Procedure
from motcua.catalog.selectors import commune_unit_codes, procedure_search
from motcua.catalog.services import synonym_set
from motcua.core.errors import BadInput
from tests.catalog.search_queries import HELD_OUT, QUERIES

pytestmark = pytest.mark.django_db

TOP3_GOAL = 0.90
HELD_OUT_FLOOR = 0.90


def _shares(queries: list[tuple[str, str]]) -> tuple[float, float, list[tuple[str, str, list[str]]]]:
    """(share in the top 3, share first, the top-3 misses) of a query set."""
    misses, first = [], 0
    for query, expected in queries:
        codes = [hit.code for hit in procedure_search(q=query, page_size=3).items]
        first += bool(codes) and codes[0] == expected
        if expected not in codes:
            misses.append((query, expected, codes))
    return 1 - len(misses) / len(queries), first / len(queries), misses


def test_the_query_sets_find_the_right_procedure_in_the_top_3(seeded, record_property):
    assert len(QUERIES) >= 40
    assert len(HELD_OUT) >= 20
    assert not {query for query, _ in QUERIES} & {query for query, _ in HELD_OUT}
    tuned, tuned_first, tuned_misses = _shares(QUERIES)
    held_out, held_out_first, held_out_misses = _shares(HELD_OUT)
    record_property("search_top3_tuned", round(tuned, 3))
    record_property("search_top3_held_out", round(held_out, 3))
    print(
        f"\nsearch top-3 share: tuned {tuned:.1%} of {len(QUERIES)}, held-out {held_out:.1%} of {len(HELD_OUT)}"
        f"\nfirst: tuned {tuned_first:.1%}, held-out {held_out_first:.1%}"
        f"\ntuned misses: {tuned_misses}\nheld-out misses: {held_out_misses}"
    )
    assert tuned >= TOP3_GOAL, tuned_misses
    # The held-out set has no goal of its own (docs/catalog.md reports it); this floor, a little
    # under the share measured, only stops a ranking change from quietly making it worse.
    assert held_out >= HELD_OUT_FLOOR, held_out_misses


def test_with_and_without_diacritics_and_in_any_order(seeded):
    first = procedure_search(q="đăng ký khai sinh").items[0].code
    assert procedure_search(q="dang ky khai sinh").items[0].code == first == "1.001193"
    assert procedure_search(q="khai sinh dang ky").items[0].code == "1.001193"
    assert procedure_search(q="ĐĂNG KÝ KHAI SINH").items[0].code == "1.001193"


def test_a_procedure_code_finds_it(seeded):
    assert procedure_search(q="1.000894").items[0].code == "1.000894"


def test_synonyms_are_data(seeded):
    assert "1.004884" not in [hit.code for hit in procedure_search(q="giấy khai sinh bị rách", page_size=3).items][:1]
    synonym_set(term="bị rách", expansion="đăng ký lại")
    assert procedure_search(q="giấy khai sinh bị rách", page_size=3).items[0].code == "1.004884"


def test_filters(seeded):
    full = procedure_search(online="full", page_size=100)
    assert full.count and all(hit.online_mode == "full" for hit in full.items)
    commune = procedure_search(level="commune", page_size=100)
    assert commune.count and all(hit.level == "commune" for hit in commune.items)
    civil = procedure_search(q="khai sinh", field="HO-TICH", page_size=100)
    assert civil.items and all(hit.field_code == "HO-TICH" for hit in civil.items)


def test_agency_filter_works_for_a_ward_and_a_department(seeded):
    ward = commune_unit_codes()[0]
    at_ward = procedure_search(agency=ward, page_size=100)
    assert at_ward.count and all(hit.all_commune_units for hit in at_ward.items)
    assert "1.001193" in [hit.code for hit in at_ward.items]
    work_permit = procedure_search(q="giay phep lao dong")
    agencies = set(work_permit.items[0].agency_codes)
    for code in agencies:
        assert "1.014199" in [hit.code for hit in procedure_search(agency=code, page_size=100).items]
    assert procedure_search(agency="000.00.00.X99").count == 0


def test_popularity_breaks_a_real_tie(seeded):
    # Two procedures with the same words score exactly the same: the more used one comes first.
    from motcua.catalog.selectors import catalog_export
    from motcua.catalog.services import catalog_import

    document = catalog_export(codes=["2.001019"])
    template = document["procedures"][0]
    twins = [
        dict(template, code="9.000001", name="Chứng thực hợp đồng thế chấp tàu cá", keywords="", popularity=10),
        dict(template, code="9.000002", name="Chứng thực hợp đồng thế chấp tàu cá", keywords="", popularity=900),
    ]
    catalog_import(documents=[("twins.json", dict(document, procedures=twins))])
    search.reset_index()

    def ranked() -> list[tuple[str, float]]:
        items = procedure_search(q="the chap tau ca", page_size=5).items
        return [(hit.code, hit.score) for hit in items if hit.code.startswith("9.")]

    first = ranked()
    assert [code for code, _ in first] == ["9.000002", "9.000001"]
    assert first[0][1] == first[1][1] > 0  # a genuine tie on relevance
    Procedure.objects.filter(code="9.000001").update(popularity=5000)
    search.reset_index()
    assert [code for code, _ in ranked()] == ["9.000001", "9.000002"]


def test_without_words_the_most_used_come_first(seeded):
    Procedure.objects.filter(code="1.000894").update(popularity=0)
    Procedure.objects.filter(code="1.004873").update(popularity=0)
    search.reset_index()
    empty = procedure_search(page_size=100).items
    assert [hit.popularity for hit in empty] == sorted((hit.popularity for hit in empty), reverse=True)
    assert empty[0].code == "2.000815"  # the most used procedure of the seed


def test_bad_filters_are_refused(seeded):
    with pytest.raises(BadInput):
        procedure_search(online="sometimes")
    with pytest.raises(BadInput):
        procedure_search(page=0)
    with pytest.raises(BadInput):
        procedure_search(q="x" * 201)
