"""Code records with a codebook: every code comes with the text that made it.

How a facet is decided (the same for every facet; the codebook supplies the words):

1. The abstract is split into sentences, each given a role (background, aim, method,
   results, conclusion; `lib.coding.sections`); the title and keywords are their own.
2. Every rule phrase and pattern is matched in the title, abstract and keywords (phrases
   also in their inflections), in one pass with the sentence cues.
3. A match counts as much as its rule's ``weight`` times the weight of its field times
   the weight its facet ``reads`` in that sentence's role: the method is read in the title,
   aims and method sentences, the direction in results and conclusions. A facet with
   ``own_claims`` also ignores sentences reporting others' claims or future work, and the
   part of a sentence after a rebuttal ("contrary to the view that ...") or after advice
   ("services should address the barriers").
4. A match is dropped when it overlaps an ``exclude`` phrase of its code (or of the
   facet), or when a negation cue stands among the few words before it, or (with
   ``negation: after``) after it, in the same clause ("not randomised", "randomisation
   was not possible"); a code with ``negated_as`` gives the negated match to that code
   instead ("did not improve" is evidence of no effect).
5. Each code scores every distinct matched wording once, at its best weight.
6. Codes scoring at least their ``min_score`` apply; a code that another applying code
   ``outranks`` is dropped ("a review of interview studies is a review").
7. Multi-valued facets keep every remaining code. Single-valued facets take the first
   ``combination`` whose codes all remain (interviews + questionnaire = mixed methods),
   else the highest score (a tie goes to the strongest single cue, then to the code listed
   first), else the ``fallback``:
   when no evidence reaches the bar, the code is unclear, never a guess.
8. Each facet's decision carries a confidence (`Coding.confidence`): the margin of the
   chosen code over the next best, measured against the chosen code's bar.
"""

from __future__ import annotations

import math
import re
import weakref
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

from lib.coding.codebook import FACETS, FIELDS, Codebook, Facet, facet_column
from lib.coding.matcher import SENTENCE_CUES, Matcher, matcher_for
from lib.coding.patterns import fold
from lib.coding.sections import ROLE_CUES, ROLES, assign_roles, split_sentences
from lib.gcpause import gc_paused
from lib.model import Record

__all__ = [
    "Coding",
    "Evidence",
    "code_record",
    "code_records",
    "code_texts",
    "record_texts",
    "sentence_roles",
]

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
    # The sentence holding the phrase (offsets into the same field; the whole field for
    # the title and keywords; -1 when unknown, as in codes stored before sentences were
    # kept), and that sentence's role (`lib.coding.sections.ROLES`).
    sentence_start: int = -1
    sentence_end: int = -1
    role: str = ""

    def sentence(self, text: str) -> str:
        """The sentence of the field's `text` that holds the phrase ("" if unknown)."""
        if 0 <= self.sentence_start <= self.start and self.end <= self.sentence_end <= len(text):
            return text[self.sentence_start : self.sentence_end]
        return ""

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
    # Per facet, how sure the coder is of its codes, 0 to 1 (0.5: a coin): for a single-valued
    # facet the margin of the chosen code over the next best, against the chosen code's
    # bar; "unclear" is at most 0.5 (lower when a code came close); for a multi-valued
    # facet, the least sure of its codes given and of the codes that came close.
    confidence: dict[str, float] = field(default_factory=dict)

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
        values = self.values
        for facet, column in _COLUMNS:
            row[column] = "; ".join(values.get(facet, ()))
        by_facet: dict[str, list[Evidence]] = {}  # one pass over the evidence, not one a facet
        for e in self.evidence:
            items = by_facet.get(e.facet)
            if items is None:
                by_facet[e.facet] = [e]
            else:
                items.append(e)
        for facet, column in _COLUMNS:
            items = by_facet.get(facet)
            row[f"{column}_evidence"] = _evidence_cell(facet, items, values[facet]) if items else ""
        return row

    def evidence_text(self, facet: str) -> str:
        """The facet's evidence as one cell: ``abstract: 'x'; title: 'y'`` (per code if many)."""
        return _evidence_cell(facet.replace("_", "-"), self.evidence_for(facet), self.get(facet))


_COLUMNS = tuple((f, facet_column(f)) for f in FACETS)


def _evidence_cell(facet: str, items: list[Evidence], codes: tuple[str, ...]) -> str:
    if len(codes) <= 1 and facet in ("method", "direction"):
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

# A match that counts: (term index, field, start, end, code, weight, sentence index (-1: a
# whole field), the sentence's role, the matched words in lower case)
_Match = tuple[int, str, int, int, str, float, int, str, str]
# Words right after a negation cue that make it no negation ("not only", "no doubt").
_NOT_NEGATING = frozenset(("only", "just", "least", "surprisingly", "doubt", "longer"))
# Words that end the clause a negation placed after a phrase can reach.
_CLAUSE_WORDS = re.compile(r"\b(?:but|although|though|whereas|while|however|yet|and)\b")


class _FacetPlan:
    """A facet's decision data, precomputed so that coding a record does no look-ups twice."""

    __slots__ = (
        "code_reads",
        "combinations",
        "facet",
        "fallback",
        "min_score",
        "negated_as",
        "negation",
        "order",
        "outranks",
        "own_claims",
        "plain",
        "ranked",
        "reads",
    )

    def __init__(self, facet: Facet) -> None:
        self.facet = facet
        self.order = {c: i for i, c in enumerate(facet.codes)}
        self.min_score = {c: code.min_score for c, code in facet.codes.items()}
        self.outranks = {c: frozenset(code.outranks) for c, code in facet.codes.items()}
        self.ranked = any(code.outranks for code in facet.codes.values())
        self.fallback: tuple[str, ...] = (facet.fallback,) if facet.single else ()
        self.negation = facet.negation
        self.negated_as = {c: code.negated_as for c, code in facet.codes.items()}

        self.combinations = [
            (
                combo.then,
                [(c, combo.min_scores.get(c, self.min_score[c])) for c in combo.codes],
                combo.balance,
            )
            for combo in facet.combinations
        ]
        # role -> weight of a match there (every role 1 when the codebook says nothing)
        self.reads = {r: facet.reads.get(r, 0.0) if facet.reads else 1.0 for r in ROLES}
        if "unknown" not in facet.reads:  # a sentence of no known role is read in full
            self.reads["unknown"] = max(self.reads.values())
        # codes that read other roles than their facet ("commentary": not the results)
        self.code_reads = {
            c: {r: code.reads.get(r, 0.0) for r in ROLES}
            | {"unknown": code.reads.get("unknown", 1.0)}
            for c, code in facet.codes.items()
            if code.reads
        }
        self.own_claims = facet.own_claims
        self.plain = not (facet.reads or facet.own_claims or facet.negation or self.code_reads)


class _Plan:
    """Per-codebook arrays indexed by term number (see `lib.coding.matcher.Term`)."""

    def __init__(self, codebook: Codebook, matcher: Matcher) -> None:
        self.matcher = matcher
        self.field_weights = dict(codebook.field_weights)
        terms = matcher.terms
        self.facets = [_FacetPlan(f) for f in codebook.facets.values()]
        index = {f.facet.name: i for i, f in enumerate(self.facets)}
        self.facet_index = [index.get(t.facet, -1) for t in terms]  # -1: a sentence cue
        self.code = [t.code or "" for t in terms]
        self.exclude = [t.exclude for t in terms]
        self.weight = [t.rule.weight for t in terms]
        self.where = [t.rule.where for t in terms]
        self.negatable = [
            t.facet != SENTENCE_CUES
            and (not t.exclude)
            and codebook.facets[t.facet].negation is not None
            and codebook.facets[t.facet].codes[t.code or ""].negatable
            for t in terms
        ]
        self.fallbacks = {f.facet.name: f.fallback for f in self.facets}
        # the matcher's negation-word cues ("not:method") -> the facet they belong to
        self.negation_codes = {f"not:{f.facet.name}": i for i, f in enumerate(self.facets)}
        self.uses_roles = any(f.facet.reads or f.own_claims for f in self.facets)
        self.no_evidence = {f.facet.name: 0.5 if f.facet.single else 0.75 for f in self.facets}


_PLANS: weakref.WeakKeyDictionary[Codebook, _Plan] = weakref.WeakKeyDictionary()


def _plan_for(codebook: Codebook) -> _Plan:
    plan = _PLANS.get(codebook)
    if plan is None:
        plan = _PLANS[codebook] = _Plan(codebook, matcher_for(codebook))
    return plan


class _Sentences:
    """The abstract's sentences: bounds, roles and claim flags."""

    __slots__ = ("abstract", "flags", "roles", "starts")

    def __init__(self, abstract: str) -> None:
        self.abstract = split_sentences(abstract) if abstract else []
        self.starts = [s.start for s in self.abstract]
        self.roles: list[str] = []
        self.flags: list[dict[str, int]] = [{} for _ in self.abstract]

    def assign(self, cue_hits: list[tuple[str, int, float, int]]) -> None:
        """Give every sentence its role from its heading or its cues; note claim flags."""
        if not self.abstract:
            return
        weights: list[dict[str, float]] = [{} for _ in self.abstract]
        flags = self.flags
        strongest: dict[tuple[str, int], float] = {}  # overlapping cues: "report (that)"
        for cue, start, weight, k in cue_hits:
            if cue in ROLE_CUES:
                before = strongest.get((cue, start), 0.0)
                if weight > before:
                    weights[k][cue] = weights[k].get(cue, 0.0) + weight - before
                    strongest[(cue, start)] = weight
            else:
                flags[k].setdefault(cue, start)
                if cue == "others":  # others' findings are the background
                    weights[k]["background"] = weights[k].get("background", 0.0) + 2.0
        self.roles = assign_roles(self.abstract, weights)

    def role(self, field_name: str, k: int) -> str:
        if k >= 0:
            return self.roles[k]
        return field_name if field_name != "abstract" else "unknown"

    def bounds(self, field_name: str, k: int, texts: dict[str, str]) -> tuple[int, int]:
        if k < 0:
            return 0, len(texts[field_name])
        sentence = self.abstract[k]
        return sentence.start, sentence.end


def _code(record_id: str, texts: dict[str, str], plan: _Plan) -> Coding:
    weights = plan.field_weights
    t_index, t_code, t_exclude, t_weight = plan.facet_index, plan.code, plan.exclude, plan.weight
    # The fields are scanned as one text, joined by a character no phrase can cross (NUL is
    # neither a word character nor white space), which halves the per-scan overhead.
    present = [(f, texts[f]) for f in FIELDS if texts.get(f) and weights.get(f, 0) > 0]
    if not present:
        return Coding(record_id, dict(plan.fallbacks), [], {}, _no_evidence(plan))
    sentences = _Sentences(texts.get("abstract") or "" if weights.get("abstract", 0) > 0 else "")
    starts = sentences.starts
    last = len(starts) - 1
    bounds = []
    offset = 0
    for field_name, text in present:
        bounds.append((field_name, offset, offset + len(text)))
        offset += len(text) + 1
    single = len(bounds) == 1
    field_name, first, stop = bounds[0]
    next_bound = 1
    by_facet: dict[int, list[tuple[int, str, int, int, int]]] = {}
    excluded: dict[tuple[int, str, str], list[tuple[int, int]]] = {}
    cue_hits: list[tuple[str, int, float, int]] = []
    k = -1  # the sentence of the abstract a hit is in (hits come in text order)
    neg_codes = plan.negation_codes
    neg_places: dict[tuple[int, str], list[int]] = {}  # (facet, field) -> negation words
    for n, start, end in plan.matcher.scan("\x00".join(text for _, text in present)):
        if not single:
            while start > stop:  # hits come in text order: move on to the next field
                field_name, first, stop = bounds[next_bound]
                next_bound += 1
            if end > stop:
                continue  # only a reviewer's pattern could reach into the next field
            start -= first
            end -= first
        if field_name == "abstract":
            if k < 0:
                k = 0
            while k < last and starts[k + 1] <= start:
                k += 1
            at = k
        else:
            at = -1
        fi = t_index[n]
        if fi < 0:
            negates = neg_codes.get(t_code[n])
            if negates is not None:
                neg_places.setdefault((negates, field_name), []).append(start)
            elif at >= 0:
                cue_hits.append((t_code[n], start, t_weight[n], at))
        elif t_exclude[n]:
            excluded.setdefault((fi, field_name, t_code[n]), []).append((start, end))
        else:
            hits = by_facet.get(fi)
            if hits is None:
                by_facet[fi] = [(n, field_name, start, end, at)]
            else:
                hits.append((n, field_name, start, end, at))
    sentences.assign(cue_hits)
    values = dict(plan.fallbacks)
    evidence: list[Evidence] = []
    scores: dict[str, dict[str, float]] = {}
    confidence = _no_evidence(plan)
    where = plan.where
    for fi in sorted(by_facet):
        fp = plan.facets[fi]
        name = fp.facet.name
        counted = _counted(by_facet[fi], fi, fp, plan, texts, sentences, excluded, neg_places)
        codes, facet_scores, chosen, sure = _decide(fp, counted)
        values[name] = codes
        scores[name] = facet_scores
        confidence[name] = sure
        for code, (n, field_name, start, end, _, _, at, role, _) in chosen:
            s_start, s_end = sentences.bounds(field_name, at, texts)
            evidence.append(
                _new_evidence(
                    Evidence,
                    (
                        name,
                        code,
                        texts[field_name][start:end],
                        field_name,
                        start,
                        end,
                        where[n],
                        s_start,
                        s_end,
                        role,
                    ),
                )
            )
    return Coding(record_id, values, evidence, scores, confidence)


def sentence_roles(abstract: str, codebook: Codebook) -> list[tuple[int, int, str]]:
    """(start, end, role) of every sentence of an abstract, as the coder reads it."""
    plan = _plan_for(codebook)
    sentences = _Sentences(abstract)
    starts, k, cues = sentences.starts, 0, []
    for n, start, _ in plan.matcher.scan(abstract):
        while k < len(starts) - 1 and starts[k + 1] <= start:
            k += 1
        if plan.facet_index[n] < 0:
            cues.append((plan.code[n], start, plan.weight[n], k))
    sentences.assign(cues)
    return [(s.start, s.end, r) for s, r in zip(sentences.abstract, sentences.roles, strict=True)]


def _no_evidence(plan: _Plan) -> dict[str, float]:
    """Confidence when a facet has no evidence at all: a multi-valued facet with no code
    is more likely right than not (0.75); an unclear single facet is 0.5."""
    return dict(plan.no_evidence)


def _counted(
    hits: list[tuple[int, str, int, int, int]],
    fi: int,
    fp: _FacetPlan,
    plan: _Plan,
    texts: dict[str, str],
    sentences: _Sentences,
    excluded: dict[tuple[int, str, str], list[tuple[int, int]]],
    neg_places: dict[tuple[int, str], list[int]],
) -> list[_Match]:
    """The hits that count, each with the code it counts for and its weight."""
    t_code, t_weight, negatable = plan.code, plan.weight, plan.negatable
    field_weights = plan.field_weights
    roles = sentences.roles
    if fp.plain and not (excluded and any(key[0] == fi for key in excluded)):
        # the common case (themes, setting...): every role alike, no negation, no exclusion
        return [
            (
                n,
                f,
                start,
                end,
                t_code[n],
                t_weight[n] * field_weights[f],
                k,
                roles[k] if k >= 0 else (f if f != "abstract" else "unknown"),
                texts[f][start:end].lower(),
            )
            for n, f, start, end, k in hits
        ]
    reads, code_reads = fp.reads, fp.code_reads
    own = fp.own_claims
    roles, flags = sentences.roles, sentences.flags
    out: list[_Match] = []
    for n, field_name, start, end, k in hits:
        code = t_code[n]
        role = roles[k] if k >= 0 else (field_name if field_name != "abstract" else "unknown")
        own_reads = code_reads.get(code)
        weight = t_weight[n] * field_weights[field_name] * (own_reads or reads)[role]
        if weight <= 0:
            continue
        if own and k >= 0:
            flagged = flags[k]
            if flagged and (
                "others" in flagged
                or "future" in flagged
                or flagged.get("rebut", end) < start
                or flagged.get("advice", end) < start
                or _conceded(texts[field_name], flagged.get("concede", end), start)
            ):
                continue
        if excluded and _excluded(field_name, start, end, fi, code, excluded):
            continue
        if negatable[n]:
            places = neg_places.get((fi, field_name))  # found by the matcher's one pass
            if places and _negated(texts[field_name], start, end, fp, places):
                code = fp.negated_as[code]
                if not code:
                    continue
        wording = texts[field_name][start:end].lower()
        out.append((n, field_name, start, end, code, weight, k, role, wording))
    return out


def _conceded(text: str, cue: int, start: int) -> bool:
    """True when the hit at `start` is in the clause a concession opens ("although ...,")."""
    return cue < start and _CLAUSE_END.search(text, cue, start) is None


def _excluded(
    field_name: str,
    start: int,
    end: int,
    facet: int,
    code: str,
    excluded: dict[tuple[int, str, str], list[tuple[int, int]]],
) -> bool:
    """True when an exclusion of the hit's code (or of its whole facet) overlaps it."""
    for key in ((facet, field_name, code), (facet, field_name, "")):
        for ex_start, ex_end in excluded.get(key, ()):
            if ex_start < end and start < ex_end:
                return True
    return False


def _negated(text: str, start: int, end: int, fp: _FacetPlan, places: list[int]) -> bool:
    """True when a negation cue stands among the few words before the hit, or (if the
    facet says so) after it, in its clause ("not randomised", "was not randomised",
    "randomisation was not possible"), except "not only" and the like. `places` are the
    offsets of the facet's cue words in `text`."""
    negation = fp.negation
    if negation is None:
        return False
    i = bisect_left(places, start - 120)
    near_before = i < len(places) and places[i] < start
    j = bisect_left(places, end)
    near_after = j < len(places) and places[j] < end + 80
    if not (near_before or near_after):
        return False
    before = fold(text[max(0, start - 120) : start])
    if near_before:
        clause_ends = list(_CLAUSE_END.finditer(before))
        if clause_ends:
            before = before[clause_ends[-1].end() :]
        words = _WORD.findall(before)[-negation.window :]
        words.append(next(iter(_WORD.findall(fold(text[start:end]))), ""))
        for word, nxt in pairwise(words):
            if word in negation.cues and nxt not in _NOT_NEGATING:
                return True
    if negation.after and near_after:
        after = fold(text[end : end + 80])
        cut = _CLAUSE_END.search(after)
        if cut:
            after = after[: cut.start()]
        cut = _CLAUSE_WORDS.search(after)
        if cut:
            after = after[: cut.start()]
        words = [*_WORD.findall(after)[: negation.after + 1], ""]
        for word, nxt in pairwise(words[: negation.after + 1]):
            if word in negation.cues and nxt not in _NOT_NEGATING:
                return True
    return False


def _sure(margin: float, bar: float) -> float:
    """0.5 at no margin, towards 1 as the margin grows against the code's bar."""
    return 0.5 + 0.5 * (1.0 - math.exp(-max(margin, 0.0) / max(bar, 1e-9)))


def _decide(
    fp: _FacetPlan, hits: Sequence[_Match]
) -> tuple[tuple[str, ...], dict[str, float], list[tuple[str, _Match]], float]:
    """The facet's codes, every code's score, the matches shown as evidence, and the
    confidence of the decision (see `Coding.confidence`)."""
    # A code scores each distinct matched wording once, at its best weight: a phrase found
    # three times counts once, and so do two phrases (say "barrier" and "barriers", the
    # same forms) matching the same words.
    best: dict[tuple[str, str], float] = {}
    for hit in hits:
        key = (hit[4], hit[8])
        if hit[5] > best.get(key, 0.0):
            best[key] = hit[5]
    scores: dict[str, float] = {}
    for (code, _), w in best.items():
        scores[code] = scores.get(code, 0.0) + w
    min_score = fp.min_score
    applying = [c for c, sc in scores.items() if sc >= min_score[c]]
    if not applying:
        near = max((sc / min_score[c] for c, sc in scores.items()), default=0.0)
        return fp.fallback, scores, [], (0.5 * (1.0 - near) if fp.facet.single else 1 - 0.5 * near)
    remaining = set(applying)
    if fp.ranked:
        for c in applying:
            remaining -= fp.outranks[c]

    chosen: tuple[str, ...]
    sources: dict[str, str]  # code whose matches are shown -> the chosen code they explain
    if fp.facet.single:
        chosen = fp.fallback
        sources = {}
        sure = 0.5
        for then, members, balance in fp.combinations:
            if all(c in remaining and scores[c] >= need for c, need in members) and (
                min(scores[c] for c, _ in members) >= balance * max(scores[c] for c, _ in members)
            ):
                chosen = (then,)
                sources = {c: then for c, _ in members} | {then: then}
                others = [sc for c, sc in scores.items() if c not in sources]
                sure = min(_sure(scores[c] - max(others, default=0.0), need) for c, need in members)
                break
        else:
            if remaining:
                # A tie goes to the code with the strongest single cue, then the one
                # listed first.
                order = fp.order
                strongest: dict[str, float] = {}
                for (code, _), w in best.items():
                    strongest[code] = max(strongest.get(code, 0.0), w)
                top = max(remaining, key=lambda c: (scores[c], strongest[c], -order[c]))
                chosen = (top,)
                sources = {top: top}
                runner_up = max((sc for c, sc in scores.items() if c != top), default=0.0)
                sure = _sure(scores[top] - runner_up, min_score[top])
    else:
        chosen = tuple(sorted(remaining, key=fp.order.__getitem__))
        sources = {c: c for c in chosen}
        sure = 1.0
        for c, sc in scores.items():
            if c in sources:
                sure = min(sure, _sure(sc - min_score[c], min_score[c]))
            elif c not in applying:  # a near miss
                sure = min(sure, 1.0 - 0.5 * sc / min_score[c])
    # One entry per place: two phrases of a code matching the same words show once.
    shown = {(sources[h[4]], h[1], h[2], h[3]): (sources[h[4]], h) for h in hits if h[4] in sources}
    return chosen, scores, list(shown.values()), round(sure, 3)
