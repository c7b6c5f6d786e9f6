"""What a reader is, what it returns, and the one error it may raise.

Every format is one small module in `lib.readers` that defines ``FORMAT = Format(...)`` and
one line in the registry (`lib.readers.FORMATS`). A reader gets decoded text (encoding,
BOM and line ends already handled by `lib.encoding`) and returns a `ReadResult`: the
records it read, the records it had to skip (each with a line and a reason), the fields it
did not understand, and notes. It raises `ReadError` only when the file as a whole cannot
be read as this format; a bad record is skipped and reported, never raised.

Every record the file holds is kept where anything of it can be read: one with no title,
author or DOI, or one the file ends inside, is kept and marked incomplete
(`Record.incomplete`, `mark_incomplete`) rather than skipped, so that the count of
records read matches the count the database exported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from lib.model import Record

__all__ = [
    "CUT_SHORT",
    "NOTHING_IDENTIFYING",
    "Format",
    "ReadError",
    "ReadResult",
    "Skipped",
    "iter_lines",
    "line_start_counter",
    "mark_incomplete",
    "one_line",
    "records_kept_to",
]

# Why a record is marked incomplete (`Record.incomplete`); the report and the Import page
# show these words.
NOTHING_IDENTIFYING = "has no title, author or DOI"
CUT_SHORT = "the file ends inside this record, so it may be cut short; export it again to check"


def mark_incomplete(record: Record, reason: str) -> None:
    """Flag ``record`` as possibly incomplete, for ``reason`` (reasons accumulate)."""
    if reason in record.incomplete.split("; "):
        return
    record.incomplete = f"{record.incomplete}; {reason}" if record.incomplete else reason


def one_line(text: object, limit: int = 300) -> str:
    """Text folded to one line and cut to ``limit`` characters, for messages.

    Reasons often quote the file (a field name, an entry key, a header cell), and a quote
    from a broken file can hold line breaks or run for pages.
    """
    folded = " ".join(str(text).split())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


class ReadError(ValueError):
    """A whole file cannot be read. The message is one line a user can act on."""

    def __init__(self, reason: str, *, file_name: str = "", line: int | None = None) -> None:
        self.reason = one_line(reason)
        self.file_name = file_name
        self.line = line
        super().__init__(self.message())

    def message(self) -> str:
        where = self.file_name or "input"
        if self.line is not None:
            where = f"{where}, line {self.line}"
        return f"{where}: {self.reason}"

    def with_file(self, file_name: str) -> ReadError:
        return ReadError(self.reason, file_name=file_name, line=self.line)


@dataclass(slots=True)
class Skipped:
    """One record in the file that was not read, and why."""

    line: int | None
    reason: str
    record: str = ""  # a hint to find it: "record 12", "entry smith2020", "row 7"

    def __post_init__(self) -> None:
        self.reason = one_line(self.reason)
        self.record = one_line(self.record, 80)

    def message(self) -> str:
        where = f"line {self.line}" if self.line is not None else "position unknown"
        hint = f" ({self.record})" if self.record else ""
        return f"{where}{hint}: {self.reason}"


# Who else hears of each record a reader keeps (`records_kept_to`); None: nobody.
_KEPT_TO: ContextVar[Callable[[Record], None] | None] = ContextVar("kept_to", default=None)


@contextmanager
def records_kept_to(callback: Callable[[Record], None]) -> Iterator[None]:
    """Inside the block, every record a reader keeps (`ReadResult.keep`) is also passed to
    `callback` as soon as it is kept, so that work on the records can start before the
    whole file is read (the ``code`` command codes them meanwhile, `lib.coding.batch`).

    The callback sees the record as the reader kept it: what reading does to it later
    (ids made unique, our own exports relabelled, a file refused as too large) is the
    caller's to check once reading is done.
    """
    token = _KEPT_TO.set(callback)
    try:
        yield
    finally:
        _KEPT_TO.reset(token)


@dataclass(slots=True)
class ReadResult:
    """What a reader got out of one file."""

    records: list[Record] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unknown_fields: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    # The database or tool the content shows it came from ("Scopus", "PubMed"), if it says;
    # used as the import's label when the user gives none.
    exporter: str = ""

    def keep(self, record: Record) -> None:
        """Add a record; one with no title, author or DOI is kept, marked incomplete."""
        if not record.identifies():
            mark_incomplete(record, NOTHING_IDENTIFYING)
        self.records.append(record)
        callback = _KEPT_TO.get()
        if callback is not None:
            callback(record)


@dataclass(frozen=True, slots=True)
class Format:
    """A readable file format: how to recognise it and how to read it.

    ``sniff(head)`` looks at the first part of the decoded text (up to `SNIFF_CHARS`) and
    returns a confidence from 0 (not this format) to 1 (certainly this format). Detection
    picks the most confident format; the file suffix only breaks near-ties.
    ``read(text, file_name)`` reads the whole text.
    ``count(text)``, where a format has one, is a fast count of the records the file holds
    at the least (record-closing lines, say): it lets a file far over the record limit be
    refused before reading builds every record in memory. It must never count more.
    """

    name: str
    label: str
    suffixes: tuple[str, ...]
    sniff: Callable[[str], float]
    read: Callable[[str, str], ReadResult]
    count: Callable[[str], int] | None = None


def iter_lines(text: str, chunk: int = 1 << 20) -> Iterator[str]:
    """The lines of ``text`` (without their ``\\n``), split a megabyte at a time.

    ``text.split("\\n")`` on a 200 MB export holds two million line strings at once, a
    third of the peak memory of reading it; this holds one chunk's worth.
    """
    start, end_of_text = 0, len(text)
    while start < end_of_text:
        end = text.find("\n", start + chunk)
        if end == -1:  # the last chunk; a final line break does not start another line
            end = end_of_text - 1 if text.endswith("\n") else end_of_text
        yield from text[start:end].split("\n")
        start = end + 1


def line_start_counter(*prefixes: str) -> Callable[[str], int]:
    """A `Format.count` that counts lines starting with one of ``prefixes``.

    The first line counts too. Each prefix must be one that only a record's own start or
    end line can begin with (``ER  -`` in RIS, ``PMID-`` in MEDLINE).
    """

    def count(text: str) -> int:
        total = 0
        for prefix in prefixes:
            total += text.count("\n" + prefix) + (1 if text.startswith(prefix) else 0)
        return total

    return count


SNIFF_CHARS = 65536
