"""PubMed's MEDLINE tagged format (the "PubMed" export, saved as .nbib or .txt).

Layout: a tag of up to four letters padded to four characters, ``- ``, the value
(``PMID- 28441597``, ``AU  - Neilen AD``); long values continue on lines indented six
spaces; a blank line ends a record. Parsed by hand: no maintained Python library reads it
with line numbers (Biopython's Medline parser drops them and needs Biopython), and the
syntax is a few lines of code. A ``PMID`` line also starts a new record when the blank
line before it is missing (files pasted together).

PubMed has no end-of-record marker, but it always writes ``SO`` last; a last record
without ``SO`` when every other record ends with it is read and marked incomplete (the
file was cut short inside it). A byte-order mark mid-file starts a new section: a second
export appended to the first (`_tagged.sections`).
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
    mark_truncated_tail,
    note_lines,
    sections,
    values,
)
from lib.readers.base import Format, ReadError, ReadResult, line_start_counter

__all__ = ["FORMAT", "read", "sniff"]

_TAG_LINE = re.compile(r"([A-Z][A-Z0-9]{1,3}) *-(?: (.*)|\s*$)")
# Tags the mapping below uses.
KNOWN = frozenset(
    {
        "PMID", "TI", "BTI", "VTI", "TT", "AB", "FAU", "AU", "CN", "FED", "ED", "DP", "DEP",
        "JT", "TA", "VI", "IP", "PG", "LID", "AID", "MH", "OT", "LA", "IS", "ISBN", "PT",
        "SO",
    }
)  # fmt: skip
# Tags understood and kept, but carrying nothing the record model holds: PubMed's
# bookkeeping (status, dates of indexing, owner, history), not bibliographic content.
IGNORED = frozenset(
    {
        "OWN", "STAT", "DCOM", "LR", "DA", "EDAT", "MHDA", "CRDT", "PHST", "PST", "JID",
        "SB", "OTO", "CTDT", "PMCR", "MID", "IR", "FIR", "IRAD", "PL", "PMC", "RN", "CI",
        "COIS", "AD", "AUID", "GR", "CIN", "CON", "EIN", "EFR", "CRI", "CRF", "ROF", "RIN",
        "UOF", "UIN", "ORI", "SPIN", "DRIN", "DDIN", "SI", "GS", "NM", "OAB", "OABL", "OCI",
        "OID", "PS", "FPS", "EN", "CP", "PB", "SFM", "RF", "GN", "CTI", "DRDT",
    }
)  # fmt: skip
_DOI_SUFFIX = re.compile(r"\s*\[doi\]\s*$", re.IGNORECASE)
_ISSN_KIND = re.compile(r"\s*\((print|electronic|linking)\)\s*$", re.IGNORECASE)


def _tidy_chunk(chunk: str, line: int) -> RawRecord | None:
    """A blank-line-separated chunk as one record, if it is nothing but well-formed fields.

    The fast path, for the many-thousand-record files PubMed writes: continuation lines
    (exactly six spaces of indent) are merged with one C-level replace, leaving one line per
    field. Anything unusual (stray or unindented lines, a second PMID, odd indents) returns
    None and the chunk goes to `_LineReader`.
    """
    merged = chunk.replace("\n      ", " ")
    if "\nPMID-" in merged:
        return None
    lines = merged.split("\n")
    if [text_line[4:6] for text_line in lines].count("- ") != len(lines):
        return None
    tags = [text_line[:4].rstrip() for text_line in lines]
    joined = "".join(tags)
    if not (joined.isupper() and joined.isalnum()):
        return None
    fields: dict[str, list[str]] = {}
    for tag, value in zip(tags, [text_line[6:].strip() for text_line in lines], strict=True):
        values_ = fields.get(tag)
        if values_ is None:
            fields[tag] = [value]
        else:
            values_.append(value)
    return RawRecord(line=line, fields=fields, last_tag=tags[-1])


class _LineReader:
    """The exact, line-by-line reading, for chunks the fast path declines."""

    def __init__(self, raws: list[RawRecord]) -> None:
        self.raws = raws
        self.stray: list[int] = []
        self.loose: list[int] = []

    def feed(self, chunk: str, first_line: int) -> None:
        current: RawRecord | None = None
        for number, line in enumerate(chunk.split("\n"), start=first_line):
            if not line.strip():
                current = None  # a blank line ends a record
                continue
            if line[0] in " \t":
                if current is None or not current.extend_last(line.strip()):
                    self.stray.append(number)
                continue
            match = _TAG_LINE.match(line)
            if not match:
                if current is not None and current.extend_last(line.strip()):
                    self.loose.append(number)  # an unindented continuation line
                else:
                    self.stray.append(number)
                continue
            tag, value = match.group(1), (match.group(2) or "").strip()
            if current is None or (tag == "PMID" and current.fields):
                current = RawRecord(line=number)
                self.raws.append(current)
            current.add(tag, value)

    def notes(self, result: ReadResult) -> None:
        note_lines(result, self.stray, OUTSIDE_RECORDS)
        note_lines(
            result,
            self.loose,
            "unindented line(s) read as continuations of the field before them",
        )


def _records(text: str, slow: _LineReader, line: int = 1) -> list[RawRecord]:
    """Split the text into raw records (see the module docstring for the syntax)."""
    raws: list[RawRecord] = []
    slow.raws = raws
    pos, size = 0, len(text)
    while pos <= size:  # chunks between blank lines, cut one at a time to spare memory
        end = text.find("\n\n", pos)
        if end < 0:
            end = size
        chunk = text[pos:end]
        if chunk:
            raw = _tidy_chunk(chunk, line)
            if raw is None:
                slow.feed(chunk, line)
            else:
                raws.append(raw)
        line += chunk.count("\n") + 2
        pos = end + 2
    for raw in raws:
        raw.close()
    return raws


def _year(raw: RawRecord) -> int | None:
    year = parse_year(first(raw, "DP"))
    if year is None:
        dep = first(raw, "DEP")  # electronic publication date, "20170422"
        year = parse_year(dep[:4] if dep[:8].isdigit() else dep)
    return year


def _doi(raw: RawRecord) -> str:
    for tag in ("LID", "AID"):
        for value in raw.fields.get(tag, ()):
            if _DOI_SUFFIX.search(value):
                doi = clean_doi(_DOI_SUFFIX.sub("", value))
                if doi:
                    return doi
    return ""


def _issn(raw: RawRecord) -> str:
    kinds: dict[str, str] = {}
    for value in values(raw, "IS"):
        match = _ISSN_KIND.search(value)
        kind = match.group(1).lower() if match else "other"
        kinds.setdefault(kind, _ISSN_KIND.sub("", value).strip())
    for kind in ("print", "electronic", "linking", "other"):
        if kinds.get(kind):
            return kinds[kind]
    return ""


def _keywords(raw: RawRecord) -> list[str]:
    # "*" marks a major topic in MEDLINE; it is markup, not part of the term.
    words = [clean_text(v.replace("*", "")) for t in ("MH", "OT") for v in raw.fields.get(t, ())]
    return [w for w in words if w]


def _to_record(raw: RawRecord) -> Record:
    names = raw.fields.get("FAU") or raw.fields.get("AU") or ()
    authors = [a for a in map(format_author, names) if a]  # format_author cleans
    authors += values(raw, "CN")  # group authors, kept whole
    entrytype = entrytype_from_types(values(raw, "PT"))
    title, book_title = first(raw, "TI"), first(raw, "BTI")
    if entrytype == "article" and book_title and not title:
        entrytype = "book"
    return Record(
        record_id=first(raw, "PMID"),
        entrytype=entrytype,
        title=title or book_title or first(raw, "VTI", "TT"),
        authors=authors,
        year=_year(raw),
        journal=first(raw, "JT", "TA") or (book_title if title else ""),
        volume=first(raw, "VI"),
        issue=first(raw, "IP"),
        pages=clean_pages(first(raw, "PG")),
        doi=_doi(raw),
        abstract=" ".join(values(raw, "AB")),
        keywords=_keywords(raw),
        language="; ".join(values(raw, "LA")),
        issn=_issn(raw),
        isbn=first(raw, "ISBN"),
    )


def read(text: str, file_name: str = "") -> ReadResult:
    result = ReadResult(exporter="PubMed")
    slow = _LineReader([])
    raws: list[RawRecord] = []
    for first_line, section in sections(normalise_newlines(text)):
        found = _records(section, slow, first_line)
        mark_truncated_tail(found)  # each appended export has a last record of its own
        raws += found
    slow.notes(result)
    if not raws:
        raise ReadError("no MEDLINE records found (no 'PMID- ' or 'TAG - value' lines)")
    add_records(
        result,
        raws,
        _to_record,
        known=KNOWN,
        ignored=IGNORED,
        hint=hint_by("PMID", "PMID "),
    )
    return result


_OVID = re.compile(r"^(?:<\d+\.?\s*>\s*$|VN  - Ovid)", re.MULTILINE)
_PMID = re.compile(r"^PMID- ?\d", re.MULTILINE)
_MEDLINE_ONLY = re.compile(r"^(FAU|STAT|OWN|JT|DP|MH|PT|DCOM|EDAT|TA) {0,2}- ", re.MULTILINE)


def sniff(head: str) -> float:
    """MEDLINE when ``PMID-`` lines (or MEDLINE-only tags) appear and nothing says RIS/Ovid."""
    head = normalise_newlines(head)
    if holds_ris(head) or _OVID.search(head):
        return 0.0
    tags = {m.group(1) for m in _MEDLINE_ONLY.finditer(head)}
    if _PMID.search(head):
        return 0.95 if tags else 0.7
    return 0.6 if len(tags) >= 3 else 0.0


FORMAT = Format(
    name="medline",
    label="PubMed MEDLINE",
    suffixes=(".nbib", ".txt", ".medline"),
    sniff=sniff,
    read=read,
    count=line_start_counter("PMID-"),
)
