"""How well automatic codes agree with a careful reviewer's, facet by facet.

Accuracy for single-valued facets (method, direction), micro-F1 over (study, code) pairs
for multi-valued ones, and the confusion of single-valued facets. Used by the agreement
benchmark on hand-coded real abstracts (``bench/coding_agreement.py``), by its regression
test, and meant for the app's "how often did the automatic codes agree with your checks".

A hand-coded set is a folder with ``records.csv`` (``record_id``, ``title``, ``abstract``)
and ``codes.csv`` (``record_id`` and one column per facet, codes joined with "; "), as in
``../shared/benchmarks/coding/``.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lib.coding.codebook import FACETS, Codebook, facet_column
from lib.coding.engine import Coding, code_records
from lib.model import Record

__all__ = [
    "FacetAgreement",
    "HandCoded",
    "agreement",
    "half_of",
    "read_hand_coded",
]


@dataclass(frozen=True, slots=True)
class HandCoded:
    """A record and a reviewer's codes for it (facet -> codes)."""

    record: Record
    codes: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class FacetAgreement:
    """Agreement on one facet: ``score`` is accuracy (single) or micro-F1 (multi)."""

    facet: str
    measure: str  # "accuracy" or "micro-F1"
    score: float
    n: int
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (hand, auto) -> n


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(";") if part.strip())


def read_hand_coded(folder: Path) -> list[HandCoded]:
    """The records of a hand-coded set with their codes (title and abstract only).

    Raises `FileNotFoundError` naming the missing file, `ValueError` naming a record
    whose codes are missing.
    """
    records_csv, codes_csv = folder / "records.csv", folder / "codes.csv"
    for path in (records_csv, codes_csv):
        if not path.exists():
            raise FileNotFoundError(f"{path}: not found")
    with codes_csv.open(encoding="utf-8", newline="") as fh:
        codes = {row["record_id"]: row for row in csv.DictReader(fh)}
    out = []
    with records_csv.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            rid = row["record_id"]
            if rid not in codes:
                raise ValueError(f"{records_csv}: line {line}: record {rid} has no codes")
            record = Record(record_id=rid, title=row["title"], abstract=row["abstract"])
            hand = {f: _split(codes[rid].get(facet_column(f), "")) for f in FACETS}
            out.append(HandCoded(record, hand))
    return out


def half_of(record_id: str, seed: str = "issue-13") -> str:
    """ "tune" or "held-out": a fixed split of records by id (a seeded hash, so the same
    record always falls in the same half, whatever else the set holds)."""
    digest = hashlib.sha256(f"{seed}:{record_id}".encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "held-out"


def agreement(
    items: Sequence[HandCoded], codebook: Codebook, codings: Iterable[Coding] | None = None
) -> dict[str, FacetAgreement]:
    """Per facet, how the automatic codes of `items` agree with the hand codes."""
    coded = (
        list(codings) if codings is not None else code_records([i.record for i in items], codebook)
    )
    by_id: Mapping[str, Coding] = {c.record_id: c for c in coded}
    out: dict[str, FacetAgreement] = {}
    for facet in FACETS:
        pairs = [(set(i.codes[facet]), set(by_id[i.record.record_id].get(facet))) for i in items]
        if codebook.facet(facet).single:
            fallback = codebook.facet(facet).fallback
            confusion: Counter[tuple[str, str]] = Counter()
            right = 0
            for hand, auto in pairs:
                h = next(iter(hand), fallback)
                a = next(iter(auto), fallback)
                confusion[(h, a)] += 1
                right += h == a
            score = right / len(pairs) if pairs else 0.0
            out[facet] = FacetAgreement(facet, "accuracy", score, len(pairs), confusion)
        else:
            tp = sum(len(h & a) for h, a in pairs)
            fp = sum(len(a - h) for h, a in pairs)
            fn = sum(len(h - a) for h, a in pairs)
            score = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
            out[facet] = FacetAgreement(facet, "micro-F1", score, len(pairs))
    return out
