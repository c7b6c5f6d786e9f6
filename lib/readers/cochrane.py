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


def _split(lines: list[str], result: ReadResult) -> tuple[list[RawRecord], int | None]:
    raws: list[RawRecord] = []
    current: RawRecord | None = None
    stated: int | None = None
    stray: list[int] = []
    for number, line in enumerate(lines, start=1):
        start = _START.match(line)
        if start:
            current = RawRecord(line=number)
            raws.append(current)
            stated = int(start.group(2))
            continue
        if not line.strip():
            continue
        field = _FIELD.match(line)
        if current is None:
            stray.append(number)
        elif field:
            current.add(field.group(1), (field.group(2) or "").strip())
        elif not current.extend_last(line.strip()):
            stray.append(number)
    note_lines(result, stray, OUTSIDE_RECORDS)
    return raws, stated


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
    raws, stated = _split(normalise_newlines(text).lstrip("\ufeff").split("\n"), result)
    if not raws:
        raise ReadError("no Cochrane Library records found (no 'Record #1 of N' lines)")
    note_stated_count(result, stated, len(raws), "records")
    mark_truncated_tail(raws)
    if raws[-1].complete and not raws[-1].fields:
        raws[-1].complete = False  # "Record #n of N" and then the end of the file
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
