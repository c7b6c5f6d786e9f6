"""The Cochrane Library's plain-text export (CENTRAL trials and Cochrane Reviews).

Layout: each record opens with ``Record #1 of 12``, then one field per line as a short
upper-case tag, a colon and the value: ``ID: CN-01234567``, ``AU: Smith J``, ``TI:``,
``SO:`` (journal), ``YR:``, ``VL:``, ``NO:`` (issue), ``PG:``, ``XR:`` (cross-references),
``PT:`` (publication types, ``;``-separated), ``KY:`` (keywords, ``;``-separated),
``DOI:``, ``AB:``, ``US:`` (the record's URL). A line without a tag continues the field
before it.

What could not be checked against real exports (none were at hand; the layout comes from
the Cochrane Library's help pages and from memory of such files): whether authors come on
one ``AU:`` line or several (both are read, ``;`` separates names on one line), the full
tag set, and how a cut-off file ends. Tags not in the table are kept and reported as not
understood. Cochrane's RIS export also begins with ``Record #1 of N`` lines; it is left to
the RIS reader (this one declines any file with ``TY  - `` lines).
"""

from __future__ import annotations

import re

from lib.encoding import normalise_newlines
from lib.fields import clean_doi, clean_pages, format_author, parse_year
from lib.model import Record
from lib.readers._pubtypes import entrytype_from_types
from lib.readers._tagged import (
    OUTSIDE_RECORDS,
    RawRecord,
    add_records,
    first,
    hint_by,
    holds_ris,
    mark_truncated_tail,
    note_lines,
    note_stated_count,
    sections,
    split_list,
    values,
)
from lib.readers.base import Format, ReadError, ReadResult

__all__ = ["FORMAT", "read", "sniff"]

_START = re.compile(r"^\s*Record #\s*(\d+) of (\d+)\s*$")
_FIELD = re.compile(r"^([A-Z][A-Z0-9]{1,3}):(?:\s(.*)|\s*$)")
KNOWN = frozenset(
    {"ID", "AU", "TI", "SO", "YR", "VL", "NO", "PG", "PT", "KY", "DOI", "AB", "US", "LA", "SN"}
)
# Understood, no place in the record model: cross-references to other databases, the
# PubMed and Embase ids, Cochrane groups, publisher, dates of entry.
IGNORED = frozenset({"XR", "PM", "EM", "CC", "CR", "PB", "DA", "DE", "ED", "ST", "UP", "CN"})
_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")


class _Splitter:
    """Cuts records out of one or more sections, counting what the exports state."""

    def __init__(self) -> None:
        self.stated: dict[int, int] = {}  # search (numbered from 1) -> its "of N"
        self.exports = 0
        self.stray: list[int] = []
        self.previous = (0, 0)  # the last "Record #n of N" seen, as (n, N)

    def split(self, lines: list[str], first_line: int) -> list[RawRecord]:
        raws: list[RawRecord] = []
        current: RawRecord | None = None
        for number, line in enumerate(lines, start=first_line):
            start = _START.match(line)
            if start:
                n, of = int(start.group(1)), int(start.group(2))
                # Numbering that starts again, or another total: another search's export
                # was appended (pages of one search continue its numbering and total).
                if not self.exports or of != self.previous[1] or n <= self.previous[0]:
                    self.exports += 1
                self.previous = (n, of)
                current = RawRecord(line=number)
                raws.append(current)
                self.stated[self.exports] = of
                continue
            if not line.strip():
                continue
            field = _FIELD.match(line)
            if current is None:
                self.stray.append(number)
            elif field:
                current.add(field.group(1), (field.group(2) or "").strip())
            elif not current.extend_last(line.strip()):
                self.stray.append(number)
        for raw in raws:
            raw.close()
        mark_truncated_tail(raws)
        if raws and raws[-1].complete and not raws[-1].fields:
            raws[-1].complete = False  # "Record #n of N" and then the end of the text
        return raws


def _to_record(raw: RawRecord) -> Record:
    record_id = first(raw, "ID")
    default = "review" if record_id.upper().startswith("CD") else "article"
    serial = first(raw, "SN")
    return Record(
        record_id=record_id,
        entrytype=entrytype_from_types(values(raw, "PT"), default),
        title=first(raw, "TI"),
        authors=[a for a in map(format_author, split_list(values(raw, "AU"))) if a],
        year=parse_year(first(raw, "YR")),
        journal=first(raw, "SO"),
        volume=first(raw, "VL"),
        issue=first(raw, "NO"),
        pages=clean_pages(first(raw, "PG")),
        doi=clean_doi(first(raw, "DOI")),
        abstract=" ".join(values(raw, "AB")),
        keywords=split_list(values(raw, "KY")),
        language="; ".join(values(raw, "LA")),
        url=first(raw, "US"),
        issn=serial if _ISSN.match(serial) else "",
        isbn="" if _ISSN.match(serial) else serial,
    )


def read(text: str, file_name: str = "") -> ReadResult:
    result = ReadResult(exporter="Cochrane Library")
    splitter = _Splitter()
    raws: list[RawRecord] = []
    for first_line, section in sections(normalise_newlines(text)):
        raws += splitter.split(section.split("\n"), first_line)
    if not raws:
        raise ReadError("no Cochrane Library records found (no 'Record #1 of N' lines)")
    note_lines(result, splitter.stray, OUTSIDE_RECORDS)
    stated = sum(splitter.stated.values()) if splitter.stated else None
    note_stated_count(result, stated, len(raws), "records")
    if splitter.exports > 1:
        result.notes.append(f"the file holds {splitter.exports} exports joined together")
    add_records(
        result,
        raws,
        _to_record,
        known=KNOWN,
        ignored=IGNORED,
        hint=hint_by("ID"),
    )
    return result


_RECORD = re.compile(r"^\s*Record #\s*\d+ of \d+\s*$", re.MULTILINE)
_TAGS = re.compile(r"^(ID|AU|TI|SO|YR|PT|KY|DOI|US|XR): ", re.MULTILINE)


def sniff(head: str) -> float:
    """Cochrane by its ``Record #n of N`` lines followed by ``ID:``/``TI:``-style fields."""
    head = normalise_newlines(head)
    if holds_ris(head) or not _RECORD.search(head):
        return 0.0
    tags = {m.group(1) for m in _TAGS.finditer(head)}
    if len(tags) >= 3:
        return 0.95
    return 0.5 if tags else 0.0


FORMAT = Format(
    name="cochrane",
    label="Cochrane Library text",
    suffixes=(".txt",),
    sniff=sniff,
    read=read,
)
