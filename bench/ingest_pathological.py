"""Ingest time of the inputs that used to take quadratic time (issue 16, family 11).

Writes seeded synthetic files into a temporary folder and times the whole command
``python -m lib.cli ingest FILE --out OUT.csv`` on each, in a fresh process, as a user
meets it:

- ``bibtex-same-key``: ``--entries`` BibTeX entries (50,000 by default) that all share
  one key, as a careless export or a merge of several ``@misc{key,...}`` files gives;
  every id after the first must be made unique (``key~2``, ``key~3``...);
- ``ris-wrapped``, ``medline-wrapped``, ``wos-wrapped``: one record whose abstract is
  ``--field-mb`` megabytes (10 by default) wrapped over continuation lines, plus a few
  ordinary records. MEDLINE and WoS also come in an ``-odd`` variant whose continuation
  lines are indented with a tab, which the readers' fast paths decline (the line-by-line
  readers are the ones that were quadratic).

Each case runs ``--repeat`` times (median wall time reported); ``--timeout`` caps a run,
so the old code can be measured without waiting for hours.

    .venv/bin/python bench/ingest_pathological.py
    .venv/bin/python bench/ingest_pathological.py --cases bibtex-same-key --entries 10000
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = (
    "peer support prison listener mentor desistance wellbeing suicide self-harm qualitative "
    "interviews thematic analysis offenders custody rehabilitation programme evaluation"
).split()


def _text(rng: random.Random, chars: int) -> str:
    """About ``chars`` characters of words (one string, built once)."""
    words: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)


def _wrapped(value: str, width: int = 70) -> list[str]:
    # textwrap on 10 MB is slow; fixed-width cuts at spaces are enough here
    lines, start = [], 0
    while start < len(value):
        end = value.rfind(" ", start, start + width) if start + width < len(value) else -1
        end = len(value) if end <= start else end
        lines.append(value[start:end].strip())
        start = end + 1
    return lines


def write_bibtex_same_key(path: Path, entries: int, _mb: float) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(entries):
            fh.write(
                f"@article{{smith2020,\n  title = {{Peer support in prison, part {i}}},\n"
                f"  author = {{Smith, Anna and Jones, Ben}},\n  year = {{2020}},\n"
                f"  journal = {{Prison Journal}},\n}}\n\n"
            )


def _ris_record(title: str, abstract_lines: list[str], n: int) -> str:
    head = ["TY  - JOUR", f"ID  - rec{n}", f"TI  - {title}", "AU  - Smith, Anna", "PY  - 2020"]
    body = [f"AB  - {abstract_lines[0]}", *abstract_lines[1:]] if abstract_lines else []
    return "\n".join(head + body + ["ER  - ", ""]) + "\n"


def write_ris_wrapped(path: Path, _entries: int, mb: float) -> None:
    rng = random.Random(1)
    lines = _wrapped(_text(rng, int(mb * 1_000_000)))
    with path.open("w", encoding="utf-8") as fh:
        fh.write(_ris_record("A short record", ["Short."], 1))
        fh.write(_ris_record("The record with a huge abstract", lines, 2))
        fh.write(_ris_record("Another short record", ["Short."], 3))


def _medline_record(pmid: int, title: str, abstract_lines: list[str], indent: str) -> str:
    out = [f"PMID- {pmid}", "OWN - NLM", f"TI  - {title}", f"AB  - {abstract_lines[0]}"]
    out += [f"{indent}{line}" for line in abstract_lines[1:]]
    out += ["FAU - Smith, Anna", "AU  - Smith A", "DP  - 2020", "JT  - Prison Journal"]
    out += ["SO  - Prison J. 2020;1(1):1-2.", ""]
    return "\n".join(out) + "\n"


def _write_medline(path: Path, mb: float, indent: str) -> None:
    rng = random.Random(2)
    lines = _wrapped(_text(rng, int(mb * 1_000_000)), 74)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(_medline_record(1, "A short record", ["Short."], indent))
        fh.write(_medline_record(2, "The record with a huge abstract", lines, indent))
        fh.write(_medline_record(3, "Another short record", ["Short."], indent))


def _wos_record(ut: int, title: str, abstract_lines: list[str], indent: str) -> str:
    out = ["PT J", "AU Smith, A", f"TI {title}", "SO PRISON JOURNAL", "PY 2020"]
    out += [f"AB {abstract_lines[0]}"] + [f"{indent}{line}" for line in abstract_lines[1:]]
    out += [f"UT WOS:{ut:015d}", "ER", ""]
    return "\n".join(out) + "\n"


def _write_wos(path: Path, mb: float, indent: str) -> None:
    rng = random.Random(3)
    lines = _wrapped(_text(rng, int(mb * 1_000_000)), 74)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("FN Clarivate Analytics Web of Science\nVR 1.0\n")
        fh.write(_wos_record(1, "A short record", ["Short."], indent))
        fh.write(_wos_record(2, "The record with a huge abstract", lines, indent))
        fh.write(_wos_record(3, "Another short record", ["Short."], indent))
        fh.write("EF\n")


CASES: dict[str, tuple[str, Callable[[Path, int, float], None]]] = {
    "bibtex-same-key": (".bib", write_bibtex_same_key),
    "ris-wrapped": (".ris", write_ris_wrapped),
    "medline-wrapped": (".nbib", lambda p, _n, mb: _write_medline(p, mb, " " * 6)),
    "medline-wrapped-odd": (".nbib", lambda p, _n, mb: _write_medline(p, mb, "\t")),
    "wos-wrapped": (".txt", lambda p, _n, mb: _write_wos(p, mb, " " * 3)),
    "wos-wrapped-odd": (".txt", lambda p, _n, mb: _write_wos(p, mb, "\t")),
}


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(path: Path, out: Path, timeout: float) -> tuple[float | None, float, str]:
    """Wall and CPU seconds of one whole ingest process (wall None on timeout), and the
    first line of its report. CPU time is the fairer figure on a shared machine."""
    cmd = [sys.executable, "-m", "lib.cli", "ingest", str(path), "--out", str(out)]
    cpu = _cpu_of_children()
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return None, 0.0, ""
    seconds = time.perf_counter() - started
    head = (proc.stderr.splitlines() or [""])[0]
    if proc.returncode not in (0,):
        head = f"exit {proc.returncode}: {head}"
    return seconds, _cpu_of_children() - cpu, head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES))
    parser.add_argument("--entries", type=int, default=50_000, help="BibTeX entries")
    parser.add_argument("--field-mb", type=float, default=10.0, help="size of the huge field")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    print("| case | file MB | runs | median wall s | median CPU s | report |")
    print("|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases:
            suffix, write = CASES[name]
            path = Path(tmp) / f"{name}{suffix}"
            write(path, args.entries, args.field_mb)
            size = path.stat().st_size / 1e6
            times: list[float] = []
            cpus: list[float] = []
            head = ""
            for _ in range(args.repeat):
                seconds, cpu, head = _run(path, Path(tmp) / "out.csv", args.timeout)
                if seconds is None:
                    break
                times.append(seconds)
                cpus.append(cpu)
            wall = f"{statistics.median(times):.1f}" if times else f"> {args.timeout:.0f}"
            cpu_shown = f"{statistics.median(cpus):.1f}" if cpus else ""
            runs = len(times) if times else 1
            print(f"| {name} | {size:.1f} | {runs} | {wall} | {cpu_shown} | {head} |", flush=True)
            path.unlink()
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
