import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.text import fold, fold_tokens, mask_name, normalize, strip_diacritics


def test_normalize_turns_nfd_into_nfc_and_collapses_spaces():
    nfd = unicodedata.normalize("NFD", "  Nguyễn   Thị\tHương  ")
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert normalize(nfd) == "Nguyễn Thị Hương"
    assert unicodedata.is_normalized("NFC", normalize(nfd))


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐĂNG KÝ KẾT HÔN", "dang ky ket hon"),
        ("Giấy phép lao động", "giay phep lao dong"),
        ("Chứng thực bản sao từ bản chính", "chung thuc ban sao tu ban chinh"),
        ("Xác nhận thông tin về cư trú", "xac nhan thong tin ve cu tru"),
        ("dang ky khai sinh", "dang ky khai sinh"),
    ],
)
def test_fold_removes_marks_and_d_stroke_in_both_cases(text, folded):
    assert fold(text) == folded
    assert fold(unicodedata.normalize("NFD", text)) == folded


def test_strip_diacritics_keeps_case():
    assert strip_diacritics("Đà Nẵng") == "Da Nang"
    assert strip_diacritics(unicodedata.normalize("NFD", "Ấp Bắc")) == "Ap Bac"


def test_fold_tokens_drops_punctuation():
    assert fold_tokens("Cấp lại giấy phép (GPLĐ), lần 2!") == ["cap", "lai", "giay", "phep", "gpld", "lan", "2"]


def test_mask_name_hides_all_but_initials():
    assert mask_name("Nguyễn Văn An") == "N***** V** A*"
    assert "Văn" not in mask_name("Nguyễn Văn An")


@given(st.text())
def test_fold_is_idempotent_and_ascii_for_vietnamese(text):
    assert fold(fold(text)) == fold(text)


@given(st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ "))
def test_folded_vietnamese_is_plain_ascii(text):
    assert fold(text).isascii()
