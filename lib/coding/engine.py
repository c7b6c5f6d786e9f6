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
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from lib.coding.codebook import FACETS, FIELDS, Codebook, Facet, facet_column
from lib.coding.matcher import Matcher, matcher_for
from lib.coding.patterns import fold
from lib.gcpause import gc_paused
from lib.model import Record

__all__ = ["Coding", "Evidence", "code_record", "code_records", "code_texts", "record_texts"]

_WORD = re.compile(r"\w+")
_CLAUSE_END = re.compile(r"[.;:!?,()\[\]]")


class Evidence(NamedTuple):
    """Why a code was given: the phrase as it stands in the record and where.

    ``start``/``end`` are character offsets into the field's text (for ``keywords``, into
    the keywords joined with ``"; "``), so ``text[start:end] == phrase``. (A named tuple
    rather than a dataclass: millions are made when a large import is coded.)
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
    """The codes of one record: per facet a tuple of codes (one for single-valued facets).

    ``values`` has every facet (``peer-role`` spelt with its hyphen; `get` also takes
    ``peer_role``). ``evidence`` lists, in text order, the matches behind the codes given.
    ``scores`` gives, for each facet with any match, every matched code's score (also for
    codes that did not reach their ``min_score``), so a reviewer can see how close a
    code came.
    """

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
    return _code(record.record_id, record_texts(record), _plan_for(codebook))


def code_records(records: Iterable[Record], codebook: Codebook) -> list[Coding]:
    """Code many records; the codebook's rules are compiled once, on first use.

    The cyclic garbage collector is paused meanwhile: coding makes millions of small
    objects and no cycles, and the collector's repeated passes over the growing heap cost
    a quarter of the time on 100,000 records (38.8 s CPU with it, 29.1 s without, measured
    on the same loaded machine; see BENCHMARKS.md).
    """
    plan = _plan_for(codebook)
    with gc_paused():
        return [_code(record.record_id, record_texts(record), plan) for record in records]


def code_texts(record_id: str, texts: dict[str, str], codebook: Codebook) -> Coding:
    """Code free texts given by field name (``title``, ``abstract``, ``keywords``)."""
    unknown = set(texts) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}; fields are {', '.join(FIELDS)}")
    return _code(record_id, texts, _plan_for(codebook))


# Builds an Evidence without the named tuple's Python-level __new__ (what ``_make`` does).
_new_evidence = tuple.__new__

# -- deciding ------------------------------------------------------------------------------

# A surviving match: (term index, field, start, end)
_Match = tuple[int, str, int, int]


class _FacetPlan:
    """A facet's decision data, precomputed so that coding a record does no look-ups twice."""

    __slots__ = (
        "combinations",
        "cue_search",
        "facet",
        "fallback",
        "min_score",
        "negation",
        "order",
        "outranks",
        "ranked",
    )

    def __init__(self, facet: Facet) -> None:
        self.facet = facet
        self.order = {c: i for i, c in enumerate(facet.codes)}
        self.min_score = {c: code.min_score for c, code in facet.codes.items()}
        self.outranks = {c: frozenset(code.outranks) for c, code in facet.codes.items()}
        self.ranked = any(code.outranks for code in facet.codes.values())
        self.fallback: tuple[str, ...] = (facet.fallback,) if facet.single else ()
        self.negation = facet.negation
        cues = sorted(facet.negation.cues, key=len, reverse=True) if facet.negation else []
        self.cue_search = re.compile("|".join(map(re.escape, cues)) or "(?!)").search
        self.combinations = [
            (combo.then, [(c, combo.min_scores.get(c, self.min_score[c])) for c in combo.codes])
            for combo in facet.combinations
        ]


class _Plan:
    """Per-codebook arrays indexed by term number (see `lib.coding.matcher.Term`)."""

    def __init__(self, codebook: Codebook, matcher: Matcher) -> None:
        self.matcher = matcher
        self.field_weights = dict(codebook.field_weights)
        terms = matcher.terms
        self.facet = [t.facet for t in terms]
        self.code = [t.code or "" for t in terms]
        self.exclude = [t.exclude for t in terms]
        self.weight = [t.rule.weight for t in terms]
        self.where = [t.rule.where for t in terms]
        self.negatable = [
            (not t.exclude)
            and codebook.facets[t.facet].negation is not None
            and codebook.facets[t.facet].codes[t.code or ""].negatable
            for t in terms
        ]
        self.facets = [_FacetPlan(f) for f in codebook.facets.values()]
        index = {f.facet.name: i for i, f in enumerate(self.facets)}
        self.facet_index = [index[t.facet] for t in terms]
        self.fallbacks = {f.facet.name: f.fallback for f in self.facets}


_PLANS: weakref.WeakKeyDictionary[Codebook, _Plan] = weakref.WeakKeyDictionary()


def _plan_for(codebook: Codebook) -> _Plan:
    plan = _PLANS.get(codebook)
    if plan is None:
        plan = _PLANS[codebook] = _Plan(codebook, matcher_for(codebook))
    return plan


def _code(record_id: str, texts: dict[str, str], plan: _Plan) -> Coding:
    weights = plan.field_weights
    t_index, t_code, t_exclude = plan.facet_index, plan.code, plan.exclude
    # The fields are scanned as one text, joined by a character no phrase can cross (NUL is
    # neither a word character nor white space), which halves the per-scan overhead.
    present = [(f, texts[f]) for f in FIELDS if texts.get(f) and weights.get(f, 0) > 0]
    if not present:
        return Coding(record_id, dict(plan.fallbacks), [], {})
    bounds = []
    offset = 0
    for field_name, text in present:
        bounds.append((field_name, offset, offset + len(text)))
        offset += len(text) + 1
    single = len(bounds) == 1
    field_name, first, stop = bounds[0]
    next_bound = 1
    by_facet: dict[int, list[_Match]] = {}
    excluded: dict[tuple[int, str, str], list[tuple[int, int]]] = {}
    for n, start, end in plan.matcher.scan("\x00".join(text for _, text in present)):
        if not single:
            while start > stop:  # hits come in text order: move on to the next field
                field_name, first, stop = bounds[next_bound]
                next_bound += 1
            if end > stop:
                continue  # only a reviewer's pattern could reach into the next field
            start -= first
            end -= first
        if t_exclude[n]:
            excluded.setdefault((t_index[n], field_name, t_code[n]), []).append((start, end))
        else:
            hits = by_facet.get(t_index[n])
            if hits is None:
                by_facet[t_index[n]] = [(n, field_name, start, end)]
            else:
                hits.append((n, field_name, start, end))
    values = dict(plan.fallbacks)
    evidence: list[Evidence] = []
    scores: dict[str, dict[str, float]] = {}
    where = plan.where
    for fi in sorted(by_facet):
        fp = plan.facets[fi]
        name = fp.facet.name
        hits = by_facet[fi]
        if excluded and any(key[0] == fi for key in excluded):
            hits = [h for h in hits if not _excluded(h, fi, t_code[h[0]], excluded)]
        if fp.negation is not None:
            hits = [h for h in hits if not _negated(h, fp, plan, texts)]
        codes, facet_scores, chosen = _decide(fp, hits, plan)
        values[name] = codes
        scores[name] = facet_scores
        for code, (n, field_name, start, end) in chosen:
            evidence.append(
                _new_evidence(
                    Evidence,
                    (name, code, texts[field_name][start:end], field_name, start, end, where[n]),
                )
            )
    return Coding(record_id, values, evidence, scores)


def _excluded(
    hit: _Match, facet: int, code: str, excluded: dict[tuple[int, str, str], list[tuple[int, int]]]
) -> bool:
    """True when an exclusion of the hit's code (or of its whole facet) overlaps it."""
    _, field_name, start, end = hit
    for key in ((facet, field_name, code), (facet, field_name, "")):
        for ex_start, ex_end in excluded.get(key, ()):
            if ex_start < end and start < ex_end:
                return True
    return False


def _negated(hit: _Match, fp: _FacetPlan, plan: _Plan, texts: dict[str, str]) -> bool:
    """True when a negation cue is among the few words before the hit, in its clause."""
    n, field_name, start, _ = hit
    negation = fp.negation
    if negation is None or not plan.negatable[n]:
        return False
    before = fold(texts[field_name][max(0, start - 120) : start])
    if fp.cue_search(before) is None:
        return False  # the usual case: no cue anywhere near (a plain substring search)
    clause_ends = list(_CLAUSE_END.finditer(before))
    if clause_ends:
        before = before[clause_ends[-1].end() :]
    words = _WORD.findall(before)[-negation.window :]
    return any(w in negation.cues for w in words)


def _decide(
    fp: _FacetPlan, hits: Sequence[_Match], plan: _Plan
) -> tuple[tuple[str, ...], dict[str, float], list[tuple[str, _Match]]]:
    """The facet's codes, every code's score, and the matches shown as evidence."""
    t_weight, t_code, weights = plan.weight, plan.code, plan.field_weights
    best: dict[int, float] = {}
    for n, field_name, _, _ in hits:
        w = t_weight[n] * weights[field_name]
        if w > best.get(n, 0.0):
            best[n] = w
    scores: dict[str, float] = {}
    for n, w in best.items():
        code = t_code[n]
        scores[code] = scores.get(code, 0.0) + w
    min_score = fp.min_score
    applying = [c for c, sc in scores.items() if sc >= min_score[c]]
    if not applying:
        return fp.fallback, scores, []
    remaining = set(applying)
    if fp.ranked:
        for c in applying:
            remaining -= fp.outranks[c]

    chosen: tuple[str, ...]
    sources: dict[str, str]  # code whose matches are shown -> the chosen code they explain
    if fp.facet.single:
        chosen = fp.fallback
        sources = {}
        for then, members in fp.combinations:
            if all(c in remaining and scores[c] >= need for c, need in members):
                chosen = (then,)
                sources = {c: then for c, _ in members} | {then: then}
                break
        else:
            if remaining:
                order = fp.order
                top = max(remaining, key=lambda c: (scores[c], -order[c]))
                chosen = (top,)
                sources = {top: top}
    else:
        chosen = tuple(sorted(remaining, key=fp.order.__getitem__))
        sources = {c: c for c in chosen}
    evidence = [(sources[t_code[h[0]]], h) for h in hits if t_code[h[0]] in sources]
    if len(evidence) > 1:
        # One entry per place: two phrases of a code matching the same words show once.
        # (Hits arrive in text order, fields in FIELDS order: no sorting needed.)
        evidence = list({(code, h[1], h[2], h[3]): (code, h) for code, h in evidence}.values())
    return chosen, scores, evidence
