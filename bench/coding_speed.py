"""How fast ``python -m lib.cli code`` codes 100,000 records, timed as the user runs it.

Target (issue 13): 100,000 records with ~1,500-character abstracts in <= 30 s and
<= 1.5 GiB, the whole process (reading the export, coding, writing the CSV).

The export is a RIS file written into ``bench/out/`` (seeded: every run writes the same
file). Its records are made from real text read at benchmark time, never committed: the
abstracts of the shared hand-coded prison set, of the shared sample exports and the demo
summaries, each record taking one real abstract (topped up with sentences of another to
~1,500 characters), fresh sample sizes and percentages, and one never-seen word, so that
the vocabulary grows with the corpus as a real one does (about 100,000 distinct words more
per 100,000 records). ``--text synthetic`` writes instead the ingest benchmark's records,
whose every word is a codebook word (a worst case, not a realistic one).

Each run is a fresh process; wall time and CPU time (user + system, workers included)
come from the operating system (``wait4``), the peak memory from sampling the
proportional set size of the process and its workers (shared pages counted once). The
load average is printed before and after: the machine is shared, so quote medians and
the load beside them.

    .venv/bin/python bench/coding_speed.py                       # 100,000 records, 3 runs
    .venv/bin/python bench/coding_speed.py --records 20000 --runs 1
    .venv/bin/python bench/coding_speed.py --text synthetic
    .venv/bin/python bench/coding_speed.py --jobs 1             # one process
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

OUT = ROOT / "bench" / "out"
SHARED = ROOT.parent / "shared"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_NUMBER = re.compile(r"(?<![\w.-])\d{2,4}(?![\w.%-])")
_PERCENT = re.compile(r"\b\d{1,2}(?:\.\d)?%")


def real_texts() -> list[tuple[str, str]]:
    """(title, abstract) of every real record at hand with a 400-2,400 character abstract."""
    from lib.ingest import ingest_paths

    pairs: list[tuple[str, str]] = []
    hand = SHARED / "benchmarks" / "coding" / "prison-abstracts" / "records.csv"
    if hand.exists():
        with hand.open(encoding="utf-8", newline="") as fh:
            pairs += [(r["title"], r["abstract"]) for r in csv.DictReader(fh)]
    samples = SHARED / "samples"
    if samples.exists():
        paths = sorted(p for p in samples.iterdir() if p.name not in ("MANIFEST.csv", "README.md"))
        pairs += [(r.title, r.abstract) for r in ingest_paths(paths).records]
    demo = ROOT / "data" / "demo" / "studies.csv"
    with demo.open(encoding="utf-8", newline="") as fh:
        pairs += [(r["title"], r["summary"]) for r in csv.DictReader(fh)]
    pairs = [(t, " ".join(a.split())) for t, a in pairs if 400 <= len(a) <= 2400 and t]
    if len(pairs) < 100:
        sys.exit("too few real abstracts: is ../shared present?")
    return pairs


def _pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(4))


def write_real_ris(path: Path, n: int, seed: int = 13) -> float:
    """Write `n` records of real text; returns the mean abstract length in characters."""
    rng = random.Random(seed)
    pool = real_texts()
    total = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            title, abstract = pool[rng.randrange(len(pool))]
            while len(abstract) < 1000:
                _, extra = pool[rng.randrange(len(pool))]
                sentences = _SENTENCE_END.split(extra)
                abstract += " " + " ".join(sentences[: max(1, len(sentences) // 4)])
            abstract = _NUMBER.sub(lambda _: str(rng.randrange(12, 2000)), abstract)
            abstract = _PERCENT.sub(lambda _: f"{rng.randrange(1, 99)}%", abstract)
            words = abstract.split(" ")
            at = rng.randrange(len(words))
            words.insert(at, _pseudo_word(rng))
            abstract = " ".join(words)
            total += len(abstract)
            fh.write(
                f"TY  - JOUR\nID  - bench{i}\nAU  - Author, A.\nTI  - {title}\n"
                f"PY  - {1990 + i % 35}\nAB  - {abstract}\nKW  - prison\nKW  - peer support\n"
                "ER  - \n\n"
            )
    return total / n


def _tree(pid: int) -> list[int]:
    """The process and its descendants (Linux /proc)."""
    out = [pid]
    for pos in range(len(out) + 1000):
        if pos >= len(out):
            break
        try:
            tasks = Path(f"/proc/{out[pos]}/task").iterdir()
            for task in tasks:
                out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def _pss_mib(pid: int) -> float:
    """Proportional set size of the process tree: shared pages counted once in all."""
    total = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def run_once(path: Path, out: Path, jobs: int | None) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak MiB, exit code) of one ``lib.cli code`` process.

    CPU time includes the worker processes; the peak is the largest sum of the
    proportional set size of the process and its workers, sampled every 0.1 s.
    """
    command = [sys.executable, "-m", "lib.cli", "code", str(path), "--out", str(out)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    peak = 0.0
    while True:
        done, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if done:
            break
        peak = max(peak, _pss_mib(proc.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, max(peak, usage.ru_maxrss / 1024), proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--text", choices=("real", "synthetic"), default="real")
    parser.add_argument("--jobs", type=int, default=None, help="passed to lib.cli code")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"coding-{args.text}-{args.records}.ris"
    if args.text == "real":
        mean = write_real_ris(path, args.records)
        print(f"wrote {path.name}: {args.records:,} records, mean abstract {mean:,.0f} characters")
    else:
        from synthetic_exports import write_ris

        write_ris(path, args.records)
        print(f"wrote {path.name}: {args.records:,} synthetic records")
    print(
        f"file size {path.stat().st_size / 2**20:,.0f} MiB; load average before "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    walls, cpus, peaks = [], [], []
    for run in range(1, args.runs + 1):
        wall, cpu, peak, code = run_once(path, OUT / "coded.csv", args.jobs)
        if code != 0:
            sys.exit(f"run {run}: lib.cli code exited {code}")
        walls.append(wall)
        cpus.append(cpu)
        peaks.append(peak)
        print(f"run {run}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {peak:,.0f} MiB")
    print(f"load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"median {statistics.median(walls):.1f} s wall, {statistics.median(cpus):.1f} s CPU; "
        f"largest peak {max(peaks):,.0f} MiB ({args.records:,} records, {args.text} text)"
    )


if __name__ == "__main__":
    main()
