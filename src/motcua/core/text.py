"""Vietnamese text: NFC normalisation of all input and accent folding for search.

Vietnamese can be typed in precomposed (NFC) or decomposed (NFD) form, and with
different keyboards (Telex, VNI) the same word may arrive either way. Everything stored
is NFC; everything compared for search is folded: lower case, no diacritics, đ → d.
"""

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
# đ/Đ are letters of their own, not d with a mark, so NFD does not split them.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D"})


def normalize(value: str) -> str:
    """NFC form, trimmed, with runs of whitespace collapsed to one space."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()


def strip_diacritics(value: str) -> str:
    """Remove every combining mark and turn đ/Đ into d/D, keeping case."""
    decomposed = unicodedata.normalize("NFD", value.translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def fold(value: str) -> str:
    """The search key of a text: lower case, no diacritics, single spaces."""
    return normalize(strip_diacritics(normalize(value)).casefold())


def fold_tokens(value: str) -> list[str]:
    """Folded words of a text, punctuation dropped."""
    return [token for token in _NON_WORD.sub(" ", fold(value)).split(" ") if token]


def mask_name(full_name: str) -> str:
    """Mask a person's name for public pages: 'Nguyễn Văn An' → 'N*** V** A*'."""
    words = normalize(full_name).split(" ")
    return " ".join(word[0] + "*" * (len(word) - 1) for word in words if word)
