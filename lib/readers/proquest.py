"""ProQuest's plain-text export ("Export/Save → Text only"; also sent by e-mail).

Layout: a report header and table of contents, then per record a ``Document 1 of 20``
line, the title alone on a line, ``Label: value`` fields (``Author:``, ``Publication
info:``, ``Abstract:``, ``Subject:``, ``Title:``, ``Publication title:``, ``Volume:``...
``ProQuest document ID:``, ``Database:``), and a line of underscores. Abstracts and full
texts run over several paragraphs; inside them a line such as ``Methods: ...`` is text,
not a field, unless its label is one ProQuest uses.

What could not be checked against real exports (none were at hand; the layout comes from
ProQuest's help pages and scripts people wrote to parse these files): every label
spelling in every ProQuest database, and labels in interface languages other than
English. Labels are matched case-insensitively against a table of variants; other
``Label:`` lines outside abstracts are kept and reported as not understood. A last record
without the closing underscore line, when every other record has one, is read and marked
incomplete (the file was cut short inside it); if the ``of N`` count disagrees with the
records found, a note says so. A byte-order mark mid-file starts a new section (a second
export appended: `_tagged.sections`).
"""

from __future__ import annotations

import re

from lib.encoding import normalise_newlines
from lib.fields import clean_doi, clean_pages, clean_text, format_author, parse_year
from lib.model import Record
from lib.readers._citation import parse_source
from lib.readers._pubtypes import entrytype_from_types
from lib.readers._tagged import (
    RawRecord,
    add_records,
    cleaned,
    holds_ris,
    mark_truncated_tail,
    note_stated_count,
    sections,
    split_list,
)
from lib.readers.base import Format, ReadError, ReadResult

__all__ = ["FORMAT", "read", "sniff"]

_START = re.compile(r"^\s*Document (\d+) of (\d+)\s*$")
_SEPARATOR = re.compile(r"^\s*_{20,}\s*$")
_LABEL_LINE = re.compile(r"^([A-Za-z][^:]{0,60}):(?:\s+(.*)|\s*$)")
_HEADING = "(title line)"  # key in `original` for the unlabelled title after "Document n of N"

# Label (lower case) → record field; "" = understood, no place in the record model.
_LABELS: dict[str, str] = {
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "author(s)": "authors",
    "publication title": "journal",
    "journal title": "journal",
    "publication info": "source",
    "source": "source",
    "volume": "volume",
    "issue": "issue",
    "pages": "pages",
    "page": "pages",
    "first page": "first_page",
    "last page": "last_page",
    "publication year": "year",
    "year": "year",
    "publication date": "date",
    "date": "date",
    "doi": "doi",
    "digital object identifier": "doi",
    "abstract": "abstract",
    "abstract (english)": "abstract",
    "summary": "abstract",
    "subject": "keywords",
    "subjects": "keywords",
    "identifier / keyword": "keywords",
    "identifiers / keywords": "keywords",
    "keywords": "keywords",
    "keyword": "keywords",
    "mesh subject": "keywords",
    "index terms": "keywords",
    "language of publication": "language",
    "language": "language",
    "issn": "issn",
    "e-issn": "eissn",
    "isbn": "isbn",
    "e-isbn": "isbn",
    "document url": "url",
    "url": "url",
    "proquest document id": "id",
    "document id": "id",
    "document type": "types",
    "source type": "types",
    "database": "",
    "links": "",
    "full text": "",
    "location": "",
    "people": "",
    "company / organization": "",
    "publisher": "",
    "place of publication": "",
    "country of publication": "",
    "publication subject": "",
    "copyright": "",
    "last updated": "",
    "section": "",
    "document feature": "",
    "classification": "",
    "publication note": "",
    "supplement": "",
    "number of references": "",
    "update": "",
    "accession number": "",
    "coden": "",
    "university/institution": "",
    "department": "",
    "school code": "",
    "degree": "",
    "advisor": "",
    "committee member": "",
    "dissertation/thesis number": "",
    "isbn 13": "isbn",
    "credit": "",
    "dateline": "",
    "illustration": "",
    "affiliation": "",
    "correspondence author": "",
    "population": "",
    "methodology": "",
    "tests and measures": "",
}
# Fields whose text runs over several lines and paragraphs.
_LONG = frozenset({"abstract", "abstract (english)", "summary", "full text", "copyright"})


def _is_field(label: str, current: str) -> bool:
    key = label.lower().strip()
    if key in _LABELS:
        return True
    # Another "Label: value" line starts a field only outside running text.
    return current.lower() not in _LONG and len(label.split()) <= 5


def _split(
    lines: list[str], result: ReadResult, first_line: int = 1
) -> tuple[list[RawRecord], int | None]:
    """Raw records, and the document count the export states ("of N")."""
    raws: list[RawRecord] = []
    current: RawRecord | None = None
    stated: int | None = None
    loose = 0
    for number, line in enumerate(lines, start=first_line):
        start = _START.match(line)
        if start:
            current = RawRecord(line=number)
            raws.append(current)
            stated = int(start.group(2))
            continue
        if current is None:
            continue  # report header, table of contents, closing notes
        if _SEPARATOR.match(line):
            current.ended = True
            current = None
            continue
        if not line.strip():
            if current.last_tag.lower() in _LONG:
                current.extend_last("", sep="\n")
            continue
        label = _LABEL_LINE.match(line)
        if label and (
            label.group(1).lower().strip() in _LABELS
            or (current.fields and _is_field(label.group(1), current.last_tag))
        ):
            current.add(label.group(1).strip(), (label.group(2) or "").strip())
        elif not current.fields:
            current.add(_HEADING, line.strip())
        elif current.last_tag.lower() in _LONG:
            current.extend_last(line.strip(), sep="\n")
        else:
            loose += 1  # "ProQuest document link" and similar screen text
    if loose:
        result.notes.append(f"{loose} unlabelled line(s) inside records ignored")
    for raw in raws:
        raw.close()
    return raws, stated


def _collect(raw: RawRecord) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, vals in raw.fields.items():
        key = _LABELS.get(name.lower())
        if key:
            out.setdefault(key, []).extend(v for v in map(cleaned, vals) if v)
    return out


def _to_record(raw: RawRecord) -> Record:
    f = _collect(raw)

    def one(key: str) -> str:
        return f[key][0] if f.get(key) else ""

    heading = clean_text(raw.fields.get(_HEADING, [""])[0])
    cited = parse_source(one("source"))
    pages = one("pages")
    if not pages and one("first_page"):
        last = one("last_page")
        pages = f"{one('first_page')}-{last}" if last else one("first_page")
    authors = [a for a in map(format_author, split_list(f.get("authors", []))) if a]
    return Record(
        record_id=one("id"),
        entrytype=entrytype_from_types(f.get("types", [])),
        title=one("title") or heading,
        authors=authors,
        year=parse_year(one("year")) or parse_year(one("date")) or cited.year,
        journal=one("journal") or cited.journal,
        volume=one("volume") or cited.volume,
        issue=one("issue") or cited.issue,
        pages=clean_pages(pages) or cited.pages,
        doi=next((d for d in map(clean_doi, f.get("doi", [])) if d), ""),
        abstract=one("abstract"),
        keywords=split_list(f.get("keywords", [])),
        language="; ".join(f.get("language", [])),
        url=one("url"),
        issn=one("issn") or one("eissn"),
        isbn=one("isbn"),
    )


def read(text: str, file_name: str = "") -> ReadResult:
    result = ReadResult(exporter="ProQuest")
    raws: list[RawRecord] = []
    stated_total: int | None = None
    for first_line, section in sections(normalise_newlines(text)):
        found, stated = _split(section.split("\n"), result, first_line)
        mark_truncated_tail(found, marker="separator")  # each appended export on its own
        raws += found
        if stated is not None:
            stated_total = (stated_total or 0) + stated
    if not raws:
        raise ReadError("no ProQuest records found (no 'Document 1 of N' lines)")
    note_stated_count(result, stated_total, len(raws), "documents")
    names = {name for raw in raws for name in raw.fields}
    known = frozenset(n for n in names if n.lower() in _LABELS or n == _HEADING)
    add_records(result, raws, _to_record, known=known)
    return result


_DOC = re.compile(r"^\s*Document \d+ of \d+\s*$", re.MULTILINE)
_PQ_LABELS = re.compile(
    r"^(ProQuest document ID|Publication title|Publication info|Document URL|Source type"
    r"|Language of publication|Publication year):",
    re.MULTILINE,
)


def sniff(head: str) -> float:
    """ProQuest by its ``Document n of N`` lines and its own field labels."""
    head = normalise_newlines(head)
    if holds_ris(head):
        return 0.0
    labels = {m.group(1) for m in _PQ_LABELS.finditer(head)}
    if _DOC.search(head):
        return 0.95 if labels else 0.5
    if "Report Information from ProQuest" in head:
        return 0.9 if labels else 0.5
    return 0.0


FORMAT = Format(
    name="proquest",
    label="ProQuest text",
    suffixes=(".txt",),
    sniff=sniff,
    read=read,
)
