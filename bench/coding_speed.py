"""How fast the default codebook codes 100,000 records (target: 20 s on one core).

The records are real: every shared sample export and the demo corpus exports, read with
`lib.ingest` (titles, abstracts and keywords as the readers give them, records without an
abstract included as they come), repeated with new ids up to the count asked for. Coding
is single-threaded; the time printed covers `lib.coding.code_records` only (the codebook
is loaded and compiled before the clock starts, and that time is printed separately).

    python bench/coding_speed.py                 # 100,000 records, 3 runs
    python bench/coding_speed.py --records 20000 --runs 1
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.coding import code_records, default_codebook_path, load_codebook  # noqa: E402
from lib.coding.matcher import matcher_for  # noqa: E402
from lib.ingest import ingest_paths  # noqa: E402
from lib.model import Record  # noqa: E402

SHARED = ROOT.parent / "shared" / "samples"
DEMO = ROOT / "data" / "demo" / "exports"


def source_records() -> list[Record]:
    paths = sorted(p for p in SHARED.glob("*") if p.name not in ("MANIFEST.csv", "README.md"))
    paths += sorted(DEMO.glob("*")) if DEMO.exists() else []
    run = ingest_paths(paths)
    records = [r for r in run.records if r.title or r.abstract]
    if not records:
        sys.exit("no records found: is ../shared/samples present?")
    return records


def calibration() -> float:
    """CPU seconds of a fixed pure-Python loop, printed so that runs on this shared machine
    can be compared: a slower loop means the other users' load slowed this run too."""
    start = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i * i
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    pool = source_records()
    with_abstract = sum(1 for r in pool if r.abstract)
    mean_chars = statistics.mean(len(r.title) + len(r.abstract) for r in pool)
    records = [
        dataclasses.replace(pool[i % len(pool)], record_id=f"r{i}") for i in range(args.records)
    ]
    t0 = time.perf_counter()
    codebook = load_codebook(default_codebook_path())
    matcher_for(codebook)
    compile_s = time.perf_counter() - t0
    print(
        f"pool: {len(pool)} real records ({with_abstract} with an abstract), "
        f"mean title+abstract {mean_chars:.0f} characters"
    )
    print(f"codebook load and compile: {compile_s:.2f} s")
    print(f"calibration loop before: {calibration():.2f} s CPU")
    walls, cpus = [], []
    for run in range(1, args.runs + 1):
        w0, c0 = time.perf_counter(), time.process_time()
        codings = code_records(records, codebook)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        walls.append(wall)
        cpus.append(cpu)
        evidence = sum(len(c.evidence) for c in codings)
        print(
            f"run {run}: {len(codings)} records in {wall:.2f} s wall, {cpu:.2f} s CPU "
            f"({len(codings) / wall:,.0f} records/s; {evidence:,} evidence items)"
        )
    print(f"calibration loop after: {calibration():.2f} s CPU")
    print(
        f"median: {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU "
        f"for {args.records:,} records"
    )


if __name__ == "__main__":
    main()
