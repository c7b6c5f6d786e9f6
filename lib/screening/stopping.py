"""When to stop screening: how many relevant records may still be among the unscreened.

A model's predicted probabilities are not an honest count (a classifier trained on a few
dozen includes is badly calibrated), so the estimate rests on what the reviewer saw:

- **From a random sample** (the honest one). Records screened in random order, after the
  ranked ones, are a simple random sample of what was left unscreened when the sample
  began. With k relevant (included or maybe) in n sampled out of M left, the relevant
  still unscreened are about (M - n)·k/n, with a 95% Clopper-Pearson interval on k/n.
  The Screen page offers "random order" for exactly this check.
- **From the latest ranked records** (before any sample, an upper bound under an
  assumption). Ranking puts the likely relevant first, so the records left are, if the
  ranking works, no richer in relevant ones than the last W screened. With k relevant
  in the last W, at most (upper 95% bound of k/W)·unscreened remain. The assumption is
  said with the figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lib.screening.decisions import TITLE_ABSTRACT
from lib.screening.queue import Screening, progress

__all__ = ["WINDOW", "Estimate", "estimate", "proportion_interval"]

WINDOW = 200  # ranked decisions the bound looks back on
MIN_SAMPLE = 30  # random decisions before a sample is used


@dataclass(frozen=True, slots=True)
class Estimate:
    """Relevant records still unscreened (title/abstract), with a 95% interval."""

    method: str  # "sample", "recent" or "none"
    unscreened: int
    since_last_include: int
    looked_at: int  # records the estimate rests on (sample size or window)
    relevant_seen: int  # of them, included or maybe
    low: float
    expected: float
    high: float
    explanation: str

    included: int = 0  # included so far (title/abstract)

    @property
    def suggested_sample(self) -> int:
        """The random sample that, if it finds nothing relevant, bounds what is left to 5%
        of the included so far (rule of three: 0 of n bounds the share at 3/n, 95%)."""
        allowed = max(1.0, 0.05 * self.included)
        return min(self.unscreened, max(MIN_SAMPLE, math.ceil(3 * self.unscreened / allowed)))


def proportion_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson (exact binomial) interval for k successes in n trials."""
    if n <= 0:
        return 0.0, 1.0
    from scipy.special import betaincinv  # the beta quantile; scipy.stats imports for seconds

    tail = (1 - confidence) / 2
    low = 0.0 if k == 0 else float(betaincinv(k, n - k + 1, tail))
    high = 1.0 if k == n else float(betaincinv(k + 1, n - k, 1 - tail))
    return low, high


def estimate(screening: Screening) -> Estimate:
    """The stopping aid's figures (see the module docstring)."""
    done = progress(screening, TITLE_ABSTRACT)
    unscreened = done.left
    ordered = [d for d in screening.decisions if d.stage == TITLE_ABSTRACT]
    streak = []
    for decision in reversed(ordered):
        if decision.origin != "random":
            break
        streak.append(decision)
    relevant = ("include", "maybe")
    if len(streak) >= MIN_SAMPLE:
        n = len(streak)
        k = sum(d.verdict in relevant for d in streak)
        low_p, high_p = proportion_interval(k, n)
        pool = unscreened + n
        rest = pool - n
        return Estimate(
            "sample",
            unscreened,
            done.since_last_include,
            n,
            k,
            rest * low_p,
            rest * k / n,
            rest * high_p,
            f"From your last {n:,} records screened in random order ({k:,} relevant), "
            f"drawn from the {pool:,} unscreened when the sample began.",
            done.included,
        )
    ranked = [d for d in ordered if d.origin == "ranked"][-WINDOW:]
    if ranked and unscreened:
        n = len(ranked)
        k = sum(d.verdict in relevant for d in ranked)
        _, high_p = proportion_interval(k, n)
        return Estimate(
            "recent",
            unscreened,
            done.since_last_include,
            n,
            k,
            0.0,
            unscreened * k / n,
            unscreened * high_p,
            f"Assumes the {unscreened:,} unscreened records are no richer in relevant ones "
            f"than your last {n:,} in ranked order ({k:,} relevant). Screen a random "
            "sample to check it.",
            done.included,
        )
    return Estimate(
        "none",
        unscreened,
        done.since_last_include,
        0,
        0,
        0.0,
        math.nan,
        float(unscreened),
        "No estimate yet: screen in ranked order, then a random sample of what is left.",
        done.included,
    )
