"""Vietnamese word segmentation for search, with underthesea's packaged model.

Vietnamese writes syllables, not words: "đăng ký khai sinh" is two words, "đăng_ký" and
"khai_sinh". underthesea (a CRF model trained on VLSP 2013, shipped inside its wheel) finds
the words of accented text offline: no download, no torch, ≈0.4 ms a sentence.

For search the words are folded like everything else (no diacritics, đ → d) and a word of
several syllables becomes one term with the syllables joined by "_" ("khai_sinh"). The
model needs diacritics: on "lam giay khai sinh" it guesses badly, so an unaccented query is
segmented by longest match against the words the model found in the catalogue instead
(`match_words`).
"""

from __future__ import annotations

import threading
from functools import lru_cache

from motcua.core.text import fold_tokens, normalize

JOINER = "_"
# Longest word looked for in an unaccented query (syllables): "bảo hiểm y tế", "giấy chứng nhận".
MAX_WORD_SYLLABLES = 4

_lock = threading.Lock()


def _segment_raw(text: str) -> list[str]:
    # Imported on first use: the package loads its model lazily, and only search needs it.
    from underthesea.pipeline.word_tokenize import word_tokenize

    with _lock:  # the model is loaded once, on the first call; keep calls serial and safe
        return list(word_tokenize(text))


@lru_cache(maxsize=50_000)
def words(text: str) -> tuple[str, ...]:
    """The folded words of accented text, a word of several syllables joined: "khai_sinh".

    Punctuation is dropped. Cached: the catalogue's texts are segmented once per process.
    """
    text = normalize(text)
    if not text:
        return ()
    result: list[str] = []
    for word in _segment_raw(text):
        syllables = fold_tokens(word)
        if syllables:
            result.append(JOINER.join(syllables))
    return tuple(result)


def compounds(text: str) -> list[str]:
    """Only the words of more than one syllable ("giay_phep", "xay_dung"), in order."""
    return [word for word in words(text) if JOINER in word]


def has_diacritics(text: str) -> bool:
    """Whether the text carries Vietnamese diacritics (then the model can segment it)."""
    return any(not char.isascii() for char in text)


def match_words(syllables: list[str], vocabulary: set[str] | frozenset[str]) -> list[tuple[int, str]]:
    """(start, word) of the known words in a folded syllable sequence, longest match left to right."""
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(syllables):
        for size in range(min(MAX_WORD_SYLLABLES, len(syllables) - i), 1, -1):
            candidate = JOINER.join(syllables[i : i + size])
            if candidate in vocabulary:
                found.append((i, candidate))
                i += size
                break
        else:
            i += 1
    return found
