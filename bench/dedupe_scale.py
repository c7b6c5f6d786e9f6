"""Deduplication at scale: synthetic exports of 10k, 100k and 1M records.

Each size runs in a fresh process that builds the records (bench/dedupe_synthetic.py,
not timed), then deduplicates them: the wall time of `deduplicate`, the peak resident
memory of the whole process (records included), and the quality against the synthetic
truth. With --cli, the 100k set is also written as a CSV and run through the command a
user runs (`python -m lib.cli dedupe FILE --out clusters.csv`), reading and writing
included.

    .venv/bin/python bench/dedupe_scale.py                  # 10k, 100k, 1M
    .venv/bin/python bench/dedupe_scale.py --sizes 100000 --cli

Results: a Markdown table on stdout and bench/out/dedupe_scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def _child(n: int) -> None:
    """Runs in the measured process: build, deduplicate, report as JSON."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import gc

    from dedupe_metrics import pairwise_quality
    from dedupe_synthetic import generate, to_records

    from lib.dedupe import deduplicate

    rows, truth = generate(n)
    records = to_records(rows)
    del rows
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    result = deduplicate(records)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    q = pairwise_quality(result.cluster_of, truth)
    stats = {k: round(v, 2) for k, v in result.stats.items()}
    print(
        json.dumps(
            {
                "records": n,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "peak_mib": round(peak / 1024),
                "records_mib": round(before / 1024),
                "precision": round(q.precision, 4),
                "recall": round(q.recall, 4),
                "false_merge_pairs": q.false_merges,
                "to_review": len(result.possible()),
                "load": round(os.getloadavg()[0], 1),
                "stats": stats,
            }
        )
    )


def _cli(n: int) -> dict[str, object]:
    sys.path.insert(0, str(ROOT / "bench"))
    from dedupe_synthetic import generate, write_csv

    OUT.mkdir(exist_ok=True)
    source = OUT / f"synthetic-{n}.csv"
    rows, _ = generate(n)
    write_csv(rows, source)
    del rows
    command = [sys.executable, "-m", "lib.cli", "dedupe", str(source), "--out",
               str(OUT / f"clusters-{n}.csv")]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "records": n,
        "command": " ".join(["python", *command[1:]]).replace(str(ROOT) + "/", ""),
        "seconds": round(seconds, 2),
        "peak_mib": round(peak / 1024),
        "load": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--cli", action="store_true", help="also time the CLI on 100k records")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    results = []
    for n in args.sizes:
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(n)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(done.stdout))
        print(f"{n}: {results[-1]['seconds']} s", file=sys.stderr)
    cli = _cli(100_000) if args.cli else None
    OUT.mkdir(exist_ok=True)
    (OUT / "dedupe_scale.json").write_text(json.dumps({"engine": results, "cli": cli}, indent=2))
    print("| records | seconds (CPU) | peak MiB (records alone) | precision | recall "
          "| false merges | to review | load avg |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['records']:,} | {r['seconds']:.1f} ({r['cpu_seconds']:.1f}) "
            f"| {r['peak_mib']:,} ({r['records_mib']:,}) "
            f"| {r['precision']:.4f} | {r['recall']:.4f} | {r['false_merge_pairs']} "
            f"| {r['to_review']} | {r['load']} |"
        )
    if cli:
        print(f"\nCLI, {cli['records']:,} records: {cli['seconds']} s, peak {cli['peak_mib']} MiB "
              f"(load {cli['load']}): `{cli['command']}`")  # fmt: skip


if __name__ == "__main__":
    main()
