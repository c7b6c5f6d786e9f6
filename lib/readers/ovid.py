"""Ovid's own text export (MEDLINE, Embase, PsycINFO... through Ovid; not Ovid's RIS).

Two layouts follow the ``<1>`` (or ``<1. >``) line that opens each record:

- labelled ("Ovid" display format): a field label alone on a line (``Title``, ``Author``,
  ``Source``, ``Abstract``, ``Score``...) and its values on the following lines,
  indented (a file whose values are not indented is read by the labels Ovid uses)::

      <1>
      Unique Identifier
        31234567
      Authors
        Smith J
        Jones K

- tagged ("Reprint/Medlars" format): ``VN  - Ovid Technologies``, ``TI  - ...`` lines, the
  tag set of the database (BIOSIS, IPSA, MEDLINE).

Text before the first ``<1>`` (Ovid's header and search history) is ignored, and so is
such a header between records, where a second export was appended (as is a byte-order
mark mid-file, `_tagged.sections`). Blank or space-only lines after ``<n>`` are allowed.
When the journal, volume, issue and pages are not given as fields, they are taken from
the ``Source`` citation (`lib.readers._citation`).

What could not be checked against real exports (none were at hand; the layouts come from
Ovid's documentation and the Zotero "OVID Tagged" translator's test exports): the exact
label spellings of every database and segment, whether long values wrap onto several
indented lines (they are joined), and how a cut-off file ends. Labels are therefore
matched case-insensitively against a table of variants; labels not in it are kept and
reported as not understood. A last record whose last label has no value, or a ``<n>``
line with nothing after it, is read as far as it goes and marked incomplete.
"""

from __future__ import annotations

import re

from lib.encoding import normalise_newlines
from lib.fields import clean_doi, clean_pages, format_author, parse_year
from lib.model import Record
from lib.readers._citation import parse_source
from lib.readers._pubtypes import entrytype_from_types
from lib.readers._tagged import (
    RawRecord,
    add_records,
    cleaned,
    holds_ris,
    sections,
    split_list,
)
from lib.readers.base import Format, ReadError, ReadResult

__all__ = ["FORMAT", "read", "sniff"]

_MARKER = re.compile(r"^\s*<\s*(\d+)\s*\.?\s*>\s*$")
# Ovid's export header: search history, dates, rules. Also where a second export begins.
_HEADER = re.compile(
    r"^(?:Database: |Search Strategy:|Results of your search|Results Generated|-{20,}\s*$|"
    r"\*{20,}\s*$)"
)
_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}-(?: (.*)|\s*$)")

# Label (lower case) or tag (as written) → the field it fills. "" marks a field that is
# understood but has no place in the record model (kept in `original`, not reported).
_LABELS: dict[str, str] = {
    "unique identifier": "id",
    "accession number": "accession",
    "embase accession number": "accession",
    "pubmed id": "pmid",
    "pmid": "pmid",
    "title": "title",
    "article title": "title",
    "chapter title": "title",
    "original title": "original_title",
    "book title": "book_title",
    "authors": "authors",
    "author": "authors",
    "authors full name": "authors_full",
    "author full name": "authors_full",
    "authors full names": "authors_full",
    "corporate author": "groups",
    "group author": "groups",
    "collective name": "groups",
    "source": "source",
    "journal name": "journal",
    "journal title": "journal",
    "journal": "journal",
    "full journal title": "journal",
    "abbreviated source": "journal_abbr",
    "journal abbreviation": "journal_abbr",
    "title abbreviation": "journal_abbr",
    "volume": "volume",
    "issue": "issue",
    "issue number": "issue",
    "page": "pages",
    "pages": "pages",
    "pagination": "pages",
    "year of publication": "year",
    "publication year": "year",
    "year": "year",
    "date of publication": "date",
    "publication date": "date",
    "date of electronic publication": "date",
    "electronic date of publication": "date",
    "digital object identifier": "doi",
    "digital object identifier (doi)": "doi",
    "doi": "doi",
    "abstract": "abstract",
    "keyword heading": "keywords",
    "keywords": "keywords",
    "author keywords": "keywords",
    "mesh subject headings": "keywords",
    "emtree heading": "keywords",
    "subject headings": "keywords",
    "major subject headings": "keywords",
    "language": "language",
    "language of publication": "language",
    "issn": "issn",
    "issn print": "issn",
    "print issn": "issn",
    "issn electronic": "issn",
    "electronic issn": "issn",
    "issn linking": "issn",
    "international standard serial number": "issn",
    "isbn": "isbn",
    "international standard book number": "isbn",
    "publication type": "types",
    "document type": "types",
    "url": "url",
    "link to the ovid full text or citation": "url",
    "link to the external link resolver": "url",
    "full text link": "url",
    "database": "",
    "status": "",
    "version id": "",
    "institution": "",
    "author affiliation": "",
    "author nameid": "",
    "author identifier": "",
    "country of publication": "",
    "publisher": "",
    "place of publication": "",
    "nlm journal code": "",
    "publishing model": "",
    "journal subset": "",
    "entry date": "",
    "update date": "",
    "revision date": "",
    "create date": "",
    "comments": "",
    "cas registry/ec number/name of substance": "",
    "grant information": "",
    "conflict of interest": "",
    "correspondence address": "",
    "email": "",
    "copyright": "",
    "population group": "",
    "age group": "",
    "methodology": "",
    "classification": "",
    "number of references": "",
    "references": "",
    "pubmed central identifier": "",
    "editors": "",
    "score": "",  # the relevance score of Ovid's ranked display
    "relevancy": "",
}
_TAGS: dict[str, str] = {
    "UI": "id",
    "AN": "accession",
    "PM": "pmid",
    "TI": "title",
    "BT": "book_title",
    "AU": "authors",
    "FA": "authors_full",
    "FAU": "authors_full",
    "CN": "groups",
    "SO": "source",
    "JN": "journal",
    "JT": "journal",
    "JO": "journal",
    "JF": "journal",
    "JA": "journal_abbr",
    "TA": "journal_abbr",
    "VO": "volume",
    "VI": "volume",
    "VL": "volume",
    "IP": "issue",
    "NO": "issue",
    "PG": "pages",
    "PP": "pages",
    "YR": "year",
    "PY": "year",
    "DP": "date",
    "DG": "date",
    "DO": "doi",
    "DI": "doi",
    "AB": "abstract",
    "KW": "keywords",
    "MH": "keywords",
    "DE": "keywords",
    "LG": "language",
    "LA": "language",
    "IS": "issn",
    "SN": "issn",
    "IB": "isbn",
    "BN": "isbn",
    "PT": "types",
    "DT": "types",
    "XL": "url",
    "UR": "url",
    "VN": "",
    "DB": "",
    "RO": "",
    "IN": "",
    "CY": "",
    "UP": "",
    "CC": "",
    "MC": "",
    "ED": "",
    "PB": "",
    "PI": "",
    "PL": "",
    "ST": "",
    "TN": "",
    "OR": "",
    "MQ": "",
    "MI": "",
    "BC": "",
    "CB": "",
    "DS": "",
    "TT": "",
    "PN": "",
    "PC": "",
    "PA": "",
    "CL": "",
    "JL": "",
    "EN": "",
}
# "[Review] [63 refs]", "[Article in French]": Ovid's notes after a title, not part of it.
_TITLE_NOTES = re.compile(
    r"(?:\s*\[(?:[^\[\]]*\brefs?|Review|Article in [^\]]*|Editorial|Letter|"
    r"Comment|Erratum|Journal Article|Report|Article)\])+\s*$"
)
_ROLE = re.compile(r"\s*\[[^\]]*\]")  # "Walsdorf, Neill B. [Inventor, Reprint Author]"
_ISSN_NOTE = re.compile(r"\s*\([^)]*\)\s*$")  # "0098-1133 (ISSN print)"


def _label_key(label: str) -> str:
    return " ".join(label.strip().rstrip(":").split()).lower()


def _field_of(name: str) -> str | None:
    """The record field an Ovid label or tag fills; "" if none; None if not understood."""
    if name in _TAGS:
        return _TAGS[name]
    return _LABELS.get(_label_key(name))


def _is_header(line: str) -> bool:
    """A line of Ovid's export header (search history), at the top or where a second export
    was appended: it ends the record before it and is not part of any record."""
    return bool(_HEADER.match(line))


def _split(lines: list[str], result: ReadResult, first_line: int = 1) -> list[RawRecord]:
    """Split lines into raw records at the ``<n>`` lines (or blank lines if there are none).

    In the labelled layout a line flush left is a field label and the indented lines
    under it its values; in a file whose values are not indented at all, only the labels
    Ovid uses start fields and every other line is a value of the label above it.
    """
    raws: list[RawRecord] = []
    current: RawRecord | None = None
    tagged = False
    has_markers = any(_MARKER.match(line) for line in lines)
    indented = any(line[:1] in (" ", "\t") and line.strip() for line in lines)
    before = 0
    for number, line in enumerate(lines, start=first_line):
        if _MARKER.match(line):
            current = RawRecord(line=number)
            raws.append(current)
            tagged = False
            continue
        if not line.strip():
            if not has_markers:
                current = None
            continue
        if _is_header(line):
            current = None  # Ovid's header, or that of an export appended to this one
            before += 1
            continue
        if current is None:
            if has_markers:
                before += 1  # Ovid's header and search history
                continue
            current = RawRecord(line=number)
            raws.append(current)
        if not current.fields:
            tagged = bool(_TAG_LINE.match(line))
        if tagged:
            match = _TAG_LINE.match(line)
            if match:
                current.add(match.group(1), (match.group(2) or "").strip())
            elif not current.extend_last(line.strip()):
                before += 1
        elif line[0] in " \t" or (
            not indented and current.last_tag and _LABELS.get(_label_key(line)) is None
        ):
            if current.last_tag:
                current.fields[current.last_tag].append(line.strip())
            else:
                before += 1
        else:
            label = line.strip().rstrip(":").strip()
            current.fields.setdefault(label, [])
            current.last_tag = label
    for raw in raws:
        raw.close()
    if raws:
        last = raws[-1]
        if not last.fields or (last.last_tag and not last.fields[last.last_tag]):
            last.complete = False
    if before and has_markers:
        result.notes.append(f"{before} line(s) before or between records ignored")
    return raws


def _collect(raw: RawRecord) -> dict[str, list[str]]:
    """Values by record field; each field's values in file order."""
    out: dict[str, list[str]] = {}
    for name, vals in raw.fields.items():
        key = _field_of(name)
        if key:
            out.setdefault(key, []).extend(v for v in map(cleaned, vals) if v)
    return out


def _title(values: list[str]) -> tuple[str, bool]:
    """The title without Ovid's trailing notes, and whether they said "[Review]"."""
    title = " ".join(values)
    notes = _TITLE_NOTES.search(title)
    if not notes:
        return title, False
    return title[: notes.start()].strip(), "[review]" in notes.group(0).lower()


def _to_record(raw: RawRecord) -> Record:
    f = _collect(raw)

    def one(key: str) -> str:
        return f[key][0] if f.get(key) else ""

    title, review_note = _title(f.get("title") or f.get("original_title") or [])
    names = split_list(_ROLE.sub("", n) for n in f.get("authors_full") or f.get("authors") or [])
    authors = [a for a in map(format_author, names) if a]
    authors += split_list(f.get("groups", []))
    cited = parse_source(" ".join(f.get("source", [])))
    types = f.get("types", []) + (["Review"] if review_note else [])
    book = one("book_title")
    issn = _ISSN_NOTE.sub("", one("issn"))
    urls = [u for u in f.get("url", []) if u.lower().startswith("http")]
    return Record(
        record_id=one("id") or one("accession") or one("pmid"),
        entrytype=entrytype_from_types(types, "chapter" if book and title else "article"),
        title=title or book,
        authors=authors,
        year=parse_year(one("year")) or parse_year(one("date")) or cited.year,
        journal=one("journal") or (book if title else "") or cited.journal or one("journal_abbr"),
        volume=one("volume") or cited.volume,
        issue=one("issue") or cited.issue,
        pages=clean_pages(one("pages")) or cited.pages,
        doi=next((d for d in map(clean_doi, f.get("doi", [])) if d), ""),
        abstract=" ".join(f.get("abstract", [])),
        keywords=[k.lstrip("*").strip() for k in split_list(f.get("keywords", []))],
        language="; ".join(f.get("language", [])),
        url=urls[0] if urls else "",
        issn=issn,
        isbn=_ISSN_NOTE.sub("", one("isbn")),
    )


def _known(raws: list[RawRecord]) -> frozenset[str]:
    """The labels and tags in these records the mapping understands."""
    names = {name for raw in raws for name in raw.fields}
    return frozenset(n for n in names if _field_of(n) is not None)


def read(text: str, file_name: str = "") -> ReadResult:
    result = ReadResult(exporter="Ovid")
    raws: list[RawRecord] = []
    for first_line, section in sections(normalise_newlines(text)):
        raws += _split(section.split("\n"), result, first_line)
    if not raws:
        raise ReadError("no Ovid records found (no '<1>' lines opening records)")
    add_records(result, raws, _to_record, known=_known(raws))
    return result


_VENDOR = re.compile(r"^VN\s{1,2}- Ovid Technologies", re.MULTILINE)


def _after_markers(head: str) -> list[str]:
    """The first non-blank line after each ``<n>`` line."""
    out: list[str] = []
    waiting = False
    for line in head.split("\n"):
        if _MARKER.match(line):
            waiting = True
        elif waiting and line.strip():
            out.append(line)
            waiting = False
    return out


def sniff(head: str) -> float:
    """Ovid by its ``<n>`` record lines followed by an Ovid label or tag line."""
    head = normalise_newlines(head)
    if holds_ris(head):
        return 0.0
    if _VENDOR.search(head):
        return 0.95
    follows = _after_markers(head)
    if not follows:
        return 0.0
    labelled = sum(1 for line in follows if _LABELS.get(_label_key(line)) is not None)
    tagged = sum(1 for line in follows if _TAG_LINE.match(line))
    if labelled + tagged >= max(1, len(follows) // 2):
        return 0.9
    return 0.4 if "ovid" in head.lower() else 0.0


FORMAT = Format(
    name="ovid",
    label="Ovid text",
    suffixes=(".txt", ".ovd"),
    sniff=sniff,
    read=read,
)
