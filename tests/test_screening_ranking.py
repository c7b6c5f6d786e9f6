"""The ranking itself: relevant records first, and what its feature steps do to the text.

The simulation contract is tested through the command line in test_cli_simulate.py; here
the `Ranker` is called as the worker and the simulation call it."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.screening.ranking import DEFAULT, Ranker
from lib.screening.simulation import figures, simulate

TOPIC = (
    "peer support prison listeners mentoring inmates suicide custody wellbeing prisoners mentor"
).split()
OTHER = (
    "cardiac surgery soil bacteria climate rainfall turbine voltage enzyme kinetics galaxy "
    "telescope wheat yield bridge concrete pupils classroom tariff exports"
).split()
COMMON = "study results effect analysis participants outcome data trial group method".split()


def review(n: int, relevant: int, seed: int) -> tuple[list[str], np.ndarray]:
    """A search result of ``n`` records, ``relevant`` of them on the review's topic. Every
    record is half common research words, and off-topic records borrow a topic word now
    and then, so no single word separates the two."""
    rng = random.Random(seed)
    labels = np.zeros(n, dtype=np.int8)
    labels[rng.sample(range(n), relevant)] = 1
    texts = []
    for label in labels:
        own = TOPIC if label else OTHER
        words = [rng.choice(own) for _ in range(15)] + [rng.choice(COMMON) for _ in range(15)]
        if not label:
            words += [rng.choice(TOPIC) for _ in range(rng.randint(0, 2))]
        rng.shuffle(words)
        texts.append(" ".join(words))
    return texts, labels


@settings(max_examples=8, deadline=None)
@given(
    n=st.integers(60, 200),
    share=st.floats(0.03, 0.2),
    data_seed=st.integers(0, 10_000),
    seed=st.integers(0, 10_000),
)
def test_relevant_records_come_first(n: int, share: float, data_seed: int, seed: int) -> None:
    relevant = max(2, round(n * share))
    texts, labels = review(n, relevant, data_seed)
    order = simulate(texts, labels, seed)
    assert sorted(order.tolist()) == list(range(n))  # every record once
    # the reviewer meets every relevant record among the first relevant + 10% of the rest
    last = int(np.flatnonzero(labels[order])[-1]) + 1
    assert last <= relevant + 2 + (n - relevant) // 10
    assert figures(order, labels).wss95 > 0.5


def test_scores_put_the_topics_records_above_the_others() -> None:
    texts, labels = review(200, 20, 1)
    known = np.array([int(np.flatnonzero(labels)[0]), int(np.flatnonzero(labels == 0)[0])])
    scores = DEFAULT.scores(DEFAULT.features(texts), known, labels[known])
    assert scores[labels == 1].min() > np.median(scores[labels == 0])


def test_stemming_merges_inflections_into_one_term() -> None:
    texts = ["Prisoners screened", "prisoner screening", "the screens", "rainfall"]
    plain = Ranker(ngrams=1, stem=False, stop_words=True).features(texts).toarray()
    stemmed = Ranker(ngrams=1, stem=True, stop_words=True).features(texts).toarray()
    # without stems the first two records share no term; with stems they are the same text
    assert float(plain[0] @ plain[1]) == 0.0
    assert np.allclose(stemmed[0], stemmed[1])
    # "screens" meets "screened" and "screening" too; other words stay apart
    assert float(plain[2] @ plain[0]) == 0.0
    assert float(stemmed[2] @ stemmed[0]) > 0.0
    assert float(stemmed[3] @ stemmed[0]) == 0.0


def test_stop_words_are_dropped_before_stemming() -> None:
    texts = ["the trials were done", "a trial was done", "rainfall"]
    stemmed = Ranker(ngrams=1, stem=True, stop_words=True).features(texts).toarray()
    assert stemmed.shape[1] == 2  # "trial" and "rainfal": the rest are stop words
    assert np.allclose(stemmed[0], stemmed[1])


def test_figures_leave_the_priors_out_as_the_screening_readme_says() -> None:
    # 102 records, 21 included: priors (1 included, 1 excluded), then 100 screened with
    # the 20 other included at positions 1-10 and 31-40 (1-based, after the priors)
    after = np.zeros(100, dtype=np.int8)
    after[0:10] = 1
    after[30:40] = 1
    labels = np.concatenate([[1, 0], after])
    scored = figures(np.arange(102), labels)
    # R' = 20, ceil(0.95 * 20) = 19 found at the 39th record after the priors: N' = 100
    assert scored.wss95 == pytest.approx(0.95 - 39 / 100)
    assert scored.wss95_asreview0 == pytest.approx(19 / 20 - 39 / 100)
    assert scored.recall10 == pytest.approx(10 / 20)  # the first floor(0.1 * 100) records
    assert scored.screened95 == 2 + 39  # ceil(0.95 * 21) = 20 with the included prior
    # ATD: mean position of the 20 included after the priors, as a share of N'
    assert scored.atd == pytest.approx((sum(range(1, 11)) + sum(range(31, 41))) / 20 / 100)
