"""Quality, review queue and speed of deduplication on every labelled set, against bib-dedupe.

For each set in ../shared/benchmarks/dedupe/: pairwise precision, recall, F1 and the
count of false-merge pairs of this project's engine and of bib-dedupe; the review queue
each leaves to a person (its length, per 50 records, how many of its pairs are true
duplicates, and for this engine, whose queue is ranked, how many of the first five are;
how many of the duplicates it missed the queue offers); and the time each takes to
deduplicate (median of --runs; reading the file is not timed for either), in the same
run on the same machine, as wall time and as CPU time (bib-dedupe's process pools
included), which a loaded machine inflates less. Every run of this engine starts with
its caches empty, as a fresh process would.

    .venv/bin/python bench/dedupe_quality.py --runs 3
    .venv/bin/python bench/dedupe_quality.py --no-bib-dedupe     # this engine only

bib-dedupe runs in its own environment (see bench/requirements.txt); without it the
script reports this engine alone. Results: Markdown tables on stdout and
bench/out/dedupe_quality.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dedupe_metrics import Quality, pairwise_quality, queue_quality  # noqa: E402

from lib.dedupe import deduplicate  # noqa: E402
from lib.dedupe.normalize import clear_caches  # noqa: E402
from lib.ingest import read_path  # noqa: E402

SHARED = ROOT.parent / "shared" / "benchmarks" / "dedupe"
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
RUNNER = ROOT / "bench" / "dedupe_bibdedupe_runner.py"
TOP = 5  # the head of the queue whose precision is reported


def _ours(
    path: Path, runs: int
) -> tuple[dict[str, str], tuple[float, float], list[tuple[str, str]], list]:
    records = read_path(path).records
    times, cpu = [], []
    result = None
    for _ in range(runs):
        clear_caches()
        started, cpu_started = time.perf_counter(), time.process_time()
        result = deduplicate(records)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    assert result is not None
    queue = [(p.a, p.b) for p in result.possible()]
    seconds = (statistics.median(times), statistics.median(cpu))
    return result.cluster_of, seconds, queue, records


def _theirs(
    python: Path, path: Path, runs: int
) -> tuple[dict[str, str], tuple[float, float], list[tuple[str, str]]]:
    times, cpu = [], []
    out: dict = {}
    for _ in range(runs):
        done = subprocess.run(
            [str(python), str(RUNNER), str(path)], capture_output=True, text=True, check=True
        )
        out = json.loads(done.stdout)
        times.append(out["seconds"])
        cpu.append(out["cpu_seconds"])
    seconds = (statistics.median(times), statistics.median(cpu))
    return out["cluster_of"], seconds, [tuple(p) for p in out["maybe_pairs"]]


def _row(
    name: str,
    who: str,
    q: Quality,
    seconds: tuple[float, float],
    queue: dict[str, float | int | None],
    records: int,
) -> dict[str, object]:
    return {
        "set": name,
        "tool": who,
        "records": records,
        "precision": round(q.precision, 4),
        "recall": round(q.recall, 4),
        "f1": round(q.f1, 4),
        "false_merge_pairs": q.false_merges,
        "missed_pairs": q.missed,
        "true_pairs": q.true_pairs,
        **queue,
        "seconds": round(seconds[0], 3),
        "cpu_seconds": round(seconds[1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool and set")
    parser.add_argument("--bib-dedupe-python", type=Path, default=BENCH_PYTHON)
    parser.add_argument("--no-bib-dedupe", action="store_true")
    parser.add_argument("--sets", nargs="*", help="only these sets")
    args = parser.parse_args()
    print(f"load average before: {_load()}", file=sys.stderr)
    compare = not args.no_bib_dedupe and args.bib_dedupe_python.exists()
    if not args.no_bib_dedupe and not compare:
        print(f"note: {args.bib_dedupe_python} not found; this engine only", file=sys.stderr)
    rows = []
    for folder in sorted(p for p in SHARED.iterdir() if (p / "records.csv").exists()):
        name = folder.name
        if args.sets and name not in args.sets:
            continue
        path = folder / "records.csv"
        cluster_of, seconds, queue, records = _ours(path, args.runs)
        truth = {r.record_id: r.original["group_id"][0] for r in records}
        scopes: list[tuple[str, dict[str, str] | None]] = [(name, None)]
        if name == "bibdedupe_pair_cases":
            case = {r.record_id: r.original["case_id"][0] for r in records}
            scopes.append((f"{name} (within each case)", case))
        theirs = _theirs(args.bib_dedupe_python, path, args.runs) if compare else None
        n = len(records)
        for label, scope in scopes:
            q = pairwise_quality(cluster_of, truth, scope=scope)
            rq = queue_quality(queue, cluster_of, truth, scope=scope, top=TOP)
            rows.append(_row(label, "this engine", q, seconds, rq, n))
            if theirs:
                q = pairwise_quality(theirs[0], truth, scope=scope)
                rq = queue_quality(theirs[2], theirs[0], truth, scope=scope, top=None)
                rows.append(_row(label, "bib-dedupe", q, theirs[1], rq, n))
        print(f"{name}: done", file=sys.stderr)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "dedupe_quality.json").write_text(json.dumps(rows, indent=2))
    print(f"load average after: {_load()}", file=sys.stderr)
    print(_markdown(rows))


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _markdown(rows: list[dict[str, object]]) -> str:
    head = (
        "| set | tool | precision | recall | F1 | false-merge pairs | missed pairs "
        "| seconds |\n|---|---|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r['set']} | {r['tool']} | {r['precision']:.4f} | {r['recall']:.4f} | "
            f"{r['f1']:.4f} | {r['false_merge_pairs']} | {r['missed_pairs']}/{r['true_pairs']} "
            f"| {r['seconds']:.2f} |"
        )
    lines += [
        "",
        f"| set | tool | to review | per 50 records | true duplicates in it | first {TOP} "
        "| misses offered |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        top = "" if r["top_true"] is None else f"{r['top_true']}/{r['top_len']}"
        lines.append(
            f"| {r['set']} | {r['tool']} | {r['to_review']} | {r['per_50']:.2f} | "
            f"{r['queue_true']} | {top} | {r['misses_offered']}/{r['missed_groups']} |"
        )
    ours = {r["set"]: r for r in rows if r["tool"] == "this engine" and "within" not in r["set"]}
    theirs = {r["set"]: r for r in rows if r["tool"] == "bib-dedupe" and "within" not in r["set"]}
    if theirs:
        lines += [
            "",
            "| set | bib-dedupe s | this engine s | ratio | bib-dedupe CPU s "
            "| this engine CPU s | CPU ratio |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for name in [*theirs, "all sets"]:
            if name == "all sets":
                t = {k: sum(r[k] for r in theirs.values()) for k in ("seconds", "cpu_seconds")}
                o = {k: sum(r[k] for r in ours.values()) for k in ("seconds", "cpu_seconds")}
            else:
                t, o = theirs[name], ours[name]
            lines.append(
                f"| {name} | {t['seconds']:.2f} | {o['seconds']:.3f} | "
                f"{t['seconds'] / o['seconds']:.0f}× | {t['cpu_seconds']:.2f} | "
                f"{o['cpu_seconds']:.3f} | {t['cpu_seconds'] / o['cpu_seconds']:.0f}× |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
