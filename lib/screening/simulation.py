"""Simulated screening of a labelled set, and the figures that score it.

A simulation plays a reviewer who answers every record as its label says: it starts from
one included and one excluded record chosen by the seed (the "prior knowledge"), asks the
ranking (`lib.screening.ranking`, the app's own) for the most likely relevant record,
reveals its label, and retrains as labels come in, until every record is screened.

Retraining follows `retrain_after`: after every answer at first, then after a number of
answers that grows with the labels already known (5% of them). The app's background
worker retrains as soon as it is free, which on a large project is every few answers,
so this is the app's behaviour made deterministic; it costs about a hundred retrainings
per set instead of thousands.

Scoring follows asreview-insights (``../shared/benchmarks/screening/README.md``): the two
prior records are left out (N' = records - 2, R' = included - 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lib.screening.ranking import DEFAULT, Ranker, order_by_scores

__all__ = ["Figures", "figures", "retrain_after", "simulate"]


def retrain_after(n_labelled: int) -> int:
    """How many answers to take from one ranking before retraining."""
    return max(1, n_labelled // 20)


def pick_priors(labels: np.ndarray, seed: int) -> tuple[int, int]:
    """One included and one excluded row, chosen by ``seed`` (reproducible)."""
    rng = np.random.default_rng(seed)
    included = np.flatnonzero(labels == 1)
    excluded = np.flatnonzero(labels == 0)
    if not len(included) or not len(excluded):
        raise ValueError(
            "the set needs at least one included and one excluded record "
            f"(it has {len(included)} included, {len(excluded)} excluded)"
        )
    return int(rng.choice(included)), int(rng.choice(excluded))


def simulate(
    texts: list[str], labels: np.ndarray, seed: int, ranker: Ranker = DEFAULT
) -> np.ndarray:
    """The order in which the screener shows the rows: the two priors first.

    ``labels``: 1 included, 0 excluded, one per text. Returns every row number once.
    """
    labels = np.asarray(labels, dtype=np.int8)
    features = ranker.features(texts)
    return simulate_features(features, labels, seed, ranker)


def simulate_features(
    features: Any,
    labels: np.ndarray,
    seed: int,
    ranker: Ranker,
    schedule: Callable[[int], int] = retrain_after,
) -> np.ndarray:
    """`simulate` on features computed once (the benchmark reuses them across seeds);
    ``schedule`` may replace `retrain_after` to measure how retraining more often helps."""
    n = len(labels)
    first, second = pick_priors(labels, seed)
    order = [first, second]
    screened = np.zeros(n, dtype=bool)
    screened[order] = True
    while len(order) < n:
        rows = np.asarray(order)
        scores = ranker.scores(features, rows, labels[rows])
        rest = np.flatnonzero(~screened)
        take = order_by_scores(scores, rest)[: schedule(len(order))]
        order += take.tolist()
        screened[take] = True
    return np.asarray(order)


@dataclass(frozen=True, slots=True)
class Figures:
    """How well one simulated order did (shares as fractions, 0-1)."""

    records: int
    included: int
    wss95: float  # work saved over sampling at 95% recall (priors left out)
    recall10: float  # share of included found after screening 10% (priors left out)
    screened95: int  # records a reviewer reads, priors included, to find 95% of included
    atd: float  # average time to discovery, share of N'
    # WSS@95 as ASReview 0.x (the version of its published figures) computed it: the
    # recall actually reached at that record (e.g. 108/113 = 95.6%) in place of 0.95
    wss95_asreview0: float = 0.0


def figures(order: np.ndarray, labels: np.ndarray) -> Figures:
    """Score a simulated order (the first two rows are the priors)."""
    labels = np.asarray(labels, dtype=np.int8)
    found = labels[np.asarray(order)]
    n, r = len(found), int(found.sum())
    after = found[2:]
    n_prime, r_prime = n - 2, r - 1
    cumulative = np.cumsum(after)
    if r_prime > 0:
        target = math.ceil(0.95 * r_prime)
        n95 = int(np.searchsorted(cumulative, target) + 1)
        wss95 = 0.95 - n95 / n_prime
        wss95_asreview0 = target / r_prime - n95 / n_prime
        tenth = math.floor(0.10 * n_prime)
        recall10 = float(cumulative[tenth - 1] / r_prime) if tenth else 0.0
        positions = np.flatnonzero(after) + 1
        atd = float(positions.mean() / n_prime)
    else:
        wss95, recall10, atd, wss95_asreview0 = 0.0, 1.0, 0.0, 0.0
    target_all = math.ceil(0.95 * r)
    screened95 = int(np.searchsorted(np.cumsum(found), target_all) + 1)
    return Figures(n, r, wss95, recall10, screened95, atd, wss95_asreview0)
