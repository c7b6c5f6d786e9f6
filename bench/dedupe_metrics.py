"""Pairwise quality of a grouping against a labelled truth (README of the shared sets).

Precision, recall and F1 over the record pairs implied by the groups, and the count of
false-merge pairs (put together, truly different), counted from the contingency table so
that a set of a million records costs no more than one pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True)
class Quality:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def false_merges(self) -> int:
        return self.predicted_pairs - self.correct_pairs

    @property
    def missed(self) -> int:
        return self.true_pairs - self.correct_pairs

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def pairwise_quality(
    predicted: Mapping[str, str],
    truth: Mapping[str, str],
    *,
    scope: Mapping[str, str] | None = None,
) -> Quality:
    """Quality of ``predicted`` (record → group) against ``truth`` (record → group).

    With ``scope`` (record → case), only pairs inside one case count: the pair-case set
    is 25 independent pairs, some of whose records are copies of records in other cases.
    """

    def key(rid: str, group: str) -> tuple[str, str]:
        return (scope[rid] if scope else "", group)

    true = Counter(key(r, g) for r, g in truth.items())
    pred = Counter(key(r, predicted[r]) for r in truth)
    both = Counter((key(r, predicted[r]), truth[r]) for r in truth)
    return Quality(
        true_pairs=sum(_pairs(n) for n in true.values()),
        predicted_pairs=sum(_pairs(n) for n in pred.values()),
        correct_pairs=sum(_pairs(n) for n in both.values()),
    )
