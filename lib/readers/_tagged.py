"""What the line-tagged text readers share once a record's lines are split into fields.

MEDLINE, Web of Science, Ovid, ProQuest and Cochrane each have their own line syntax, so
each reader splits its own lines; they all end with the same `RawRecord` (the fields of one
record in file order, with the line it starts on) and the same last steps, kept here so the
rules are one: which records are kept and how they are flagged, how unknown fields are
counted, how a truncated last record is recognised, where a second export appended to the
file begins (`sections`). The notes about odd lines (`note_lines`) are worded the same way
by every line reader, RIS included.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from lib.fields import clean_text
from lib.model import Record
from lib.readers.base import CUT_SHORT, NOTHING_IDENTIFYING, ReadResult, Skipped, mark_incomplete

__all__ = [
    "CUT_SHORT",
    "NOTHING_IDENTIFYING",
    "OUTSIDE_RECORDS",
    "RawRecord",
    "add_records",
    "cleaned",
    "first",
    "hint_by",
    "holds_ris",
    "mark_truncated_tail",
    "note_lines",
    "note_stated_count",
    "sections",
    "split_list",
    "values",
]

OUTSIDE_RECORDS = "line(s) of text outside records ignored"
_RIS_RECORD = re.compile(r"^TY  - ", re.MULTILINE)


def holds_ris(head: str) -> bool:
    """Whether ``head`` (line ends normalised) has a RIS record start, a ``TY  - `` line.

    Databases put their own lines before RIS records too (Cochrane's ``Record #1 of N``,
    Ovid's numbering, MEDLINE-like tags), so the sniffer of every other line-tagged format
    declines such a file and leaves it to the RIS reader.
    """
    return _RIS_RECORD.search(head) is not None


@dataclass(slots=True)
class RawRecord:
    """One record's fields as read: ``{tag: [values...]}`` in file order, and where it starts.

    ``last_tag`` is the tag of the record's final field and ``ended`` says whether an end
    marker (``ER``, a separator line) closed it; both serve to recognise a truncated tail.
    Continuation lines (`extend_last`) are collected and joined once, when the next field
    starts or the record is `close`d: joining them one at a time copied the value so far
    for every line, and a 10 MB wrapped abstract took most of a minute.
    """

    line: int
    fields: dict[str, list[str]] = field(default_factory=dict)
    last_tag: str = ""
    ended: bool = False
    complete: bool = True
    _more: list[str] = field(default_factory=list, init=False, repr=False)
    _more_empty: bool = field(default=False, init=False, repr=False)

    def add(self, tag: str, value: str) -> None:
        if self._more:
            self.close()
        values = self.fields.get(tag)
        if values is None:
            self.fields[tag] = [value]
        else:
            values.append(value)
        self.last_tag = tag

    def extend_last(self, text: str, sep: str = " ") -> bool:
        """Append a continuation line to the last value; False when there is none yet."""
        if not self.last_tag:
            return False
        if not self._more:
            self._more_empty = not self.fields[self.last_tag][-1]
        if self._more_empty:  # nothing yet to separate from: the text replaces the value
            if self._more:
                self._more.clear()
            self._more.append(text)
            self._more_empty = not text
        else:
            self._more += (sep, text)
        return True

    def close(self) -> None:
        """Join the continuation lines collected for the last value (idempotent)."""
        if self._more:
            values = self.fields[self.last_tag]
            if self._more_empty or not values[-1]:
                values[-1] = "".join(self._more)
            else:
                values[-1] = "".join([values[-1], *self._more])
            self._more = []


def cleaned(value: str) -> str:
    """`clean_text`, returning the very same string when cleaning changes nothing.

    The record then shares its text with `Record.original` instead of holding a second
    copy: for a 100k-record export that is hundreds of megabytes of abstracts.
    """
    text = clean_text(value)
    return value if text == value else text


def values(raw: RawRecord, *tags: str) -> list[str]:
    """Every non-empty cleaned value of the first of ``tags`` the record has."""
    for tag in tags:
        found = [v for v in map(cleaned, raw.fields.get(tag, ())) if v]
        if found:
            return found
    return []


def first(raw: RawRecord, *tags: str) -> str:
    """The first non-empty cleaned value among ``tags`` (in that order of preference)."""
    for tag in tags:
        for value in raw.fields.get(tag, ()):
            text = cleaned(value)
            if text:
                return text
    return ""


def split_list(items: Iterable[str], separators: str = ";") -> list[str]:
    """Values that may each hold several items ("a; b; c"), as one flat list."""
    out: list[str] = []
    for item in items:
        parts = [item]
        for sep in separators:
            parts = [p for part in parts for p in part.split(sep)]
        out += [p.strip() for p in parts if p.strip()]
    return out


def note_lines(result: ReadResult, lines: Sequence[int], what: str) -> None:
    """Note lines the reader passed over or repaired: how many, what, and the first.

    "3 line(s) of text outside records ignored (first at line 12)": one note per kind,
    however many lines, so a user can find them without a note per line.
    """
    if lines:
        result.notes.append(f"{len(lines)} {what} (first at line {lines[0]})")


def note_stated_count(result: ReadResult, stated: int | None, found: int, noun: str) -> None:
    """Note when the count the export states ("Record #1 of 12") is not the count found.

    A mismatch means records were lost before the file reached us (a copy cut short, a
    page of results not saved); the records found are still read.
    """
    if stated is not None and stated != found:
        result.notes.append(f"the export says it holds {stated} {noun}; {found} found")


def hint_by(tag: str, prefix: str = "") -> Callable[[int, RawRecord], str]:
    """An `add_records` hint: the record's ``tag`` value after ``prefix`` ("PMID 123"),
    or its number in the file ("record 4") when it has none."""

    def hint(n: int, raw: RawRecord) -> str:
        value = first(raw, tag)
        return f"{prefix}{value}" if value else f"record {n}"

    return hint


def mark_truncated_tail(raws: Sequence[RawRecord], *, marker: str = "") -> None:
    """Mark the last record incomplete when the file evidently ends inside it.

    Formats without an end marker (MEDLINE, Cochrane) still end every record with the same
    field (PubMed writes ``SO`` last). When every earlier record ends with one tag (or,
    with ``marker``, was closed by an end marker) and the last record lacks it entirely,
    the file was cut off inside that record. With a single record nothing can be told.
    """
    if len(raws) < 2:
        return
    *earlier, last = raws
    if marker:
        if all(r.ended for r in earlier) and not last.ended:
            last.complete = False
        return
    tails = {r.last_tag for r in earlier}
    if len(tails) == 1:
        (tail,) = tails
        if tail and tail not in last.fields:
            last.complete = False


def add_records(
    result: ReadResult,
    raws: Iterable[RawRecord],
    to_record: Callable[[RawRecord], Record],
    *,
    known: frozenset[str],
    ignored: frozenset[str] = frozenset(),
    hint: Callable[[int, RawRecord], str] = lambda n, _raw: f"record {n}",
) -> None:
    """Map raw records into ``result``: every record kept, unknown fields counted.

    A record the file ends inside, or one with no title, author or DOI, is kept and
    marked incomplete (`ReadResult.keep`); only one that cannot be mapped at all is
    skipped, with its line and the reason. A field is counted in ``unknown_fields``
    (once per record that has it) unless the reader maps it (``known``) or recognises it
    as holding nothing the record model has a place for (``ignored``: affiliations,
    grants, citation counts, entry dates and other database housekeeping); either way it
    stays in ``Record.original``.
    """
    for n, raw in enumerate(raws, start=1):
        raw.close()
        try:
            record = to_record(raw)
        except Exception as exc:  # one odd record must not lose the file  # noqa: BLE001
            result.skipped.append(Skipped(raw.line, f"could not be read ({exc})", hint(n, raw)))
            continue
        record.line = raw.line
        record.original = raw.fields
        if not raw.complete:
            mark_incomplete(record, CUT_SHORT)
        result.keep(record)
        for tag in raw.fields:
            if tag not in known and tag not in ignored:
                result.unknown_fields[tag] += 1


# A byte-order mark anywhere but at the start of the file: a second export appended to
# the first (`lib.encoding` removes only the first one).
_BOM = "\ufeff"


def sections(text: str) -> list[tuple[int, str]]:
    """The text cut where a second export was appended: ``[(first line, text)...]``.

    An appended export shows itself by its byte-order mark, often on the same line as the
    end of the first export when that lacked a final line break. The mark starts a new
    section (it is not text of the record before it) and is dropped; line numbers stay
    those of the file. Readers read each section on its own, so no record runs from one
    export into the next, and a record still open at a section's end is cut short.
    """
    if _BOM not in text:
        return [(1, text)]
    out: list[tuple[int, str]] = []
    line = 1
    for piece in text.split(_BOM):
        if piece:
            out.append((line, piece))
        line += piece.count("\n")
    return out or [(1, "")]
