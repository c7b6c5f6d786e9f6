"""Code every record read (method, population, perspective, direction of findings, themes,
setting, country, peer role), each code with the words that decided it.

Writes one CSV row per record read: ``record_id``, the eight facets (several codes in one
cell are joined with "; "), then one ``<facet>_evidence`` column per facet naming the
field and the phrase, e.g. ``abstract: 'semi-structured interviews'`` (for a facet with
several codes, per code: ``women [title: 'female prisoners']; reentry [abstract: 'after
release']``). The rules come from data/codebook.yaml unless --codebook names another.
Records are coded on --jobs processes (default: the cores available, at most 4), from
the first thousands read on, while the rest is still being read. Exit
codes as for ``ingest``: 0 every file read, 2 a file could not be read (the others are
still coded), 1 a usage or output error (including a codebook that cannot be used).
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from lib.coding import CSV_COLUMNS, CodebookError, default_codebook_path, load_codebook
from lib.coding.batch import coded_rows, default_jobs, streaming
from lib.commands.common import (
    EXIT_OK,
    EXIT_UNREADABLE,
    EXIT_USAGE,
    add_input_arguments,
    read_inputs,
    write_csv,
)

HELP = "code records (method, population, findings, ...) with evidence, as a CSV"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    parser.add_argument(
        "--out", metavar="CSV", required=True, help="coded CSV to write ('-' for stdout)"
    )
    parser.add_argument(
        "--codebook",
        metavar="YAML",
        type=Path,
        default=None,
        help="codebook to code with (default: data/codebook.yaml)",
    )
    parser.add_argument(
        "--jobs",
        metavar="N",
        type=int,
        default=None,
        help=f"processes to code with (default: the cores available, at most 4; here "
        f"{default_jobs()})",
    )


def run(args: argparse.Namespace) -> int:
    try:
        codebook = load_codebook(args.codebook or default_codebook_path())
    except CodebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs is not None and args.jobs < 1:
        print("error: --jobs must be 1 or more", file=sys.stderr)
        return EXIT_USAGE
    # records are coded on the workers while the rest of the export is still being read
    with streaming(codebook, args.jobs) as coder:
        records, _, code = read_inputs(args)
        rows = coded_rows(records, codebook, 1) if coder is None else coder.rows(records)
        try:
            write_csv(args.out, CSV_COLUMNS, rows)
        except BrokenProcessPool:
            print(
                f"error: a coding process stopped unexpectedly (out of memory, or killed); "
                f"nothing was written to {args.out}. Try again, or with --jobs 1",
                file=sys.stderr,
            )
            return EXIT_USAGE
        except OSError as exc:
            print(
                f"error: cannot write {args.out}: {exc.strerror}; "
                "check the folder exists and you may write to it",
                file=sys.stderr,
            )
            return EXIT_USAGE
    if args.out != "-":
        print(f"{len(records)} records coded into {args.out}", file=sys.stderr)
    return EXIT_UNREADABLE if code else EXIT_OK
