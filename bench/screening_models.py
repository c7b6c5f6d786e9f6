"""Which features and model rank best across the three shared sets (how the default was chosen).

    .venv/bin/python bench/screening_models.py [--seeds 5] [--models nb svm logistic ...]

Prints, per model and set, the mean over seeds of WSS@95, recall after 10% and records
screened to find 95%, then the mean WSS@95 over the three sets. Candidates are named
variants of `lib.screening.ranking.Ranker` (see CANDIDATES).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.screening_sets import SETS, load
from lib.screening.ranking import MODELS, Ranker
from lib.screening.simulation import figures, simulate_features

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
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--models", nargs="+", default=list(CANDIDATES))
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    args = parser.parse_args()
    data = {name: load(name) for name in args.sets}
    for key in args.models:
        ranker = CANDIDATES[key]
        wss_all = []
        for name, (texts, labels) in data.items():
            started = time.perf_counter()
            features = ranker.features(texts)
            runs = [
                figures(simulate_features(features, labels, seed, ranker), labels)
                for seed in range(args.seeds)
            ]
            wss = np.mean([f.wss95 for f in runs])
            wss_all.append(wss)
            print(
                f"{key:16} {name[:22]:22} WSS@95 {wss:6.1%}  "
                f"RRF@10 {np.mean([f.recall10 for f in runs]):6.1%}  "
                f"n95 {np.mean([f.screened95 for f in runs]):7.1f}  "
                f"ATD {np.mean([f.atd for f in runs]):5.1%}  "
                f"({time.perf_counter() - started:5.1f} s)",
                flush=True,
            )
        print(f"{key:16} {'mean of sets':22} WSS@95 {np.mean(wss_all):6.1%}", flush=True)


if __name__ == "__main__":
    main()
