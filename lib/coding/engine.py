"""Code records with a codebook: every code comes with the text that made it.

How a facet is decided (the same for every facet; the codebook supplies the words):

1. Every rule phrase and pattern is matched in the title, abstract and keywords.
2. A match is dropped when it overlaps an ``exclude`` phrase of its code (or of the
   facet), or when a negation cue ("not", "without", ...) stands among the few words
   before it in the same clause ("not randomised" is no evidence of a trial).
3. Each code scores the weight of every distinct phrase that still matches, times the
   weight of the field it is in (a phrase in the title can count more).
4. Codes scoring at least their ``min_score`` apply; a code that another applying code
   ``outranks`` is dropped ("a review of interview studies is a review").
5. Multi-valued facets keep every remaining code. Single-valued facets take the first
   ``combination`` whose codes all remain (interviews + questionnaire = mixed methods),
   else the highest score (ties go to the code listed first), else the ``fallback``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lib.coding.codebook import FACETS, FIELDS, Codebook, Facet, facet_column
from lib.coding.matcher import Matcher, Term, matcher_for
from lib.coding.patterns import fold
from lib.model import Record

__all__ = ["Coding", "Evidence", "code_record", "code_records", "code_texts", "record_texts"]

_WORD = re.compile(r"\w+")
_CLAUSE_END = re.compile(r"[.;:!?,()\[\]]")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a code was given: the phrase as it stands in the record and where.

    ``start``/``end`` are character offsets into the field's text (for ``keywords``, into
    the keywords joined with ``"; "``), so ``text[start:end] == phrase``.
    """

    facet: str
    code: str
    phrase: str
    field: str
    start: int
    end: int
    rule: str = ""  # e.g. "facet 'method', code 'qualitative', rule 2"

    def describe(self) -> str:
        """``abstract: 'semi-structured interviews'`` - the form used in CSV evidence cells."""
        return f"{self.field}: '{self.phrase}'"


@dataclass(slots=True)
class Coding:
    """The codes of one record: per facet a tuple of codes (one for single-valued facets)."""

    record_id: str
    values: dict[str, tuple[str, ...]]
    evidence: list[Evidence] = field(default_factory=list)
    scores: dict[str, dict[str, float]] = field(default_factory=dict)

    def get(self, facet: str) -> tuple[str, ...]:
        return self.values[facet.replace("_", "-")]

    def one(self, facet: str) -> str:
        """The code of a single-valued facet."""
        return self.get(facet)[0]

    def evidence_for(self, facet: str, code: str | None = None) -> list[Evidence]:
        facet = facet.replace("_", "-")
        return [e for e in self.evidence if e.facet == facet and (code is None or e.code == code)]

    @property
    def method(self) -> str:
        return self.one("method")

    @property
    def direction(self) -> str:
        return self.one("direction")

    @property
    def population(self) -> tuple[str, ...]:
        return self.get("population")

    @property
    def perspective(self) -> tuple[str, ...]:
        return self.get("perspective")

    @property
    def themes(self) -> tuple[str, ...]:
        return self.get("themes")

    @property
    def setting(self) -> tuple[str, ...]:
        return self.get("setting")

    @property
    def country(self) -> tuple[str, ...]:
        return self.get("country")

    @property
    def peer_role(self) -> tuple[str, ...]:
        return self.get("peer-role")

    def to_row(self) -> dict[str, str]:
        """One CSV row: codes ``; ``-joined, then one evidence column per facet."""
        row = {"record_id": self.record_id}
        for facet in FACETS:
            row[facet_column(facet)] = "; ".join(self.values.get(facet, ()))
        for facet in FACETS:
            row[f"{facet_column(facet)}_evidence"] = self.evidence_text(facet)
        return row

    def evidence_text(self, facet: str) -> str:
        """The facet's evidence as one cell: ``abstract: 'x'; title: 'y'`` (per code if many)."""
        items = self.evidence_for(facet)
        codes = self.get(facet)
        if len(codes) <= 1 and facet.replace("_", "-") in ("method", "direction"):
            return "; ".join(_unique(e.describe() for e in items))
        parts = []
        for code in codes:
            said = _unique(e.describe() for e in items if e.code == code)
            if said:
                parts.append(f"{code} [{'; '.join(said)}]")
        return "; ".join(parts)


CSV_COLUMNS: tuple[str, ...] = (
    "record_id",
    *(facet_column(f) for f in FACETS),
    *(f"{facet_column(f)}_evidence" for f in FACETS),
)
__all__ += ["CSV_COLUMNS"]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def record_texts(record: Record) -> dict[str, str]:
    """The searched text of each field (keywords joined with ``"; "``)."""
    return {
        "title": record.title or "",
        "abstract": record.abstract or "",
        "keywords": "; ".join(k for k in record.keywords if k),
    }


def code_record(record: Record, codebook: Codebook) -> Coding:
    """Code one record (title, abstract, keywords) with `codebook`."""
    return code_texts(record.record_id, record_texts(record), codebook)


def code_records(records: Iterable[Record], codebook: Codebook) -> list[Coding]:
    """Code many records; the codebook's rules are compiled once, on first use."""
    matcher = matcher_for(codebook)
    return [_code(record.record_id, record_texts(record), codebook, matcher) for record in records]


def code_texts(record_id: str, texts: dict[str, str], codebook: Codebook) -> Coding:
    """Code free texts given by field name (``title``, ``abstract``, ``keywords``)."""
    unknown = set(texts) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}; fields are {', '.join(FIELDS)}")
    return _code(record_id, texts, codebook, matcher_for(codebook))


# -- deciding ------------------------------------------------------------------------------

# A surviving match: (term index, field, start, end)
_Match = tuple[int, str, int, int]


def _code(record_id: str, texts: dict[str, str], codebook: Codebook, matcher: Matcher) -> Coding:
    terms = matcher.terms
    weights = codebook.field_weights
    by_facet: dict[str, list[_Match]] = {}
    excluded: dict[tuple[str, str, str | None], list[tuple[int, int]]] = {}
    for field_name in FIELDS:
        text = texts.get(field_name, "")
        if not text or weights.get(field_name, 0) <= 0:
            continue
        for n, start, end in matcher.scan(text):
            term = terms[n]
            if term.exclude:
                excluded.setdefault((term.facet, field_name, term.code), []).append((start, end))
            else:
                by_facet.setdefault(term.facet, []).append((n, field_name, start, end))
    folded: dict[str, str] = {}
    values: dict[str, tuple[str, ...]] = {}
    evidence: list[Evidence] = []
    scores: dict[str, dict[str, float]] = {}
    for facet in codebook.facets.values():
        kept = [
            hit
            for hit in by_facet.get(facet.name, ())
            if not _cancelled(hit, terms[hit[0]], facet, excluded, texts, folded)
        ]
        codes, facet_scores, chosen_hits = _decide(facet, kept, terms, weights)
        values[facet.name] = codes
        scores[facet.name] = facet_scores
        for code, (n, field_name, start, end) in chosen_hits:
            evidence.append(
                Evidence(
                    facet=facet.name,
                    code=code,
                    phrase=texts[field_name][start:end],
                    field=field_name,
                    start=start,
                    end=end,
                    rule=terms[n].rule.where,
                )
            )
    return Coding(record_id=record_id, values=values, evidence=evidence, scores=scores)


def _cancelled(
    hit: _Match,
    term: Term,
    facet: Facet,
    excluded: dict[tuple[str, str, str | None], list[tuple[int, int]]],
    texts: dict[str, str],
    folded: dict[str, str],
) -> bool:
    _, field_name, start, end = hit
    for key in ((facet.name, field_name, term.code), (facet.name, field_name, None)):
        for ex_start, ex_end in excluded.get(key, ()):
            if ex_start < end and start < ex_end:
                return True
    negation = facet.negation
    if negation is None or not facet.codes[term.code or ""].negatable:
        return False
    text = folded.get(field_name)
    if text is None:
        text = folded[field_name] = fold(texts[field_name])
    before = text[max(0, start - 120) : start]
    clause_ends = list(_CLAUSE_END.finditer(before))
    if clause_ends:
        before = before[clause_ends[-1].end() :]
    words = _WORD.findall(before)[-negation.window :]
    return any(w in negation.cues for w in words)


def _decide(
    facet: Facet, hits: Sequence[_Match], terms: list[Term], weights: dict[str, float]
) -> tuple[tuple[str, ...], dict[str, float], list[tuple[str, _Match]]]:
    """The facet's codes, every code's score, and the matches shown as evidence."""
    best_weight: dict[int, float] = {}
    for n, field_name, _, _ in hits:
        w = terms[n].rule.weight * weights.get(field_name, 1.0)
        if w > best_weight.get(n, 0.0):
            best_weight[n] = w
    scores: dict[str, float] = {}
    for n, w in best_weight.items():
        code = terms[n].code or ""
        scores[code] = scores.get(code, 0.0) + w
    codes = facet.codes
    applying = {c for c, s in scores.items() if s >= codes[c].min_score}
    outranked = {o for c in applying for o in codes[c].outranks}
    remaining = applying - outranked

    chosen: list[str]
    shown: dict[str, tuple[str, ...]]  # chosen code -> the codes whose matches explain it
    if facet.single:
        chosen, shown = [facet.fallback], {facet.fallback: (facet.fallback,)}
        for combo in facet.combinations:
            if all(
                c in remaining and scores[c] >= combo.min_scores.get(c, codes[c].min_score)
                for c in combo.codes
            ):
                chosen, shown = [combo.then], {combo.then: (*combo.codes, combo.then)}
                break
        else:
            if remaining:
                order = {c: i for i, c in enumerate(codes)}
                top = max(remaining, key=lambda c: (scores[c], -order[c]))
                chosen, shown = [top], {top: (top,)}
    else:
        chosen = [c for c in codes if c in remaining]
        shown = {c: (c,) for c in chosen}

    evidence: list[tuple[str, _Match]] = []
    for code in chosen:
        sources = set(shown[code])
        evidence += [(code, hit) for hit in hits if terms[hit[0]].code in sources]
    evidence.sort(key=lambda item: (FIELDS.index(item[1][1]), item[1][2]))
    rounded = {c: round(s, 3) for c, s in scores.items()}
    return tuple(chosen), rounded, evidence
