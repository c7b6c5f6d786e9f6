"""Web of Science tagged plain text ("Other file formats" → Plain text; also ISI/Thomson).

Layout: an ``FN Clarivate Analytics Web of Science`` / ``VR 1.0`` header, then records from
``PT J`` to ``ER``, each field a two-character tag, one space, the value; continuation
lines are indented three spaces; ``EF`` ends the file. For list fields (``AU``, ``AF``,
``C1``, ``CR``...) every continuation line is one more item; for text fields it continues
the text.

Parsed by hand rather than with rispy's ``WokParser``: that parser gives no line numbers,
silently drops a last record that lacks its ``ER`` (a truncated export loses a record
without a word), and joins the lines of list fields it does not know into one string.
The syntax itself is a few lines of code. Files without the ``FN`` header (pasted or
concatenated exports) are read the same way. A record the file ends inside (no ``ER``)
is read and marked incomplete; so is one that an appended export's byte-order mark or
``FN``/``VR`` header interrupts (`_tagged.sections`).
"""

from __future__ import annotations

import re

from lib.encoding import normalise_newlines
from lib.fields import clean_doi, clean_pages, clean_text, format_author, parse_year
from lib.model import Record
from lib.readers._pubtypes import entrytype_from_types
from lib.readers._tagged import (
    OUTSIDE_RECORDS,
    RawRecord,
    add_records,
    first,
    hint_by,
    holds_ris,
    note_lines,
    sections,
    split_list,
    values,
)
from lib.readers.base import Format, ReadError, ReadResult, line_start_counter

__all__ = ["FORMAT", "read", "sniff"]

# Fields whose continuation lines are separate items (one author, address or reference each).
_LINE_LISTS = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "C1", "C3", "CR", "EM"})
KNOWN = frozenset(
    {
        "PT", "UT", "AU", "AF", "CA", "GP", "TI", "SO", "SE", "BS", "J9", "JI", "PY", "EA",
        "PD", "VL", "IS", "BP", "EP", "AR", "DI", "D2", "AB", "DE", "ID", "LA", "SN", "EI",
        "BN", "DT",
    }
)  # fmt: skip
# Understood but with no place in the record model: citation counts, usage counts,
# addresses, funding, cited references, subject categories, publisher details.
IGNORED = frozenset(
    {
        "TC", "Z9", "U1", "U2", "ZB", "ZR", "ZS", "Z8", "Z1", "Z2", "Z3", "Z4", "Z5", "Z6",
        "Z7", "NR", "PG", "GA", "DA", "HC", "HP", "OA", "PM", "C1", "C3", "RP", "EM", "RI",
        "OI", "FU", "FX", "FP", "CR", "WC", "WE", "SC", "PU", "PI", "PA", "CT", "CY", "CL",
        "SP", "HO", "PN", "SU", "SI", "MA", "BE", "BA", "BF", "DL", "K1", "CI",
    }
)  # fmt: skip
# Publication type codes (PT), used when DT (document type) says nothing.
_PT_DEFAULT = {"J": "article", "B": "book", "S": "book", "C": "conference", "P": "misc"}


def _is_tag(tag: str) -> bool:
    return len(tag) == 2 and tag.isalnum() and tag.isupper() and tag[0].isalpha()


class _LineReader:
    """The exact, line-by-line reading; it keeps its state from one piece to the next."""

    def __init__(self, raws: list[RawRecord]) -> None:
        self.raws = raws
        self.current: RawRecord | None = None
        self.stray: list[int] = []
        self.no_er: list[int] = []
        self.no_pt: list[int] = []

    def feed(self, piece: str, first_line: int) -> None:
        for number, line in enumerate(piece.split("\n"), start=first_line):
            self._line(number, line)

    def _line(self, number: int, line: str) -> None:
        current = self.current
        if not line.strip():
            return
        if line[0] in " \t":
            if current is None or not current.last_tag:
                self.stray.append(number)
            elif current.last_tag in _LINE_LISTS:
                current.add(current.last_tag, line.strip())
            else:
                current.extend_last(line.strip())
            return
        tag = line[:2]
        if not _is_tag(tag) or (len(line) > 2 and line[2] != " "):
            if current is None or not current.extend_last(line.strip()):
                self.stray.append(number)  # else: an unindented continuation line
            return
        if tag in ("FN", "VR"):  # the file header, or that of an export appended to it
            if current is not None:
                current.complete = False  # the export before it ends inside this record
                self.current = None
            return
        if tag in ("EF", "ER"):
            if current is None:
                if tag == "ER":
                    self.stray.append(number)
            elif tag == "ER":
                current.ended = True
            else:
                self.no_er.append(current.line)
            self.current = None
            return
        if tag == "PT" and current is not None:
            self.no_er.append(current.line)  # the next record began before this one's ER
            current = None
        if current is None:
            current = self.current = RawRecord(line=number)
            self.raws.append(current)
            if tag != "PT":
                self.no_pt.append(number)
        current.add(tag, line[3:].strip())

    def end_section(self) -> None:
        """The text (or one export appended to it) ends: an open record is cut short."""
        if self.current is not None:
            self.current.complete = False
            self.current = None

    def notes(self, result: ReadResult) -> None:
        note_lines(result, self.stray, OUTSIDE_RECORDS)
        note_lines(result, self.no_er, "record(s) had no ER line and were closed by what followed")
        note_lines(result, self.no_pt, "record(s) did not start with a PT line")


_JOIN = "\x00"  # stands for "line break + three-space indent" on the fast path


def _tidy_record(piece: str, line: int) -> RawRecord | None:
    """The text before an ``ER`` line as one record, if it is nothing but tidy fields.

    The fast path for large exports: continuation lines (exactly three spaces of indent)
    become a marker character with one C-level replace, leaving one line per field; list
    fields split on the marker, text fields turn it into a space. Anything unusual
    returns None and the piece goes to `_LineReader`.
    """
    body = piece.lstrip("\n")
    if not body.startswith("PT ") or _JOIN in body:
        return None
    merged = body.replace("\n   ", _JOIN)
    if "\nPT " in merged or "\n " in merged or "\n\t" in merged or "\n\n" in merged:
        return None
    lines = merged.split("\n")
    if any(text_line[2:3] != " " for text_line in lines):
        return None
    tags = "".join(text_line[:2] for text_line in lines)
    if not (tags.isupper() and tags.isalnum()):
        return None
    fields: dict[str, list[str]] = {}
    tag = ""
    for text_line in lines:
        tag = text_line[:2]
        value = text_line[3:]
        if _JOIN in value:
            parts = value.split(_JOIN)
            rest = [p for p in map(str.strip, parts[1:]) if p]
            if tag in _LINE_LISTS:
                items = [parts[0].strip(), *rest]
            else:
                items = [" ".join(p for p in (parts[0].strip(), *rest) if p)]
        else:
            items = [value.strip()]
        values_ = fields.get(tag)
        if values_ is None:
            fields[tag] = items
        else:
            values_ += items
    start = line + len(piece) - len(body)
    return RawRecord(line=start, fields=fields, last_tag=tag, ended=True)


def _records(text: str, slow: _LineReader, line: int = 1) -> list[RawRecord]:
    """Split the text into raw records; marks the one the text ends inside."""
    raws: list[RawRecord] = []
    slow.raws = raws
    pos, size = 0, len(text)
    while pos < size:
        # the next "ER" line, found with str.find (fast) and checked to be the whole tag
        end = text.find("\nER", pos)
        while end >= 0 and text[end + 3 : end + 4] not in ("", "\n", " ", "\t"):
            end = text.find("\nER", end + 3)
        if end < 0:
            slow.feed(text[pos:], line)  # after the last ER: "EF", or a cut-off record
            break
        piece = text[pos:end]
        raw = _tidy_record(piece, line) if slow.current is None else None
        if raw is not None:
            raws.append(raw)
        line += piece.count("\n") + 1
        er_end = text.find("\n", end + 1)
        er_end = size if er_end < 0 else er_end
        if raw is None:
            slow.feed(piece, line - piece.count("\n") - 1)
            slow.feed(text[end + 1 : er_end], line)  # the ER line itself
        pos = er_end + 1
        line += 1
    slow.end_section()
    for raw in raws:
        raw.close()
    return raws


def _pages(raw: RawRecord) -> str:
    begin, end = first(raw, "BP"), first(raw, "EP")
    if begin and end and begin != end:
        return clean_pages(f"{begin}-{end}")
    if begin:
        return clean_pages(begin)
    article = first(raw, "AR")
    # "UNSP" marks an article number the publisher did not specify as a page
    return clean_pages(re.sub(r"^UNSP\s+", "", article))


def _keywords(raw: RawRecord) -> list[str]:
    """Author keywords (DE) then Keywords Plus (ID), each field "; "-separated."""
    words = (clean_text(k) for t in ("DE", "ID") for k in split_list(raw.fields.get(t, ())))
    return [w for w in words if w]


def _to_record(raw: RawRecord) -> Record:
    names = raw.fields.get("AF") or raw.fields.get("AU") or ()
    if any(";" in name for name in names):  # a few tools join names on one line
        names = split_list(names)
    authors = [a for a in map(format_author, names) if a]  # format_author cleans
    authors += split_list(values(raw, "CA") or values(raw, "GP"))  # group authors, whole
    pt = first(raw, "PT").upper()[:1]
    issn = first(raw, "SN", "EI")
    return Record(
        record_id=first(raw, "UT"),
        entrytype=entrytype_from_types(values(raw, "DT"), _PT_DEFAULT.get(pt, "article")),
        title=first(raw, "TI"),
        authors=authors,
        year=parse_year(first(raw, "PY")) or parse_year(first(raw, "EA", "PD")),
        journal=first(raw, "SO", "SE", "BS", "J9", "JI"),
        volume=first(raw, "VL"),
        issue=first(raw, "IS"),
        pages=_pages(raw),
        doi=clean_doi(first(raw, "DI")) or clean_doi(first(raw, "D2")),
        abstract=" ".join(values(raw, "AB")),
        keywords=_keywords(raw),
        language="; ".join(values(raw, "LA")),
        issn=issn,
        isbn=first(raw, "BN"),
    )


def read(text: str, file_name: str = "") -> ReadResult:
    result = ReadResult(exporter="Web of Science")
    slow = _LineReader([])
    raws: list[RawRecord] = []
    for first_line, section in sections(normalise_newlines(text)):
        raws += _records(section, slow, first_line)
    slow.notes(result)
    if not raws:
        raise ReadError("no Web of Science records found (no 'PT ' ... 'ER' blocks)")
    add_records(
        result,
        raws,
        _to_record,
        known=KNOWN,
        ignored=IGNORED,
        hint=hint_by("UT"),
    )
    return result


_HEADER = re.compile(r"^FN (.*)\n(VR .*)?", re.MULTILINE)
_WOS_TAG = re.compile(r"^(PT|AU|AF|TI|SO|PY|UT|DI|DT|AB|VL|BP)(?: \S|$)", re.MULTILINE)
_ER = re.compile(r"^ER\s*$", re.MULTILINE)


def sniff(head: str) -> float:
    """WoS by its ``FN`` header, or by ``PT``..``ER`` blocks of two-letter tags."""
    head = normalise_newlines(head).lstrip("\ufeff")
    if holds_ris(head):
        return 0.0
    start = head.lstrip("\n")
    header = _HEADER.match(start)
    if header:
        said = header.group(1).lower()
        if any(w in said for w in ("web of science", "clarivate", "thomson", "isi")):
            return 1.0
        if header.group(2):
            return 0.9
    tags = {m.group(1) for m in _WOS_TAG.finditer(head)}
    if "PT" not in tags:
        return 0.0
    if _ER.search(head) and len(tags) >= 3:
        return 0.85
    return 0.6 if len(tags) >= 4 else 0.0


FORMAT = Format(
    name="wos",
    label="Web of Science plain text",
    suffixes=(".txt", ".ciw"),
    sniff=sniff,
    read=read,
    count=line_start_counter("ER\n", "ER \n"),
)
