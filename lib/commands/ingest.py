"""Read export files and write the canonical CSV, one row per record read.

With --project the records are also stored in that project file, each file as one
import (all of its records or none); a file imported before is reported and not stored
again. When another import is writing to the same project, this one says so and waits
for it; if it waits too long it stops with one line (exit 1), storing nothing more.
"""

from __future__ import annotations

import argparse
import sys

from lib.commands.common import EXIT_UNREADABLE, add_input_arguments, read_inputs, write_csv
from lib.model import CANONICAL_COLUMNS, EXTRA_COLUMNS

HELP = "read exports and write the canonical CSV (and/or store them in a project)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    parser.add_argument("--out", metavar="CSV", help="canonical CSV to write ('-' for stdout)")
    parser.add_argument("--project", metavar="P.sqlite", help="project file to import into")


def run(args: argparse.Namespace) -> int:
    if not args.out and not args.project:
        print("error: give --out CSV, --project P.sqlite or both", file=sys.stderr)
        return 1
    records, run_, code = read_inputs(args)
    if args.project:
        from lib.project import AlreadyImported, ProjectError, open_project

        try:
            project = open_project(args.project)
        except ProjectError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        with project:
            for read in run_.files:
                try:
                    import_id = project.add_import(read, on_wait=_say_waiting)
                except AlreadyImported as exc:
                    print(f"note: {exc}", file=sys.stderr)
                    continue
                except ProjectError as exc:  # busy too long, or the file cannot be written
                    print(f"error: {exc}", file=sys.stderr)
                    return 1
                print(
                    f"{read.report.file_name}: stored as import {import_id} in {args.project}",
                    file=sys.stderr,
                )
    if args.out:
        try:
            write_csv(args.out, CANONICAL_COLUMNS + EXTRA_COLUMNS, (r.to_row() for r in records))
        except OSError as exc:
            print(
                f"error: cannot write {args.out}: {exc.strerror}; "
                "check the folder exists and you may write to it",
                file=sys.stderr,
            )
            return 1
    return EXIT_UNREADABLE if code else 0


def _say_waiting(message: str) -> None:
    print(f"note: {message} …", file=sys.stderr, flush=True)
