"""How long "accept every pair above a score" takes: 50 decisions stored together.

The Duplicates page's bulk accept (`lib.views.bulk_decisions.accept_pairs`) makes one decision
per pair, stores them together and regroups the project once
(`lib.project.duplicates.decide_many`), then recodes once (`lib.pipeline.refresh`). This
measures both parts on the demo project (97 records) and
on a synthetic project of 5,000 records (`bench/dedupe_synthetic.py`). The demo and the
synthetic set leave (almost) no pairs to review, so the 50 pairs are records of different
studies taken in order; the cost of a decision does not depend on which pair it is.

    .venv/bin/python bench/duplicates_bulk_accept.py                 # demo and 5k
    .venv/bin/python bench/duplicates_bulk_accept.py --sizes 5000 --pairs 20
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from lib.demo import build_demo_project  # noqa: E402
from lib.ingest import read_path  # noqa: E402
from lib.pipeline import refresh  # noqa: E402
from lib.project import Project, duplicates, open_project  # noqa: E402
from lib.views.bulk_decisions import accept_pairs  # noqa: E402


def synthetic_project(folder: Path, n: int) -> Project:
    from dedupe_synthetic import generate

    rows, _truth = generate(n)
    path = folder / f"synthetic-{n}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    project = open_project(folder / f"synthetic-{n}.sqlite")
    project.add_import(read_path(path, database="Synthetic"))
    refresh(project)
    return project


def some_pairs(project: Project, n_pairs: int) -> list[tuple[str, str]]:
    """A chain of pairs of records of different studies (study 1-2, 2-3, ...).

    The demo has 43 studies, so at most 42 pairs there; the table says how many were made.
    """
    studies = list(duplicates.members(project).values())
    n_pairs = min(n_pairs, len(studies) - 1)
    return [(studies[i][0], studies[i + 1][0]) for i in range(n_pairs)]


def measure(name: str, project: Project, n_pairs: int) -> dict[str, object]:
    pairs = some_pairs(project, n_pairs)
    started = time.perf_counter()
    made = accept_pairs(project, pairs, note="bench")
    decided = time.perf_counter() - started
    started = time.perf_counter()
    refresh(project)
    recoded = time.perf_counter() - started
    return {
        "project": name,
        "records": project.count_records(),
        "pairs": len(made),
        "decisions_s": round(decided, 2),
        "per_decision_s": round(decided / max(1, len(made)), 3),
        "recode_s": round(recoded, 2),
        "total_s": round(decided + recoded, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[5000])
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--no-demo", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.no_demo:
            results.append(measure("demo", build_demo_project(folder / "demo.sqlite"), args.pairs))
        for n in args.sizes:
            results.append(measure(f"synthetic {n:,}", synthetic_project(folder, n), args.pairs))
    keys = list(results[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in results:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
