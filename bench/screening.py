"""Screening prioritisation on the shared labelled sets, and retraining time at 50k records.

    .venv/bin/python bench/screening.py [--seeds 5] [--retrain-records 50000]

Per set of ``../shared/benchmarks/screening/``: the app's ranking (`lib.screening.ranking.
DEFAULT`, with the simulation's retraining schedule, exactly what ``python -m lib.cli
simulate`` runs) over 5 seeds, each starting from one included and one excluded record;
the mean of WSS@95, recall after screening 10%, records screened to find 95% of the
included (priors included) and ATD, beside the README's plain naive Bayes baseline and
ASReview's published naive Bayes + TF-IDF figures. Then the time of one retraining
(fit on the labelled records, score every record) on 50,000 records of real abstract
text (the three sets' sentences recombined), on one core, with the one-off feature
building timed apart. Prints Markdown tables for BENCHMARKS.md.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.screening_sets import SETS, SETS_DIR, load
from lib.screening.ranking import DEFAULT, MODELS
from lib.screening.simulation import figures, simulate_features

# README of ../shared/benchmarks/screening: the plain NB baseline (WSS@95, RRF@10, n95)
BASELINE = {
    "cohen_2006_ace_inhibitors": (0.774, 0.825, 450),
    "bannach_brown_2019_depression_models": (0.427, 0.555, 1020),
    "kwok_2020_virus_metagenomics": (0.661, 0.743, 668),
}
# the README's baseline on the thesis's abstract-only ACE file (2,235 records; ours with an
# abstract are 2,214): WSS@95 and RRF@10 only
BASELINE_ABSTRACT_ONLY = "78.4% / 86.0% (2,235-record file)"
# ASReview's published NB + TF-IDF figures (Ferdinands 2020; tuned per set; ACE on the
# 2,235-record abstract-only version): WSS@95, RRF@10
PUBLISHED = {
    "cohen_2006_ace_inhibitors": (0.829, 0.905),
    "kwok_2020_virus_metagenomics": (0.712, 0.739),
}


def quality(seeds: int, model: str) -> None:
    ranker = MODELS[model]
    print(f"Model: {ranker.name}; mean of seeds 0-{seeds - 1}.\n")
    print(
        "| set | records | included | WSS@95 | recall at 10% | screened to find 95% | ATD "
        "| WSS@95 as ASReview 0.x | baseline WSS@95 / recall / screened "
        "| ASReview published WSS@95 / recall |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = [(name, False) for name in SETS] + [("cohen_2006_ace_inhibitors", True)]
    for name, abstract_only in rows:
        texts, labels = load(name, abstract_only=abstract_only)
        features = ranker.features(texts)
        runs = [
            figures(simulate_features(features, labels, seed, ranker), labels)
            for seed in range(seeds)
        ]
        n95 = statistics.mean(f.screened95 for f in runs)
        base = BASELINE[name]
        base_text = (
            BASELINE_ABSTRACT_ONLY
            if abstract_only
            else f"{base[0]:.1%} / {base[1]:.1%} / {base[2]:,}"
        )
        published = PUBLISHED.get(name)
        print(
            f"| {name}{' (records with abstract)' if abstract_only else ''} "
            f"| {len(labels):,} | {int(labels.sum())} "
            f"| **{statistics.mean(f.wss95 for f in runs):.1%}** "
            f"| {statistics.mean(f.recall10 for f in runs):.1%} "
            f"| {n95:,.0f} ({n95 / len(labels):.1%}) "
            f"| {statistics.mean(f.atd for f in runs):.1%} "
            f"| {statistics.mean(f.wss95_asreview0 for f in runs):.1%} "
            f"| {base_text} "
            f"| {f'{published[0]:.1%} / {published[1]:.1%}' if published else 'none published'} |",
            flush=True,
        )
        print(
            "<!-- per seed WSS@95: " + ", ".join(f"{f.wss95:.3f}" for f in runs) + " -->",
            flush=True,
        )


def cli_time(name: str = "cohen_2006_ace_inhibitors") -> None:
    """The simulation as a reviewer runs it: one whole process on the largest set."""
    import subprocess
    import tempfile

    source = SETS_DIR / name / "records.csv"
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "lib.cli", "simulate", str(source), "--out",
             str(Path(tmp) / "order.csv"), "--seed", "0"],
            cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True,
            check=False,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
    print(
        f"\n`python -m lib.cli simulate` on {name} (whole process, seed 0): {elapsed:.1f} s, "
        f"exit {done.returncode}; {done.stderr.strip().splitlines()[-1] if done.stderr else ''}"
    )


def synthetic_set(n: int, seed: int = 0, prevalence: float = 0.05) -> tuple[list[str], np.ndarray]:
    """n records of real abstract sentences, recombined: the relevant ones (``prevalence``)
    from sentences of the sets' included records, the rest from the excluded ones, so the
    labels follow the text as in a real review (random labels would make every model fit
    slowly on noise)."""
    pools: dict[int, list[str]] = {0: [], 1: []}
    for name in SETS:
        texts, labels = load(name)
        for text, label in zip(texts, labels, strict=True):
            pools[int(label)] += [s.strip() for s in text.split(". ") if len(s.split()) > 3]
    rng = random.Random(seed)
    labels = np.array([1 if rng.random() < prevalence else 0 for _ in range(n)], dtype=np.int8)
    texts = [". ".join(rng.sample(pools[int(y)], rng.randint(6, 12))) for y in labels]
    return texts, labels


def retraining(n: int, repeats: int) -> None:
    texts, labels = synthetic_set(n)
    rng = np.random.default_rng(0)
    started, started_cpu = time.perf_counter(), time.process_time()
    features = DEFAULT.features(texts)
    built, built_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(
        f"\n{n:,} records ({int(labels.sum()):,} relevant), {features.shape[1]:,} features; "
        f"building the features (once per set of records, in the worker): {built:.1f} s "
        f"({built_cpu:.1f} s CPU).\n"
    )
    print("| labelled records | one retraining (fit + score all): wall, median | CPU, median |")
    print("|---:|---:|---:|")
    for labelled in (1_000, 10_000, n // 2, n - 1_000):
        rows = rng.choice(n, size=labelled, replace=False)
        times, cpu = [], []
        for _ in range(repeats):
            started, started_cpu = time.perf_counter(), time.process_time()
            DEFAULT.scores(features, rows, labels[rows])
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        print(
            f"| {labelled:,} | **{statistics.median(times):.2f} s** "
            f"| {statistics.median(cpu):.2f} s |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--model", default="svm", choices=list(MODELS))
    parser.add_argument("--retrain-records", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}\n")
    if not args.skip_quality:
        quality(args.seeds, args.model)
        cli_time()
    if args.retrain_records:
        retraining(args.retrain_records, args.repeats)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
