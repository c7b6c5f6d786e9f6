"""A real project file of ~50,000 studies for the browser benchmark (`bench/browser_app.py`).

Records come from `bench/dedupe_synthetic.py` (publications exported one to four times,
corrupted the way databases differ), spread over four imports labelled as four databases,
and each publication gets the summary of one demo study (`data/demo/studies.csv`, our own
text) as its abstract, so the coder finds real methods, populations and findings and the
Explore facets have realistic spreads. The file is then deduplicated and coded
(`lib.pipeline.refresh`), exactly as the app would after an import.

    .venv/bin/python bench/browser_project.py --records 82000 --out artifacts/bench/p82k.sqlite

Building takes a few minutes; an existing file made with the same arguments is kept.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dedupe_synthetic import generate, to_records  # noqa: E402

from lib import pipeline  # noqa: E402
from lib.ingest import FileRead  # noqa: E402
from lib.project import open_project  # noqa: E402
from lib.report import ImportReport  # noqa: E402

DATABASES = ("Scopus", "Web of Science", "PubMed", "EBSCOhost")
# Look-alikes the matcher cannot decide alone (same title and authors, another first page),
# so the Duplicates page has a queue to work through, as after a real search.
LOOK_ALIKES = 400
BUILT_WITH = "browser_project"  # meta key: the arguments the file was built with


def demo_summaries() -> list[str]:
    with (ROOT / "data" / "demo" / "studies.csv").open(encoding="utf-8") as fh:
        return [row["summary"] for row in csv.DictReader(fh) if row["summary"]]


def build(path: Path, n_records: int, seed: int = 7) -> None:
    """Write the project file at ``path`` (replacing it), built in a temporary file."""
    rows, truth = generate(n_records, seed=seed)
    records = to_records(rows)
    summaries = demo_summaries()
    rng = random.Random(seed)
    for rec in records:
        publication = int(truth[rec.record_id][1:])
        if rng.random() < 0.9:  # some copies come without an abstract, as in real exports
            rec.abstract = summaries[publication % len(summaries)]
    look_alikes = []
    for k, rec in enumerate(records[: LOOK_ALIKES * 3 : 3]):
        first = int(rec.pages.split("-")[0]) if rec.pages.split("-")[0].isdigit() else 1
        look_alikes.append(dataclasses.replace(
            rec, record_id=f"h{k:05d}", pages=f"{first + 300}-{first + 320}", doi="",
            source_db="", import_id=None))  # fmt: skip
    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_project(tmp) as project:
        project.set_meta("name", f"Benchmark: {n_records:,} synthetic records")
        for k, database in enumerate(DATABASES):
            part = records[k :: len(DATABASES)]
            report = ImportReport(
                file_name=f"{database.lower().replace(' ', '-')}.ris",
                sha256=f"synthetic-{seed}-{n_records}-{k}",
                database=database,
            )
            report.records_read = len(part)
            project.add_import(FileRead(part, report))
        report = ImportReport(file_name="hand-search.ris", sha256=f"synthetic-{seed}-hand",
                              database="Hand search")  # fmt: skip
        report.records_read = len(look_alikes)
        project.add_import(FileRead(look_alikes, report))
        start = time.perf_counter()
        pipeline.refresh(project)
        print(f"deduplicated and coded in {time.perf_counter() - start:.1f} s", flush=True)
        project.set_meta(BUILT_WITH, f"{n_records}:{seed}:{LOOK_ALIKES}")
        project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(tmp, path)


def ensure(path: Path, n_records: int, seed: int = 7) -> Path:
    """The project at ``path``, built unless a file made with these arguments is there;
    a kept file is brought up to date first (a codebook changed since it was built would
    otherwise make the benchmark's first open start the background re-code)."""
    if path.exists():
        with open_project(path, create=False) as project:
            if project.meta(BUILT_WITH) == f"{n_records}:{seed}:{LOOK_ALIKES}":
                pipeline.refresh(project)
                return path
    build(path, n_records, seed)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=82_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench" / "p82k.sqlite")
    args = parser.parse_args()
    start = time.perf_counter()
    ensure(args.out, args.records, args.seed)
    with open_project(args.out, create=False) as project:
        studies = project.conn.execute("SELECT COUNT(*) FROM dedupe_studies").fetchone()[0]
        print(f"{args.out}: {project.count_records():,} records, {studies:,} studies "
              f"({time.perf_counter() - start:.0f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
