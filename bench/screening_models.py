"""Which features and model rank best across the three shared sets (how the default was chosen).

    .venv/bin/python bench/screening_models.py [--seeds 5] [--models nb svm ...] [--jobs 2]

Prints, per model and set, the mean over seeds of WSS@95, recall after 10% and records
screened to find 95%, then the mean WSS@95 over the three sets. Candidates are named
variants of `lib.screening.ranking.Ranker` (see CANDIDATES). ``--abstract-only`` drops
records without an abstract (the version of ACE on which ASReview's figure was published).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np

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
