"""Which features and model rank best across the three shared sets (how the default was chosen).

    .venv/bin/python bench/screening_models.py [--seeds 5] [--models nb svm ...] [--jobs 2]

Prints, per model and set, the mean over seeds of WSS@95, recall after 10% and records
screened to find 95%, then the mean WSS@95 over the three sets. Candidates are named
variants of `lib.screening.ranking.Ranker` (see CANDIDATES), and, from issue 14's third
round, three wrappers with the same two methods that were tried and not adopted (kept
here so the BENCHMARKS.md rows can be reproduced): `Ensemble` (several rankers' scores
averaged), `Blocks` (a character n-gram or title word-pair block beside the stems, or
BM25 weights) and `Mixed` (a share of random picks once includes dry up).
``--abstract-only`` drops records without an abstract (the version of ACE on which
ASReview's figure was published).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import rankdata

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.screening_sets import SETS, load
from lib.screening.ranking import MODELS, Ranker
from lib.screening.simulation import figures, retrain_after, simulate_features

SVM = Ranker(model="svm", c=0.11, ngrams=2, sublinear=False, min_df=2)
NB = Ranker(model="nb", alpha=3.822, ngrams=1, sublinear=False)
CANDIDATES: dict[str, Ranker] = {
    **MODELS,
    "nb-12": Ranker(model="nb", alpha=3.822, ngrams=2, sublinear=False),
    "svm-df1-sub": Ranker(model="svm", c=0.11, ngrams=2, sublinear=True),
    "svm-df1": Ranker(model="svm", c=0.11, ngrams=2, sublinear=False, min_df=1),
    "logistic-1": Ranker(model="logistic", c=1.0, ngrams=1, sublinear=True),
    "logistic-c0.3": Ranker(model="logistic", c=0.3, ngrams=2, sublinear=True),
    "logistic-c3": Ranker(model="logistic", c=3.0, ngrams=2, sublinear=True),
    "logistic-c10": Ranker(model="logistic", c=10.0, ngrams=2, sublinear=True),
    "logistic-df2": Ranker(model="logistic", c=1.0, ngrams=2, sublinear=True, min_df=2),
    "logistic-c10-df2": Ranker(model="logistic", c=10.0, ngrams=2, sublinear=True, min_df=2),
    "svm-df3": Ranker(model="svm", c=0.11, ngrams=2, sublinear=False, min_df=3),
    # issue 14, second round: ASReview's defaults and the feature steps
    "svm-12": SVM,  # the default before issue 14's second round
    "nb-asreview": NB.with_(stop_words=True, balance="double"),
    "nb-stop": NB.with_(stop_words=True),
    "nb-double": NB.with_(balance="double"),
    "nb-stem": NB.with_(stem=True),
    "nb-stem-stop": NB.with_(stem=True, stop_words=True),
    "nb-stem-stop-double": NB.with_(stem=True, stop_words=True, balance="double"),
    "svm-stem": SVM.with_(stem=True),
    "svm-stop": SVM.with_(stop_words=True),
    "svm-stem-stop": SVM.with_(stem=True, stop_words=True),
    "svm-double": SVM.with_(balance="double"),
    "svm-stem-double": SVM.with_(stem=True, balance="double"),
    "svm-stem-sub": SVM.with_(stem=True, sublinear=True),
    "svm-stem-1": SVM.with_(stem=True, ngrams=1),
    "svm-stem-c0.3": SVM.with_(stem=True, c=0.3),
    "svm-stem-c0.05": SVM.with_(stem=True, c=0.05),
    "svm-title0.5": SVM.with_(title_weight=0.5),
    "svm-title1": SVM.with_(title_weight=1.0),
    "svm-stem-title0.5": SVM.with_(stem=True, title_weight=0.5),
    "svm-stem-title1": SVM.with_(stem=True, title_weight=1.0),
    "svm-stem-stop-title1": SVM.with_(stem=True, stop_words=True, title_weight=1.0),
    "nb-stem-stop-double-title1": NB.with_(
        stem=True, stop_words=True, balance="double", title_weight=1.0
    ),
    "svm-stem-1-df1": SVM.with_(stem=True, ngrams=1, min_df=1),
    "svm-stem-1-df3": SVM.with_(stem=True, ngrams=1, min_df=3),
    "svm-stem-1-c0.3": SVM.with_(stem=True, ngrams=1, c=0.3),
    "svm-stem-1-c0.05": SVM.with_(stem=True, ngrams=1, c=0.05),
    "svm-stem-1-double": SVM.with_(stem=True, ngrams=1, balance="double"),
    "svm-stem-1-title0.5": SVM.with_(stem=True, ngrams=1, title_weight=0.5),
    "svm-stem-1-title1": SVM.with_(stem=True, ngrams=1, title_weight=1.0),
    "svm-1": SVM.with_(ngrams=1),
    "logistic-stem-df2-c10": Ranker(
        model="logistic", c=10.0, ngrams=2, sublinear=True, min_df=2, stem=True
    ),
}


@dataclass(frozen=True)
class Ensemble:
    """Issue 14, third round: several rankers, each on its own features, their scores
    put on one scale and averaged. ``how``: "rank" (each model's scores as ranks among all
    rows, 0-1) or "z" (each model's scores standardised over the rows). ``weights``: per
    member (equal by default)."""

    members: tuple[Any, ...]
    how: str = "rank"
    weights: tuple[float, ...] = ()

    def features(self, texts: Sequence[str]) -> tuple[Any, ...]:
        return tuple(m.features(texts) for m in self.members)

    def scores(self, features: Any, labelled: np.ndarray, labels: np.ndarray) -> np.ndarray:
        weights = self.weights or (1.0,) * len(self.members)
        total = np.zeros(features[0].shape[0])
        for member, part, w in zip(self.members, features, weights, strict=True):
            s = np.asarray(member.scores(part, labelled, labels), dtype=float)
            s = rankdata(s) / len(s) if self.how == "rank" else (s - s.mean()) / (s.std() or 1.0)
            total += w * s
        return total


@dataclass(frozen=True)
class Blocks:
    """The default's stems, plus one more L2-normalised feature block times ``weight``:
    "char" (character 3-5-grams within words), "title2" (stemmed word pairs of titles
    only); or "bm25" in place of TF-IDF (BM25 term weights, k1 1.2, b 0.75)."""

    base: Ranker
    extra: str
    weight: float = 1.0

    def features(self, texts: Sequence[str]) -> Any:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

        from lib.screening.ranking import stemmed_words

        if self.extra == "bm25":
            counts = (
                CountVectorizer(
                    tokenizer=stemmed_words(frozenset()),
                    token_pattern=None,
                    min_df=self.base.min_df,
                    strip_accents="unicode",
                    dtype=np.float32,
                )
                .fit_transform(texts)
                .tocsr()
                .astype(np.float64)
            )
            n = counts.shape[0]
            df = np.bincount(counts.indices, minlength=counts.shape[1])
            idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
            length = np.asarray(counts.sum(axis=1)).ravel()
            norm = 1.2 * (0.25 + 0.75 * length / max(length.mean(), 1.0))
            rows = np.repeat(np.arange(n), np.diff(counts.indptr))
            tf = counts.data
            counts.data = tf * 2.2 / (tf + norm[rows]) * idf[counts.indices]
            from sklearn.preprocessing import normalize

            return normalize(counts).astype(np.float32).tocsr()
        whole = self.base.features(texts)
        if self.extra == "char":
            extra = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(3, 5),
                min_df=2,
                strip_accents="unicode",
                lowercase=True,
                dtype=np.float32,
                sublinear_tf=True,
            ).fit_transform(texts)
        elif self.extra == "title2":
            extra = TfidfVectorizer(
                tokenizer=stemmed_words(frozenset()),
                token_pattern=None,
                ngram_range=(2, 2),
                min_df=2,
                strip_accents="unicode",
                dtype=np.float32,
            ).fit_transform([t.partition("\n")[0] for t in texts])
        else:
            raise ValueError(self.extra)
        return hstack([whole, extra * np.float32(self.weight)], format="csr")

    def scores(self, features: Any, labelled: np.ndarray, labels: np.ndarray) -> np.ndarray:
        return self.base.scores(features, labelled, labels)


@dataclass(frozen=True)
class Mixed:
    """A query mix for the tail: once ``after`` records have been read since the last
    include, every ``every``-th record proposed is taken at random (as ASReview's
    "mixed" strategies take a share of random picks) instead of by score."""

    base: Any
    after: int = 100
    every: int = 10

    def features(self, texts: Sequence[str]) -> Any:
        return self.base.features(texts)

    def scores(self, features: Any, labelled: np.ndarray, labels: np.ndarray) -> np.ndarray:
        s = np.asarray(self.base.scores(features, labelled, labels), dtype=float)
        hits = np.flatnonzero(labels == 1)
        since = len(labels) - 1 - int(hits[-1])
        if since < self.after:
            return s
        n = len(s)
        rest = np.setdiff1d(np.arange(n), labelled)
        by_score = list(rest[np.argsort(-s[rest], kind="stable")])
        pool = list(np.random.default_rng(len(labels)).permutation(rest))
        order, used = [], set()
        while by_score or pool:
            src = pool if (len(order) + 1) % self.every == 0 and pool else by_score or pool
            while src:
                row = src.pop(0)
                if row not in used:
                    used.add(row)
                    order.append(row)
                    break
        out = np.full(n, -np.inf)
        out[np.asarray(order)] = -np.arange(len(order), dtype=float)
        return out


NB_AS = NB.with_(stop_words=True, balance="double")
DEF = MODELS["svm"]
CANDIDATES.update(
    {
        "ens-svm-nbasr-rank": Ensemble((DEF, NB_AS), "rank"),
        "ens-svm-nbasr-z": Ensemble((DEF, NB_AS), "z"),
        "ens-svm-nbstem-rank": Ensemble((DEF, NB.with_(stem=True)), "rank"),
        "ens-svm-nbasrstem-rank": Ensemble((DEF, NB_AS.with_(stem=True)), "rank"),
        "ens-svm-nbasr-rank-2to1": Ensemble((DEF, NB_AS), "rank", (2.0, 1.0)),
        "ens-svm-nbasr-z-2to1": Ensemble((DEF, NB_AS), "z", (2.0, 1.0)),
        "ens-svm-nbasrstem-rank-2to1": Ensemble((DEF, NB_AS.with_(stem=True)), "rank", (2.0, 1.0)),
        "ens-svm-nbasrstem-z-2to1": Ensemble((DEF, NB_AS.with_(stem=True)), "z", (2.0, 1.0)),
        "ens-svm-nbasrstem-z-3to1": Ensemble((DEF, NB_AS.with_(stem=True)), "z", (3.0, 1.0)),
        "ens-svmc0.3-nbasrstem-rank-2to1": Ensemble(
            (DEF.with_(c=0.3), NB_AS.with_(stem=True)), "rank", (2.0, 1.0)
        ),
        "ens-svm-nbstemstop-rank": Ensemble((DEF, NB.with_(stem=True, stop_words=True)), "rank"),
        "svm-char0.25": Blocks(DEF, "char", 0.25),
        "svm-title2-0.3": Blocks(DEF, "title2", 0.3),
        "svm-char0.5": Blocks(DEF, "char", 0.5),
        "svm-char1": Blocks(DEF, "char", 1.0),
        "svm-title2-0.5": Blocks(DEF, "title2", 0.5),
        "svm-title2-1": Blocks(DEF, "title2", 1.0),
        "svm-bm25": Blocks(DEF, "bm25"),
        "svm-mix100-10": Mixed(DEF, 100, 10),
        "svm-mix50-20": Mixed(DEF, 50, 20),
    }
)


def every_label(n_labelled: int) -> int:
    """ASReview's protocol: retrain after every answer."""
    return 1


def run(
    key: str, name: str, seeds: range, abstract_only: bool, every: bool
) -> tuple[str, str, list]:
    ranker = CANDIDATES[key]
    texts, labels = load(name, abstract_only=abstract_only)
    features = ranker.features(texts)
    schedule = every_label if every else retrain_after
    runs = [
        figures(simulate_features(features, labels, s, ranker, schedule), labels) for s in seeds
    ]
    return key, name, runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--models", nargs="+", default=list(CANDIDATES))
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--abstract-only", action="store_true")
    parser.add_argument("--every-label", action="store_true", help="retrain after each answer")
    args = parser.parse_args()
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    print(f"load average before: {os.getloadavg()[0]:.2f}; seeds {seeds.start}-{seeds.stop - 1}")
    started = time.perf_counter()
    jobs = [(key, name) for key in args.models for name in args.sets]
    results = {}
    with ProcessPoolExecutor(args.jobs) as pool:
        futures = [
            pool.submit(run, k, n, seeds, args.abstract_only, args.every_label) for k, n in jobs
        ]
        for future in as_completed(futures):
            key, name, runs = future.result()
            results[key, name] = runs
            wss = ", ".join(f"{f.wss95:.3f}" for f in runs)
            print(f"  done {key} {name}: WSS@95 per seed {wss}", flush=True)
    for key in args.models:
        wss_all = []
        for name in args.sets:
            runs = results[key, name]
            wss = np.mean([f.wss95 for f in runs])
            wss_all.append(wss)
            print(
                f"{key:22} {name[:22]:22} WSS@95 {wss:6.1%}  "
                f"RRF@10 {np.mean([f.recall10 for f in runs]):6.1%}  "
                f"n95 {np.mean([f.screened95 for f in runs]):7.1f}  "
                f"ATD {np.mean([f.atd for f in runs]):5.1%}  "
                f"sd {np.std([f.wss95 for f in runs]):5.1%}"
            )
        print(f"{key:22} {'mean of sets':22} WSS@95 {np.mean(wss_all):6.1%}", flush=True)
    print(f"{time.perf_counter() - started:.0f} s; load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
