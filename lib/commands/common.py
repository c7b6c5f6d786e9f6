"""What every subcommand shares: reading input files and reporting like `ingest` does.

Exit codes (a contract): 0 every file was read (skipped records are listed on stderr);
2 at least one file could not be read at all (one line per such file on stderr, the other
files still read); 1 a usage or output error (bad option, output not writable).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from lib.background import process_exists
from lib.ingest import IngestRun, ingest_paths, make_ids_unique
from lib.model import Record
from lib.spreadsheet import safe_cell

__all__ = [
    "EXIT_OK",
    "EXIT_UNREADABLE",
    "EXIT_USAGE",
    "add_input_arguments",
    "read_inputs",
    "report_run",
    "write_csv",
]

EXIT_OK = 0
EXIT_USAGE = 1
EXIT_UNREADABLE = 2


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="export files or folders to read (none: the demo corpus in data/demo/exports)",
    )
    parser.add_argument(
        "--source",
        metavar="LABEL",
        default="",
        help='database label for every file, e.g. "Scopus" (default: what the file says, '
        "else its name)",
    )
    parser.add_argument(
        "--format",
        dest="format_name",
        metavar="NAME",
        default=None,
        help="read every file as this format instead of detecting it (e.g. ris, bibtex)",
    )


def expand(paths: Iterable[str]) -> list[Path]:
    """Files as given; a folder stands for the files directly inside it, sorted."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(c for c in p.iterdir() if c.is_file() and not c.name.startswith("."))
        else:
            out.append(p)
    return out


def report_run(run: IngestRun, stream: TextIO | None = None) -> None:
    """The import report of every file, and one line per unreadable file, on stderr."""
    stream = stream or sys.stderr
    for read in run.files:
        for line in read.report.lines():
            print(line, file=stream)
    for failure in run.failures:
        print(f"error: {failure.message()}", file=stream)


def read_inputs(args: argparse.Namespace) -> tuple[list[Record], IngestRun, int]:
    """Read the FILE arguments; returns the records, the run and the exit code so far.

    With no FILE the demo corpus is read, each export under its database's label.
    """
    if args.files:
        run = ingest_paths(expand(args.files), database=args.source, format_name=args.format_name)
    else:
        run = _demo_run(args)
    report_run(run)
    return run.records, run, (EXIT_UNREADABLE if run.failures else EXIT_OK)


def _demo_run(args: argparse.Namespace) -> IngestRun:
    from lib.demo import DEMO_DIR, DEMO_EXPORTS

    print("no files given: reading the demo corpus (data/demo/exports)", file=sys.stderr)
    run = IngestRun()
    taken: set[str] = set()
    for name, label in DEMO_EXPORTS.items():
        part = ingest_paths(
            [DEMO_DIR / "exports" / name],
            database=args.source or label,
            format_name=args.format_name,
        )
        for read in part.files:
            read.report.renamed_ids += make_ids_unique(read.records, taken)
        run.files += part.files
        run.failures += part.failures
    return run


def write_csv(path: str, header: Sequence[str], rows: Iterable[dict[str, object]]) -> None:
    """Write a CSV for spreadsheets: UTF-8, RFC 4180, no cell that starts a formula.

    ``-`` writes to standard output. A file appears under its name only once complete
    (`_replacing`): a write that fails or is killed leaves the old file, if any, and no
    half-written one.
    """
    if path == "-":
        _write(sys.stdout, header, rows)
        return
    with _replacing(Path(path)) as fh:
        _write(fh, header, rows)


@contextlib.contextmanager
def _replacing(target: Path) -> Iterator[TextIO]:
    """A text file that becomes ``target`` when the block ends without error.

    Where the system allows (Linux), the text goes to an unnamed file in the target's
    folder (``O_TMPFILE``), given a name only when complete: a process killed mid-write,
    even by SIGKILL, leaves nothing behind. Elsewhere it goes to ``<target>.<pid>.part``,
    removed on any error and on SIGTERM; one left by a killed process is removed by the
    next write to the same target.
    """
    _remove_stale_parts(target)
    unnamed = _open_unnamed(target.parent)
    if unnamed is not None:
        with unnamed as fh:
            yield fh
            fh.flush()
            temporary = target.with_name(f".{target.name}.{os.getpid()}.part")
            temporary.unlink(missing_ok=True)
            # a folder descriptor makes os.link use linkat(AT_SYMLINK_FOLLOW), which gives
            # the unnamed file a name; plain link() would link the /proc symlink itself
            folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.link(
                    f"/proc/self/fd/{fh.fileno()}",
                    temporary.name,
                    dst_dir_fd=folder,
                    follow_symlinks=True,
                )
            finally:
                os.close(folder)
        try:
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)  # the target is a folder, say
            raise
        return
    temporary = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        with _sigterm_exits(), temporary.open("w", encoding="utf-8", newline="") as fh:
            yield fh
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)  # never leave a half-written file behind
        raise


def _open_unnamed(folder: Path) -> TextIO | None:
    """An unnamed file in ``folder`` (Linux ``O_TMPFILE``), or None where unsupported."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not Path("/proc/self/fd").is_dir():
        return None
    try:
        fd = os.open(folder, flag | os.O_WRONLY, 0o666)
    except OSError:
        return None  # a file system without it (or the folder is missing: said later)
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def _remove_stale_parts(target: Path) -> None:
    """Remove ``<target>.<pid>.part`` files whose process is gone (killed mid-write)."""
    for part in target.parent.glob(f"{target.name}.*.part"):
        pid = part.name[len(target.name) + 1 : -len(".part")]
        if pid.isdigit() and not process_exists(int(pid)):
            part.unlink(missing_ok=True)


@contextlib.contextmanager
def _sigterm_exits() -> Iterator[None]:
    """While writing, SIGTERM raises SystemExit, so the clean-up above runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(143)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _write(fh: TextIO, header: Sequence[str], rows: Iterable[dict[str, object]]) -> None:
    # what csv.DictWriter(extrasaction="ignore") writes, without its per-row Python
    # layers (the ``code`` command writes 100,000 rows of 17 cells)
    fields = list(header)
    writer = csv.writer(fh)
    writer.writerow(fields)
    for row in rows:
        writer.writerow([safe_cell(row.get(k, "")) for k in fields])
