"""Search that understands citizens: accent folding, any word order, typos, everyday words.

The catalogue in force is small (≈2,000 procedures for a province), so the search keeps an
in-memory inverted index per process, rebuilt when the catalogue or the synonyms change
(one cheap signature query per search) and refreshed for popularity every
`POPULARITY_TTL` seconds. A query then costs a few dictionary look-ups, no SQL scan.

Ranking (a BM25-like sum, kept simple and explainable):
- every text is folded (lower case, no diacritics, đ → d), so "khai sinh" = "khai sinh";
- words are weighted by where they occur: name 3, everyday keywords 2, field 1.2,
  description/result 0.6; rarer words (idf) count more;
- Vietnamese word segmentation (`segment.py`, underthesea's packaged model, offline): the
  words of several syllables of every text ("khai_sinh", "giấy_phép") are terms of their
  own, weighted `COMPOUND_WEIGHT` × their field over a single syllable. The query is
  segmented by the model when it carries diacritics, else by longest match against the
  catalogue's words, so "lam giay khai sinh" finds the word "khai_sinh" too;
- adjacent syllable pairs of the query that are also adjacent in the name (or in one of
  the keywords) earn a bonus: word order still counts where the words are the same;
- a query word unknown to the index is matched to indexed words one edit away
  (a SymSpell-style deletion map), so "khai sihn" still finds "khai sinh";
- the synonyms table (admin-editable) adds the official words for an everyday phrase
  ("xây nhà" → "xây dựng nhà ở riêng lẻ"); filler words ("làm", "xin", "cho con") are dropped;
- the share of the query matched multiplies the score; long names are gently penalised;
- near-equal scores are ordered by popularity (the number of dossiers).
"""

from __future__ import annotations

import itertools
import math
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from motcua.catalog import segment
from motcua.core.text import fold, fold_tokens

WEIGHT_NAME = 3.0
WEIGHT_KEYWORDS = 2.0
WEIGHT_FIELD = 1.2
WEIGHT_BODY = 0.6
BIGRAM_BONUS = 1.2
# A word of several syllables ("khai_sinh") found in a text weighs this much more than each
# of its syllables there: matching the word is stronger evidence than matching its parts.
COMPOUND_WEIGHT = 1.5
TYPO_WEIGHT = 0.75
POPULARITY_TTL = 30.0

# Filler words and phrases people type around what they want (folded).
STOP_PHRASES = [
    "thu tuc",
    "ho so",
    "nhu the nao",
    "the nao",
    "o dau",
    "bao lau",
    "can gi",
    "cho con",
    "cho be",
    "cua toi",
    "cho toi",
    "muon",
    "can",
    "xin",
    "lam",
    "toi",
    "em",
    "di",
    "nop",
    "o",
    "tai",
    "va",
    "de",
    "nhu",
    "gi",
    "sao",
    "nao",
]
_STOP_RE = re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(STOP_PHRASES, key=len, reverse=True)) + r")\b")
_CODE_RE = re.compile(r"\b\d\.\d{6}\b")
# Names that start a variant of a procedure (re-issue, extension, change). Someone who does
# not say so means the first issue: such variants rank a little lower unless asked for.
VARIANT_PHRASES = ["cap lai", "gia han", "dieu chinh", "cap doi", "dang ky lai", "hieu dinh", "bo sung", "tiep tuc"]
VARIANT_FACTOR = 0.8
NAME_LENGTH_CAP = 12
# A procedure must match at least this share of the query's (idf-weighted) words.
MIN_COVERAGE = 0.34


@dataclass(frozen=True)
class ProcedureHit:
    version_id: int
    procedure_id: int
    code: str
    name: str
    field_code: str
    field_name: str
    level: str
    online_mode: str
    processing_days: int | None
    processing_hours: int | None
    fee_vnd: int | None
    agency_codes: tuple[str, ...]
    all_commune_units: bool
    popularity: int = 0
    score: float = 0.0


@dataclass
class _Doc:
    hit: ProcedureHit
    name_bigrams: set[str]
    name_length: int
    variants: frozenset[str] = frozenset()


@dataclass
class SearchIndex:
    signature: tuple
    docs: list[_Doc] = field(default_factory=list)
    postings: dict[str, dict[int, float]] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    deletes: dict[str, set[str]] = field(default_factory=dict)
    synonyms: list[tuple[tuple[str, ...], list[str]]] = field(default_factory=list)
    # The words of several syllables the segmenter found in the catalogue ("giay_phep").
    vocabulary: frozenset[str] = frozenset()
    by_code: dict[str, int] = field(default_factory=dict)
    commune_units: frozenset[str] = frozenset()
    popularity_at: float = 0.0


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _bigrams(tokens: list[str]) -> set[str]:
    return {f"{a} {b}" for a, b in itertools.pairwise(tokens)}


def _strip_stopwords(folded: str) -> list[str]:
    tokens = fold_tokens(_STOP_RE.sub(" ", folded))
    return tokens or fold_tokens(folded)


def _signature(day: date) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT MAX(updated_at) FROM catalog_procedureversion),"
            " (SELECT COUNT(*) FROM catalog_procedureversion),"
            " (SELECT MAX(updated_at) FROM catalog_synonym),"
            " (SELECT COUNT(*) FROM catalog_synonym),"
            " (SELECT COUNT(*) FROM catalog_procedure),"
            " (SELECT COUNT(*) FROM directory_agency)"
        )
        row = cursor.fetchone()
    return (day, connection.alias, *(str(value) for value in row))


def build_index(day: date, signature: tuple) -> SearchIndex:
    """Load the versions in force on `day` and index them."""
    from django.db.models import Min

    from motcua.catalog.models import COMMUNE_LEVELS, ProcedureAgency, ProcedureVersion, Synonym
    from motcua.directory.models import Agency

    index = SearchIndex(signature=signature, popularity_at=time.monotonic())
    versions = (
        ProcedureVersion.objects.in_force_on(day)
        .annotate(min_fee=Min("fees__amount_vnd"))
        .values(
            "id",
            "procedure_id",
            "procedure__code",
            "procedure__popularity",
            "name",
            "keywords",
            "description",
            "result_name",
            "field__code",
            "field__name",
            "level",
            "online_mode",
            "processing_days",
            "processing_hours",
            "all_commune_units",
            "min_fee",
        )
        .order_by("procedure__code")
    )
    rows = list(versions)
    links: dict[int, list[str]] = defaultdict(list)
    for version_id, agency_code in (
        ProcedureAgency.objects.filter(version_id__in=[row["id"] for row in rows])
        .order_by("id")
        .values_list("version_id", "agency__code")
    ):
        if agency_code not in links[version_id]:
            links[version_id].append(agency_code)
    index.commune_units = frozenset(
        Agency.objects.active_on(day).filter(level__in=COMMUNE_LEVELS).values_list("code", flat=True)
    )
    postings: dict[str, dict[int, float]] = defaultdict(dict)
    for position, row in enumerate(rows):
        hit = ProcedureHit(
            version_id=row["id"],
            procedure_id=row["procedure_id"],
            code=row["procedure__code"],
            name=row["name"],
            field_code=row["field__code"],
            field_name=row["field__name"],
            level=row["level"],
            online_mode=row["online_mode"],
            processing_days=row["processing_days"],
            processing_hours=row["processing_hours"],
            fee_vnd=row["min_fee"],
            agency_codes=tuple(links.get(row["id"], ())),
            all_commune_units=row["all_commune_units"],
            popularity=row["procedure__popularity"],
        )
        name_tokens = fold_tokens(row["name"])
        name_bigrams = _bigrams(name_tokens)
        index.docs.append(
            _Doc(
                hit=hit,
                name_bigrams=name_bigrams,
                name_length=len(name_tokens),
                variants=frozenset(phrase for phrase in VARIANT_PHRASES if phrase in name_bigrams),
            )
        )
        index.by_code[hit.code] = position
        weights: dict[str, float] = {}
        for texts, weight in (
            ([row["description"], row["result_name"]], WEIGHT_BODY),
            ([row["field__name"]], WEIGHT_FIELD),
            (row["keywords"].split(","), WEIGHT_KEYWORDS),
            ([row["name"]], WEIGHT_NAME),
        ):
            for text in texts:
                for token in fold_tokens(text):
                    weights[token] = max(weights.get(token, 0.0), weight)
                for word in segment.compounds(text):
                    weights[word] = max(weights.get(word, 0.0), weight * COMPOUND_WEIGHT)
        # Keyword phrases count as bigrams too ("so do" → a "word" of the procedure).
        index.docs[-1].name_bigrams |= _bigrams(fold_tokens(row["keywords"]))
        for token, weight in weights.items():
            postings[token][position] = weight
    total = max(len(rows), 1)
    index.postings = dict(postings)
    index.idf = {token: math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5)) for token, docs in postings.items()}
    deletes: dict[str, set[str]] = defaultdict(set)
    for token in postings:
        if len(token) >= 3:
            for variant in _deletes(token):
                deletes[variant].add(token)
    index.deletes = dict(deletes)
    index.vocabulary = frozenset(token for token in postings if segment.JOINER in token)
    for term, expansion in Synonym.objects.values_list("term", "expansion"):
        words = [word for word in segment.compounds(expansion) if word in index.vocabulary]
        index.synonyms.append((tuple(fold_tokens(term)), fold_tokens(expansion) + words))
    index.synonyms.sort(key=lambda pair: len(pair[0]), reverse=True)
    return index


_lock = threading.Lock()
_cache: dict[str, SearchIndex] = {}


def get_index(day: date) -> SearchIndex:
    signature = _signature(day)
    index = _cache.get(connection.alias)
    if index is None or index.signature != signature:
        with _lock:
            index = build_index(day, signature)
            _cache[connection.alias] = index
    elif time.monotonic() - index.popularity_at > POPULARITY_TTL:
        _refresh_popularity(index)
    return index


def reset_index() -> None:
    """Forget the cached index (tests; after bulk changes made outside the ORM)."""
    _cache.clear()


def _refresh_popularity(index: SearchIndex) -> None:
    from motcua.catalog.models import Procedure

    popularity = dict(
        Procedure.objects.filter(id__in=[doc.hit.procedure_id for doc in index.docs]).values_list("id", "popularity")
    )
    for doc in index.docs:
        value = popularity.get(doc.hit.procedure_id, 0)
        if value != doc.hit.popularity:
            doc.hit = _with(doc.hit, popularity=value)
    index.popularity_at = time.monotonic()


def _with(hit: ProcedureHit, **changes) -> ProcedureHit:
    from dataclasses import replace

    return replace(hit, **changes)


@dataclass
class _Query:
    # (term, weight) in query order; weights < 1 for typo corrections and synonym expansions.
    terms: list[tuple[str, float]]
    sequences: list[list[str]]
    code: str | None


def _expand_synonyms(tokens: list[str], index: SearchIndex) -> list[list[str]]:
    expansions: list[list[str]] = []
    for term, expansion in index.synonyms:
        size = len(term)
        if size and any(tuple(tokens[i : i + size]) == term for i in range(len(tokens) - size + 1)):
            expansions.append(expansion)
    return expansions


def _correct(token: str, index: SearchIndex) -> list[str]:
    if token in index.postings or len(token) < 3:
        return [token] if token in index.postings else []
    candidates = set(index.deletes.get(token, set()))
    for variant in _deletes(token):
        if variant in index.postings:
            candidates.add(variant)
        candidates |= index.deletes.get(variant, set())
    ranked = sorted(candidates, key=lambda word: (-len(index.postings.get(word, {})), word))
    return ranked[:2]


_STOP_WORDS = frozenset(phrase.replace(" ", segment.JOINER) for phrase in STOP_PHRASES if " " in phrase)


def _query_words(text: str, raw_tokens: list[str], index: SearchIndex) -> list[tuple[str, float]]:
    """The query's words of several syllables that the catalogue has, with their weights.

    Accented text is segmented by the model; unaccented (or typo-corrected) syllables by
    longest match against the catalogue's words. Filler words ("hồ sơ", "thủ tục") are left out.
    """
    found: dict[str, float] = {}
    if segment.has_diacritics(text):
        for word in segment.compounds(text):
            if word in index.vocabulary:
                found[word] = 1.0
    if not found:
        corrected: list[str] = []
        typos: set[int] = set()
        for position, token in enumerate(raw_tokens):
            if token in index.postings or len(token) < 3:
                corrected.append(token)
                continue
            candidates = _correct(token, index)
            corrected.append(candidates[0] if candidates else token)
            typos.add(position)
        for start, word in segment.match_words(corrected, index.vocabulary):
            size = word.count(segment.JOINER) + 1
            # A word rebuilt from a corrected syllable counts like a typo correction.
            found.setdefault(word, TYPO_WEIGHT if typos & set(range(start, start + size)) else 1.0)
    return [(word, weight) for word, weight in found.items() if word not in _STOP_WORDS]


def parse_query(text: str, index: SearchIndex) -> _Query:
    folded = fold(text)
    code_match = _CODE_RE.search(text)
    raw_tokens = fold_tokens(folded)
    tokens = _strip_stopwords(folded)
    terms: dict[str, float] = {}
    sequence: list[str] = []
    for token in tokens:
        if token in index.postings:
            terms[token] = max(terms.get(token, 0.0), 1.0)
            sequence.append(token)
            continue
        corrected = _correct(token, index)
        for candidate in corrected:
            terms[candidate] = max(terms.get(candidate, 0.0), TYPO_WEIGHT)
        if corrected:
            sequence.append(corrected[0])
        else:
            terms.setdefault(token, 1.0)  # unknown: counts against coverage
            sequence.append(token)
    for word, weight in _query_words(text, raw_tokens, index):
        terms[word] = max(terms.get(word, 0.0), weight)
    sequences = [sequence]
    for expansion in _expand_synonyms(raw_tokens, index):
        sequences.append([token for token in expansion if segment.JOINER not in token])
        for token in expansion:
            terms[token] = max(terms.get(token, 0.0), 0.9)
    return _Query(terms=list(terms.items()), sequences=sequences, code=code_match.group(0) if code_match else None)


def _allowed(doc: _Doc, *, agency: str | None, field: str | None, online: str | None, level: str | None, index) -> bool:
    hit = doc.hit
    if field and hit.field_code != field:
        return False
    if online and hit.online_mode != online:
        return False
    if level and hit.level != level:
        return False
    return not (
        agency and agency not in hit.agency_codes and not (hit.all_commune_units and agency in index.commune_units)
    )


def rank(
    index: SearchIndex,
    query: str = "",
    *,
    agency: str | None = None,
    field: str | None = None,
    online: str | None = None,
    level: str | None = None,
) -> list[tuple[float, int]]:
    """(score, document position) of every match, best first; cheap: no hit objects are built."""
    filtered = bool(agency or field or online or level)
    docs = index.docs
    if not query.strip():
        positions = [
            position
            for position, doc in enumerate(docs)
            if not filtered or _allowed(doc, agency=agency, field=field, online=online, level=level, index=index)
        ]
        positions.sort(key=lambda position: (-docs[position].hit.popularity, docs[position].hit.name))
        return [(0.0, position) for position in positions]
    parsed = parse_query(query, index)
    scores: dict[int, float] = defaultdict(float)
    matched: dict[int, float] = defaultdict(float)
    total_weight = 0.0
    for term, weight in parsed.terms:
        idf = index.idf.get(term, 3.0)
        total_weight += idf * weight
        gain = idf * weight
        for position, field_weight in index.postings.get(term, {}).items():
            scores[position] += gain * field_weight
            matched[position] += gain
    if parsed.code and parsed.code in index.by_code:
        position = index.by_code[parsed.code]
        scores[position] += 100.0
        matched[position] = max(matched[position], total_weight)
    query_bigrams: set[str] = set().union(*(_bigrams(sequence) for sequence in parsed.sequences))
    asked_variants = query_bigrams & set(VARIANT_PHRASES)
    floor = MIN_COVERAGE * total_weight
    bigram_gain = BIGRAM_BONUS * WEIGHT_NAME
    ranked: list[tuple[float, int, int, str]] = []
    for position, score in scores.items():
        weight = matched[position]
        if weight < floor:
            continue
        doc = docs[position]
        if filtered and not _allowed(doc, agency=agency, field=field, online=online, level=level, index=index):
            continue
        if query_bigrams:
            score += bigram_gain * len(query_bigrams & doc.name_bigrams)
        coverage = min(weight / total_weight, 1.0) if total_weight else 0.0
        score *= 0.25 + 0.75 * coverage * coverage
        score /= 1.0 + 0.04 * min(doc.name_length, NAME_LENGTH_CAP)
        if doc.variants and not doc.variants & asked_variants:
            score *= VARIANT_FACTOR
        ranked.append((-round(score, 2), -doc.hit.popularity, position, doc.hit.name))
    ranked.sort(key=lambda row: (row[0], row[1], row[3]))
    return [(-row[0], row[2]) for row in ranked]


def hits(index: SearchIndex, ranked: list[tuple[float, int]]) -> list[ProcedureHit]:
    """The hit objects of ranked positions (build them only for the page shown)."""
    return [_with(index.docs[position].hit, score=score) for score, position in ranked]


def search(index: SearchIndex, query: str = "", **filters: str | None) -> list[ProcedureHit]:
    """All matching procedures in force, best first."""
    return hits(index, rank(index, query, **filters))
