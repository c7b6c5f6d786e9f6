"""Simulate screening a labelled set with the app's ranking, and write the order it gives.

Reads one file in any supported format with a ``label_included`` column (1 included,
0 excluded). Starts from one included and one excluded record chosen by --seed, then
shows the record the ranking puts first, reveals its label, retrains as labels come in
(the app's own model, `lib.screening.ranking`), until every record is shown. Writes one
row per record in that order: ``record_id,rank,label_included`` (the two starting
records at ranks 1 and 2). On standard error: the file's import report, then WSS@95,
recall after 10% and records screened to find 95% of the included.

Exit codes: 0 done; 2 the file could not be read at all; 1 a usage or output error,
including a file without a ``label_included`` value of 1 or 0 on every record (the
lines are named), or without at least one included and one excluded record.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib.commands.common import EXIT_OK, EXIT_UNREADABLE, EXIT_USAGE, report_run, write_csv

HELP = "simulate screening a labelled file with the app's ranking; write the order"
COLUMN = "label_included"
OUT_COLUMNS = ("record_id", "rank", "label_included")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="LABELLED", help="a file with a label_included column")
    parser.add_argument(
        "--out", metavar="CSV", required=True, help="order CSV to write ('-' for stdout)"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="chooses the included and the excluded record to start from (default 0)",
    )


def _labels(records: list, file_name: str) -> tuple[list[int], list[str]]:
    """The 1/0 label of every record, or the problems (naming lines) when any lacks one."""
    labels: list[int] = []
    problems: list[str] = []
    for record in records:
        values = {k.strip().lower(): v for k, v in record.original.items()}.get(COLUMN)
        raw = (values[0] if values else "").strip()
        value = {"1": 1, "0": 0, "1.0": 1, "0.0": 0}.get(raw)
        if value is None:
            at = f"line {record.line}" if record.line is not None else "a record"
            said = f"{raw!r}" if raw else "no value"
            problems.append(f"{file_name}: {at} ({record.record_id}): {COLUMN} is {said}")
        labels.append(value if value is not None else -1)
    return labels, problems


def run(args: argparse.Namespace) -> int:
    from lib.ingest import ingest_paths

    path = Path(args.file)
    ingested = ingest_paths([path])
    report_run(ingested)
    if ingested.failures:
        return EXIT_UNREADABLE
    records = ingested.records
    if not any(COLUMN in (k.strip().lower() for k in record.original) for record in records):
        print(
            f"error: {path.name}: no {COLUMN} column; add one with 1 (included) or 0 "
            "(excluded) for every record",
            file=sys.stderr,
        )
        return EXIT_USAGE
    labels, problems = _labels(records, path.name)
    if problems:
        for line in problems[:20]:
            print(f"error: {line}", file=sys.stderr)
        if len(problems) > 20:
            print(f"error: ... and {len(problems) - 20} more", file=sys.stderr)
        print(f"error: {path.name}: every record needs {COLUMN} 1 or 0", file=sys.stderr)
        return EXIT_USAGE
    return _simulate(records, labels, args)


def _simulate(records: list, labels: list[int], args: argparse.Namespace) -> int:
    import numpy as np

    from lib.screening.ranking import document_text
    from lib.screening.simulation import figures, simulate

    texts = [document_text(r.title, r.abstract, r.keywords) for r in records]
    array = np.asarray(labels, dtype=np.int8)
    try:
        order = simulate(texts, array, args.seed)
    except ValueError as exc:
        print(f"error: {Path(args.file).name}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    rows = (
        {"record_id": records[i].record_id, "rank": rank, "label_included": labels[i]}
        for rank, i in enumerate(order.tolist(), start=1)
    )
    try:
        write_csv(args.out, OUT_COLUMNS, rows)
    except OSError as exc:
        print(
            f"error: cannot write {args.out}: {exc.strerror}; "
            "check the folder exists and you may write to it",
            file=sys.stderr,
        )
        return EXIT_USAGE
    scored = figures(order, array)
    print(
        f"{len(records)} records ({scored.included} included) in screening order into "
        f"{args.out}; WSS@95 {scored.wss95:.1%}, recall after 10% {scored.recall10:.1%}, "
        f"95% of included found after {scored.screened95} records "
        f"({scored.screened95 / len(records):.1%})",
        file=sys.stderr,
    )
    return EXIT_OK
