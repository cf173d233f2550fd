"""Vietnamese word segmentation in search: words of several syllables are terms of their own."""

import pytest

from motcua.catalog import search, segment
from motcua.catalog.selectors import _today, catalog_export, procedure_search
from motcua.catalog.services import catalog_import

pytestmark = pytest.mark.django_db


def test_the_packaged_model_segments_offline():
    assert segment.words("làm giấy khai sinh cho con") == ("lam", "giay", "khai_sinh", "cho", "con")
    assert segment.compounds("Cấp giấy phép xây dựng nhà ở riêng lẻ") == ["giay_phep", "xay_dung", "rieng_le"]
    assert segment.words("") == ()


def test_longest_match_for_unaccented_text():
    vocabulary = {"giay_phep", "lao_dong", "giay_phep_lao_dong", "nuoc_ngoai"}
    found = segment.match_words(["cap", "giay", "phep", "lao", "dong", "nguoi", "nuoc", "ngoai"], vocabulary)
    assert found == [(1, "giay_phep_lao_dong"), (6, "nuoc_ngoai")]


def test_queries_get_the_catalogues_words_with_or_without_diacritics(seeded):
    index = search.get_index(_today())
    assert "khai_sinh" in index.vocabulary and "giay_phep" in index.vocabulary
    for text in ("làm giấy khai sinh cho con", "lam giay khai sinh cho con"):
        terms = dict(search.parse_query(text, index).terms)
        assert terms.get("khai_sinh") == 1.0, text
        assert "cho_con" not in terms
    typo = dict(search.parse_query("khai sihn", index).terms)
    assert typo.get("khai_sinh") == search.TYPO_WEIGHT
    # Filler words are not search terms, even as words: "hồ sơ", "thủ tục".
    assert not {"ho_so", "thu_tuc"} & set(dict(search.parse_query("hồ sơ thủ tục kết hôn", index).terms))


def test_a_word_outranks_the_same_syllables_in_other_words(seeded, monkeypatch):
    # Both names hold the syllables "khai" and "sinh"; only the second holds the word "khai sinh".
    # The first is much more used and shorter: without word segmentation it would come first.
    monkeypatch.setattr(search, "BIGRAM_BONUS", 0.0)
    document = catalog_export(codes=["2.001019"])
    template = document["procedures"][0]
    pair = [
        dict(template, code="9.000011", name="Khai báo sinh sống người nước ngoài", keywords="", popularity=5000),
        dict(template, code="9.000012", name="Khai sinh trẻ em người nước ngoài", keywords="", popularity=1),
    ]
    catalog_import(documents=[("pair.json", dict(document, procedures=pair))])
    search.reset_index()
    codes = [hit.code for hit in procedure_search(q="khai sinh nguoi nuoc ngoai", page_size=10).items]
    assert codes.index("9.000012") < codes.index("9.000011")
