"""`python -m lib.cli dedupe` on 2,000 records, timed as a user meets it: the whole process.

Target (issue 15): at most 1 s of wall time from start to exit. Two inputs of 2,000
records: a synthetic export (bench/dedupe_synthetic.py, seed 7: 1-4 copies of each
publication) and, when ../shared is present, real records (all of asysd_diabetes, the
duplicate-heavy set with abstracts, then sra2015_stroke up to 2,000), written to a
temporary folder for the run and deleted after. Each is run --runs times after one
warm-up run (the operating system's file cache, not Python's); the table gives median,
fastest and slowest wall time, with the load average before and after, and the median
CPU time of the process (user + system), which is what the wall time comes to on an
idle machine and what a loaded one inflates least. Beside it: the
bare interpreter (``python -c pass``) and the import of the command alone, and the
modules that take longest to import (``python -X importtime``, median of 5).

    .venv/bin/python bench/dedupe_cli_startup.py --runs 10
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks" / "dedupe"
PYTHON = sys.executable
RECORDS = 2000
COLUMNS = ("record_id", "title", "authors", "year", "journal", "volume", "issue", "pages",
           "doi", "abstract", "entrytype")  # fmt: skip


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _real_file(folder: Path) -> Path | None:
    """2,000 real records from the shared sets (not kept: a temporary file)."""
    rows: list[dict[str, str]] = []
    for name in ("asysd_diabetes", "sra2015_stroke"):
        path = SHARED / name / "records.csv"
        if not path.exists():
            return None
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                rows.append({c: row.get(c, "") for c in COLUMNS} | {"record_id": f"r{len(rows)}"})
    out = folder / "real-2000.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        writer.writerows(rows[:RECORDS])
    return out


def _synthetic_file(folder: Path) -> Path:
    out = folder / "synthetic-2000.csv"
    subprocess.run(
        [PYTHON, str(ROOT / "bench" / "dedupe_synthetic.py"), str(RECORDS), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    return out


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _wall(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds) of each run of ``command`` as a whole process."""
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), _children_cpu()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - cpu_started)
    return times, cpu


def _importtime(runs: int = 5) -> list[tuple[str, float]]:
    """(module, median cumulative ms) of the slowest imports of the dedupe command."""
    per_module: dict[str, list[float]] = {}
    for _ in range(runs):
        done = subprocess.run(
            [PYTHON, "-X", "importtime", "-c", "import lib.cli, lib.commands.dedupe"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        for line in done.stderr.splitlines():
            match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
            if match and len(match.group(2)) <= 5:
                per_module.setdefault(match.group(3), []).append(int(match.group(1)) / 1000)
    medians = [(name, statistics.median(ms)) for name, ms in per_module.items()]
    return sorted(medians, key=lambda x: -x[1])[:12]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    before = _load()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = [("synthetic", _synthetic_file(folder))]
        real = _real_file(folder)
        if real:
            inputs.append(("real (asysd_diabetes + sra2015_stroke)", real))
        rows.append(("python -c pass", _wall([PYTHON, "-c", "pass"], args.runs)))
        rows.append(
            (
                "import the dedupe command",
                _wall([PYTHON, "-c", "import lib.cli, lib.commands.dedupe"], args.runs),
            )
        )
        for label, path in inputs:
            command = [PYTHON, "-m", "lib.cli", "dedupe", str(path), "--out", str(folder / "o.csv")]
            rows.append((f"dedupe, 2,000 records, {label}", _wall(command, args.runs)))
    after = _load()
    print(f"load average before: {before}; after: {after}; {args.runs} runs each\n")
    print(
        "| command | median s | fastest s | slowest s | median CPU s |\n|---|---:|---:|---:|---:|"
    )
    for label, (times, cpu) in rows:
        print(
            f"| {label} | {statistics.median(times):.3f} | {min(times):.3f} | "
            f"{max(times):.3f} | {statistics.median(cpu):.3f} |"
        )
    print("\nSlowest imports of `lib.cli` + `lib.commands.dedupe` (median ms, cumulative):\n")
    print("| module | ms |\n|---|---:|")
    for name, ms in _importtime():
        print(f"| {name} | {ms:.0f} |")


if __name__ == "__main__":
    main()
