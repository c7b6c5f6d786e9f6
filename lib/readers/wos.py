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
concatenated exports) are read the same way.
"""

from __future__ import annotations

import re

from lib.encoding import normalise_newlines
from lib.fields import clean_doi, clean_pages, clean_text, format_author, parse_year
from lib.model import Record
from lib.readers._pubtypes import entrytype_from_types
from lib.readers._tagged import RawRecord, add_records, first, split_list, values
from lib.readers.base import Format, ReadError, ReadResult

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


def _records(lines: list[str], result: ReadResult) -> list[RawRecord]:
    """Split the lines into raw records; marks the one the file ends inside."""
    raws: list[RawRecord] = []
    current: RawRecord | None = None
    stray: list[int] = []
    no_er: list[int] = []
    no_pt: list[int] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line[0] in " \t":
            if current is None or not current.last_tag:
                stray.append(number)
            elif current.last_tag in _LINE_LISTS:
                current.add(current.last_tag, line.strip())
            else:
                current.extend_last(line.strip())
            continue
        tag = line[:2]
        if not _is_tag(tag) or (len(line) > 2 and line[2] != " "):
            if current is not None and current.extend_last(line.strip()):
                continue  # an unindented continuation line
            stray.append(number)
            continue
        value = line[3:].strip()
        if tag in ("FN", "VR") and current is None:
            continue  # file header
        if tag == "EF":
            if current is not None:
                no_er.append(current.line)
                current = None
            continue
        if tag == "ER":
            if current is None:
                stray.append(number)
            else:
                current.ended = True
                current = None
            continue
        if tag == "PT" and current is not None:
            no_er.append(current.line)  # the next record began before this one's ER
            current = None
        if current is None:
            current = RawRecord(line=number)
            raws.append(current)
            if tag != "PT":
                no_pt.append(number)
        current.add(tag, value)
    if current is not None:
        current.complete = False
    if stray:
        result.notes.append(
            f"{len(stray)} line(s) of text outside records ignored (first at line {stray[0]})"
        )
    if no_er:
        result.notes.append(
            f"{len(no_er)} record(s) had no ER line and were closed by what followed "
            f"(first at line {no_er[0]})"
        )
    if no_pt:
        result.notes.append(
            f"{len(no_pt)} record(s) did not start with a PT line (first at line {no_pt[0]})"
        )
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


def _to_record(raw: RawRecord) -> Record:
    names = split_list(values(raw, "AF") or values(raw, "AU"))
    authors = [a for a in map(format_author, names) if a]
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
        keywords=split_list(clean_text(v) for t in ("DE", "ID") for v in raw.fields.get(t, ())),
        language="; ".join(values(raw, "LA")),
        issn=issn,
        isbn=first(raw, "BN"),
    )


def read(text: str, file_name: str = "") -> ReadResult:
    result = ReadResult(exporter="Web of Science")
    raws = _records(normalise_newlines(text).lstrip("\ufeff").split("\n"), result)
    if not raws:
        raise ReadError("no Web of Science records found (no 'PT ' ... 'ER' blocks)")
    add_records(
        result,
        raws,
        _to_record,
        known=KNOWN,
        ignored=IGNORED,
        hint=lambda n, raw: first(raw, "UT") or f"record {n}",
    )
    return result


_RIS_START = re.compile(r"^TY  - ", re.MULTILINE)
_HEADER = re.compile(r"^FN (.*)\n(VR .*)?", re.MULTILINE)
_WOS_TAG = re.compile(r"^(PT|AU|AF|TI|SO|PY|UT|DI|DT|AB|VL|BP)(?: \S|$)", re.MULTILINE)
_ER = re.compile(r"^ER\s*$", re.MULTILINE)


def sniff(head: str) -> float:
    """WoS by its ``FN`` header, or by ``PT``..``ER`` blocks of two-letter tags."""
    head = normalise_newlines(head).lstrip("\ufeff")
    if _RIS_START.search(head):
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
)
