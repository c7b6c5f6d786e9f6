"""Read files into records: decode, detect the format, read, label, make ids unique.

This is the one entry point the command line, the app and the demo builder use; the
project file stores what it returns (`lib.project.store.Project.add_import`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from lib import limits
from lib.encoding import decode_file
from lib.gcpause import gc_paused
from lib.model import Record
from lib.readers.base import NOTHING_IDENTIFYING, ReadError, mark_incomplete
from lib.report import ImportReport, Incomplete
from lib.textsafe import neutralise, neutralise_export

__all__ = ["FileRead", "IngestRun", "ingest_paths", "make_ids_unique", "read_bytes", "read_path"]


@dataclass(slots=True)
class FileRead:
    """The records one file gave, with its report."""

    records: list[Record]
    report: ImportReport


@dataclass(slots=True)
class IngestRun:
    """Several files read together; ids are unique across all of them."""

    files: list[FileRead] = field(default_factory=list)
    failures: list[ReadError] = field(default_factory=list)

    @property
    def records(self) -> list[Record]:
        return [r for f in self.files for r in f.records]


def _stem(file_name: str) -> str:
    stem = PurePath(file_name).stem or "record"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-") or "record"


def read_bytes(
    data: bytes,
    file_name: str,
    *,
    database: str = "",
    format_name: str | None = None,
    max_records: int | None = None,
) -> FileRead:
    """Read one file's bytes. Raises `ReadError` (naming the file) if it cannot be read."""
    _check_size(len(data), file_name)
    digest = hashlib.sha256(data).hexdigest()
    decoded = decode_file(data, file_name)
    return _read_text(
        decoded.text,
        file_name,
        encoding=decoded.encoding,
        notes=decoded.notes,
        sha256=digest,
        size=len(data),
        database=database,
        format_name=format_name,
        max_records=max_records,
    )


def _check_size(size: int, file_name: str) -> None:
    if size > limits.MAX_FILE_BYTES:
        raise ReadError(
            f"the file is {size / 1e6:.0f} MB, over the limit of "
            f"{limits.MAX_FILE_BYTES / 1e6:.0f} MB; split the export into smaller files",
            file_name=file_name,
        )


def _read_text(
    text: str,
    file_name: str,
    *,
    encoding: str,
    sha256: str,
    size: int,
    database: str,
    format_name: str | None,
    max_records: int | None,
    notes: tuple[str, ...] = (),
) -> FileRead:
    # bidirectional controls and zero-width spaces go before reading, from every field
    # at once (`lib.textsafe`); a file name can hold them too, and is shown
    text = neutralise_export(text)
    file_name = neutralise(file_name)
    if not format_name and encoding == "xlsx":
        format_name = "csv"  # a workbook's sheet is a table, whatever its cells say
    # imported here, not with this module: every page opens a project (which reads
    # through this module) but only an import reads a file, and the readers with their
    # libraries (bibtexparser, XML, LaTeX) were a tenth of a second of every cold start
    from lib.exchange import relabel
    from lib.readers.registry import detect, get_format

    fmt = get_format(format_name) if format_name else detect(text, file_name)
    cap = limits.MAX_RECORDS if max_records is None else max_records
    if fmt.count is not None and (at_least := fmt.count(text)) > cap:
        raise ReadError(
            f"holds at least {at_least} records, over the limit of {cap}; split the export "
            "or raise the limit",
            file_name=file_name,
        )
    try:
        with gc_paused():
            result = fmt.read(text, file_name)
    except ReadError as exc:
        raise exc.with_file(file_name) from None
    except RecursionError:
        raise ReadError(
            f"nesting too deep to read as {fmt.label}; check the file is a valid export",
            file_name=file_name,
        ) from None
    if len(result.records) + len(result.skipped) > cap:
        raise ReadError(
            f"holds {len(result.records) + len(result.skipped)} records, over the limit "
            f"of {cap}; split the export or raise the limit",
            file_name=file_name,
        )
    relabel(result)  # our own exports say each record's database, type and id: keep them
    label = database or result.exporter or _stem(file_name)
    stem = _stem(file_name)
    incomplete: list[Incomplete] = []
    for n, rec in enumerate(result.records, start=1):
        if not rec.record_id:
            rec.record_id = f"{stem}-{n}"
        if not rec.identifies():  # every reader marks these; this keeps the rule whole
            mark_incomplete(rec, NOTHING_IDENTIFYING)
        if rec.incomplete:
            incomplete.append(Incomplete(rec.line, rec.incomplete, f"record {rec.record_id}"))
        # the user's label wins; else a record's own (the canonical CSV's `source` column)
        rec.source_db = database or rec.source_db or label
        rec.source_file = file_name
    report = ImportReport(
        file_name=file_name,
        format=fmt.name,
        format_label=fmt.label,
        encoding=encoding,
        database=label,
        sha256=sha256,
        size=size,
        records_read=len(result.records),
        skipped=list(result.skipped),
        unknown_fields=dict(result.unknown_fields),
        notes=[*notes, *result.notes],
        incomplete=incomplete,
    )
    report.renamed_ids = make_ids_unique(result.records, set())
    return FileRead(result.records, report)


def read_path(path: str | Path, *, database: str = "", format_name: str | None = None) -> FileRead:
    """Read one file from disk (see `read_bytes`)."""
    path = Path(path)
    try:
        if path.is_dir():
            raise ReadError("is a folder; give the files inside it", file_name=str(path))
        _check_size(path.stat().st_size, str(path))
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReadError("no such file", file_name=str(path)) from None
    except PermissionError:
        raise ReadError("permission denied", file_name=str(path)) from None
    except OSError as exc:
        raise ReadError(f"cannot be opened ({exc.strerror})", file_name=str(path)) from None
    try:
        # decode here and drop the bytes before reading: a 200 MB export is not held twice
        size, digest = len(data), hashlib.sha256(data).hexdigest()
        decoded = decode_file(data, path.name)
        del data
        return _read_text(
            decoded.text,
            path.name,
            encoding=decoded.encoding,
            notes=decoded.notes,
            sha256=digest,
            size=size,
            database=database,
            format_name=format_name,
            max_records=None,
        )
    except ReadError as exc:
        raise exc.with_file(str(path)) from None


def make_ids_unique(records: Iterable[Record], taken: set[str]) -> list[tuple[str, str]]:
    """Rename records whose id is in ``taken`` (or repeated) to ``id~2``, ``id~3``...

    A new id is never one that ``taken`` or another of these records already has.
    ``taken`` is updated with every id used. Returns the ``(given, used)`` renames.
    The suffix counts on from the last one given for the same id: counting up from ``~2``
    on every clash made 50,000 entries sharing one key take 18 minutes.
    """
    records = list(records)
    own = {rec.record_id for rec in records}
    next_suffix: dict[str, int] = {}
    renamed: list[tuple[str, str]] = []
    for rec in records:
        rid = rec.record_id
        if rid in taken:
            k = next_suffix.get(rid, 2)
            while f"{rid}~{k}" in taken or f"{rid}~{k}" in own:
                k += 1
            next_suffix[rid] = k + 1
            rec.record_id = f"{rid}~{k}"
            renamed.append((rid, rec.record_id))
        taken.add(rec.record_id)
    return renamed


def ingest_paths(
    paths: Iterable[str | Path], *, database: str = "", format_name: str | None = None
) -> IngestRun:
    """Read several files; failures are collected, not raised; ids unique across the run."""
    run = IngestRun()
    taken: set[str] = set()
    for path in paths:
        try:
            read = read_path(path, database=database, format_name=format_name)
        except ReadError as exc:
            run.failures.append(exc)
            continue
        # Renames inside the file were already reported; add the cross-file ones.
        read.report.renamed_ids += make_ids_unique(read.records, taken)
        run.files.append(read)
    return run
