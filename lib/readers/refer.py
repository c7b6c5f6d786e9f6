"""EndNote/refer tagged text reader (``.enw``: Google Scholar's "EndNote", EndNote, refer/bib).

Each field is a line ``%X value``; a line without a tag continues the field above; a
record starts at ``%0 Type`` (EndNote) or, in files whose first record does not open with
``%0`` (classic refer, the AIS eLibrary), after a blank line; there a ``%0`` inside a
record (after its title) does not start another. No maintained Python library reads this
format, hence the hand-written loop.
Tags follow EndNote's export: ``%R`` is the DOI ("electronic resource number"), ``%@`` an
ISSN or ISBN, ``%9`` the type of work, ``%F`` the label and ``%M`` the accession number
(the record id, in that order of preference).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lib.fields import clean_doi, clean_pages, clean_text, format_author, parse_year
from lib.model import Record
from lib.readers._doctype import refine_entry_type
from lib.readers._tagged import sections
from lib.readers.base import Format, ReadError, ReadResult

__all__ = ["FORMAT", "read", "sniff"]

# EndNote reference types (%0) to the model's types.
ENTRY_TYPES: dict[str, str] = {
    "journal article": "article",
    "electronic article": "article",
    "magazine article": "article",
    "newspaper article": "article",
    "serial": "article",
    "book": "book",
    "edited book": "book",
    "electronic book": "book",
    "classical work": "book",
    "book section": "chapter",
    "electronic book section": "chapter",
    "encyclopedia": "chapter",
    "dictionary": "chapter",
    "conference paper": "conference",
    "conference proceedings": "conference",
    "thesis": "thesis",
    "report": "report",
    "government document": "report",
    "standard": "report",
    "dataset": "dataset",
    "preprint": "preprint",
    "generic": "misc",
    "web page": "misc",
    "unpublished work": "misc",
    "manuscript": "misc",
    "online database": "misc",
    "computer program": "misc",
    "patent": "misc",
}

# Tags this reader maps to the record model; the rest count as not understood.
_KNOWN = frozenset("0ATJBDVNPRXKU@GFM98~")
# Tags a record may repeat; any other tag seen twice after a blank line starts a new record
# even in a %0 file (a record whose %0 line was lost must not swallow its neighbour).
_REPEATABLE = frozenset("AEKY?@UZ+IC")
_TAG = re.compile(r"%([0-9A-Z@!#$&()*+^~|<>?\[\]=])(?:[ \t]+(.*)|[ \t]*)$")
_SERIAL = re.compile(r"[0-9Xx][0-9Xx -]*[0-9Xx]")  # the number, without "(Print)"
_BOOKISH = frozenset({"book", "chapter", "report", "thesis", "conference"})
_SNIFF_TAG = re.compile(r"^%[0-9A-Z@!#$&()*+^~|<>?\[\]=](?:[ \t]|$)", re.MULTILINE)


def sniff(head: str) -> float:
    """High when most lines are ``%X`` tags and ``%0``/``%T``/``%A`` are among them."""
    lines = [line for line in head.split("\n")[:2000] if line.strip()]
    if not lines:
        return 0.0
    tagged = [line[:2] for line in lines if _SNIFF_TAG.match(line)]
    if len(tagged) < 2:
        return 0.0
    share = len(tagged) / len(lines)
    tags = set(tagged)
    if "%0" in tags and tags & {"%T", "%A"} and share >= 0.3:
        return 0.9
    if {"%T", "%A"} <= tags and share >= 0.5:
        return 0.7
    return 0.0


@dataclass(slots=True)
class _Raw:
    line: int
    fields: list[tuple[str, str]] = field(default_factory=list)
    # continuation lines of the last field, joined once by `close` (joining them one at a
    # time copied the value so far for every line: quadratic on a long wrapped abstract)
    more: list[str] = field(default_factory=list)

    def add(self, tag: str, value: str) -> None:
        self.close()
        self.fields.append((tag, value))

    def close(self) -> None:
        if self.more:
            tag, value = self.fields[-1]
            self.fields[-1] = (tag, "\n".join([value, *self.more]))
            self.more = []

    def has(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.fields)


def _starts(tag: str, typed: bool, blank_before: bool, current: _Raw) -> bool:
    """Whether a tag line starts a new record.

    ``%0`` starts one unless the record so far has none: files where only some records
    have a ``%0``, written after their title (the AIS eLibrary), must not have those
    records cut in two. Where the file's first record does not open with ``%0``, a blank
    line before a tag is the record boundary.
    """
    if tag == "0" and (current.has("0") or (typed and blank_before)):
        return True
    if not blank_before:
        return False
    if not typed:
        return True
    return tag not in _REPEATABLE and current.has(tag)


def _split(text: str, first_line: int = 1) -> tuple[list[_Raw], list[int]]:
    """The records of one section (``(tag, value)`` lists, continuation lines joined), and
    the lines of text found before its first record."""
    records: list[_Raw] = []
    outside: list[int] = []
    current: _Raw | None = None
    blank_before = True
    typed: bool | None = None  # does the file start its records with %0?
    for number, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip():
            blank_before = True
            continue
        match = _TAG.match(line)
        if match:
            tag, value = match.group(1), match.group(2) or ""
            if typed is None:
                typed = tag == "0"
            if current is None or _starts(tag, typed, blank_before, current):
                if current is not None:
                    current.close()
                current = _Raw(number)
                records.append(current)
            current.add(tag, value.rstrip())
        elif current is not None:
            current.more.append(line.strip())
        else:
            outside.append(number)
        blank_before = False
    if current is not None:
        current.close()
    return records, outside


def _values(raw: _Raw, tag: str) -> list[str]:
    return [value for t, value in raw.fields if t == tag and value.strip()]


def _first(raw: _Raw, *tags: str) -> str:
    for tag in tags:
        for t, value in raw.fields:
            if t == tag and value.strip():
                return value
    return ""


def _author(value: str) -> str:
    """EndNote marks a group author with a trailing comma ("World Health Organization,")."""
    value = value.strip()
    if value.endswith(",") and value.count(",") == 1:
        return clean_text(value[:-1])
    return format_author(value)


def _keywords(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:  # one %K per keyword, or several on lines of one %K, or ";"-joined
        out.extend(k for k in (clean_text(p) for p in re.split(r"[\n;]", value)) if k)
    return out


def _serials(values: list[str], entrytype: str) -> tuple[str, str]:
    """ISSN and ISBN from %@ lines: "1050-9674 (Print)", "978-0-19-000000-2", one per line.

    Told apart by their digits (8 for an ISSN, 10 or 13 for an ISBN); anything else goes
    to the ISBN of a book-like record and to the ISSN otherwise.
    """
    issn = isbn = ""
    for value in values:
        for part in value.split("\n"):
            number = _SERIAL.match(part.strip())
            text = number.group(0).strip("- ") if number else clean_text(part)
            digits = len(re.sub(r"[^0-9Xx]", "", text))
            if not text:
                continue
            if digits == 8 or (digits not in (10, 13) and entrytype not in _BOOKISH):
                issn = issn or text
            else:
                isbn = isbn or text
    return issn, isbn


def _record(raw: _Raw, result: ReadResult) -> Record:
    for tag, _ in raw.fields:
        if tag not in _KNOWN:
            result.unknown_fields[f"%{tag}"] += 1
    kind = clean_text(_first(raw, "0")).lower()
    base = ENTRY_TYPES.get(kind)
    if base is None:
        if _first(raw, "J"):
            base = "article"
        elif _first(raw, "B"):
            base = "chapter"
        else:
            base = "misc"
    journal = clean_text(_first(raw, "J", "B"))
    entrytype = refine_entry_type(base, clean_text(_first(raw, "9")), journal)
    issn, isbn = _serials(_values(raw, "@"), entrytype)
    url = clean_text(_first(raw, "U").split("\n")[0])
    doi = clean_doi(_first(raw, "R")) or (clean_doi(url) if "doi.org/" in url else "")
    return Record(
        record_id=clean_text(_first(raw, "F", "M")),
        entrytype=entrytype,
        title=clean_text(_first(raw, "T")),
        authors=[a for a in (_author(v) for v in _values(raw, "A")) if a],
        year=parse_year(_first(raw, "D")) or parse_year(_first(raw, "8")),
        journal=journal,
        volume=clean_text(_first(raw, "V")),
        issue=clean_text(_first(raw, "N")),
        pages=clean_pages(_first(raw, "P")),
        doi=doi,
        abstract=clean_text(_first(raw, "X")),
        keywords=_keywords(_values(raw, "K")),
        language=clean_text(_first(raw, "G")),
        url=url,
        issn=issn,
        isbn=isbn,
        line=raw.line,
        original=_original(raw),
    )


def _original(raw: _Raw) -> dict[str, list[str]]:
    original: dict[str, list[str]] = {}
    for tag, value in raw.fields:
        original.setdefault(f"%{tag}", []).append(value)
    return original


def read(text: str, file_name: str = "") -> ReadResult:
    """Read EndNote/refer tagged text: one record per ``%0`` (or blank-line separated) block.

    A byte-order mark mid-file starts a new section (a second export appended to the
    first, `_tagged.sections`): no record runs from one into the other.
    """
    raws: list[_Raw] = []
    outside: list[int] = []
    for first_line, section in sections(text):
        found, before = _split(section, first_line)
        raws += found
        outside += before
    if not raws:
        raise ReadError(
            "no EndNote/refer tagged lines found (expected lines like '%0 Journal Article', "
            "'%A Family, Given', '%T Title')",
            file_name=file_name,
        )
    result = ReadResult()
    if outside:
        where = f"line {outside[0]}" if len(outside) == 1 else f"lines {outside[0]}-{outside[-1]}"
        result.notes.append(f"{where}: text before the first record ignored")
    databases: set[str] = set()
    for raw in raws:
        result.keep(_record(raw, result))
        databases.add(clean_text(_first(raw, "~")))
    if len(databases) == 1:
        result.exporter = databases.pop()  # %~ "Name of Database", when every record agrees
    return result


FORMAT = Format(
    name="refer",
    label="EndNote/refer tagged text",
    suffixes=(".enw", ".refer", ".ref"),
    sniff=sniff,
    read=read,
)
