"""Pairwise quality of a grouping against a labelled truth (README of the shared sets),
and of the review queue left beside it.

Precision, recall and F1 over the record pairs implied by the groups, and the count of
false-merge pairs (put together, truly different), counted from the contingency table so
that a set of a million records costs no more than one pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
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


def queue_quality(
    queue: Sequence[tuple[str, str]],
    predicted: Mapping[str, str],
    truth: Mapping[str, str],
    *,
    scope: Mapping[str, str] | None = None,
    top: int | None = 5,
) -> dict[str, float | int | None]:
    """What a person meets in the review queue (pairs, best first where ranked).

    ``to_review``: pairs in the queue (inside one case when ``scope`` is given);
    ``per_50``: pairs per 50 records; ``queue_true``: pairs that are true duplicates;
    ``top_true``/``top_len``: true duplicates among the first ``top`` (None: the queue
    is not ranked); ``missed_groups``: pairs of predicted groups that hold one
    publication between them (what the grouping missed); ``misses_offered``: how many of
    those the queue offers.
    """

    def inside(a: str, b: str) -> bool:
        return scope is None or scope[a] == scope[b]

    pairs = [(a, b) for a, b in queue if inside(a, b)]
    true = [truth[a] == truth[b] for a, b in pairs]
    members: dict[tuple[str, str], set[str]] = {}
    for rid, group in truth.items():
        members.setdefault(((scope or {}).get(rid, ""), group), set()).add(predicted[rid])
    missed = {
        frozenset((x, y))
        for clusters in members.values()
        for x in clusters
        for y in clusters
        if x < y
    }
    offered = {frozenset((predicted[a], predicted[b])) for a, b in pairs} & missed
    n = len(truth)
    head = true[:top] if top else None
    return {
        "to_review": len(pairs),
        "per_50": len(pairs) / n * 50 if n else 0.0,
        "queue_true": sum(true),
        "top_true": sum(head) if head is not None else None,
        "top_len": len(head) if head is not None else None,
        "missed_groups": len(missed),
        "misses_offered": len(offered),
    }
