"""RIS, as Scopus, EBSCO, ProQuest, Ovid, Embase, EndNote, Zotero, Rayyan, Dimensions and Lens
write it.

The tag table is rispy's (`rispy.config.TAG_KEY_MAPPING` says which tags the RIS
specification knows; the others are reported as not understood). The line loop is ours:
rispy's `RisParser` does not say on which line a record starts, silently drops a last
record that lacks its ``ER`` line, fails when a repeated single tag has a continuation
line, accepts only tags written exactly ``XX  - value``, and its per-line name mapping
took half the time of reading 100k records. Text between records (Ovid's ``1.`` lines,
export banners) is ignored and counted in a note. A record the file ends inside (no
``ER`` line) is read as far as it goes and marked incomplete; a byte-order mark mid-file
(a second export appended) ends the record before it (`_tagged.sections`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rispy.config import TAG_KEY_MAPPING

from lib.fields import (
    clean_doi,
    clean_pages,
    clean_text,
    format_author,
    parse_year,
)
from lib.model import Record
from lib.readers._doctype import refine_entry_type
from lib.readers._tagged import OUTSIDE_RECORDS, note_lines, sections
from lib.readers.base import (
    CUT_SHORT,
    Format,
    ReadError,
    ReadResult,
    Skipped,
    iter_lines,
    line_start_counter,
    mark_incomplete,
)

__all__ = ["FORMAT", "read", "sniff"]

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$")
# Tags the RIS specification knows, plus those we read although rispy's table lacks them
# (L3: EBSCO's DOI; C7: Scopus's and WoS's article number; DI: a DOI in some exports).
KNOWN_TAGS = frozenset(TAG_KEY_MAPPING) | {"L3", "C7", "DI"}

TYPE_MAP: dict[str, str] = {
    "JOUR": "article",
    "JFULL": "article",
    "EJOUR": "article",
    "MGZN": "article",
    "NEWS": "article",
    "INPR": "article",
    "SER": "article",
    "CONF": "conference",
    "CPAPER": "conference",
    "ABST": "conference",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "RPRT": "report",
    "GOVDOC": "report",
    "THES": "thesis",
    "UNPB": "preprint",
    "MANSCPT": "preprint",
    "DATA": "dataset",
    "DBASE": "dataset",
}
_ISBN = re.compile(r"^(?:97[89][- ]?)?(?:\d[- ]?){9}[\dXx]$")

Fields = dict[str, list[str]]


def _parse_line(line: str) -> tuple[str | None, str]:
    """``(tag, value)`` for a tag line, ``(None, text)`` for any other line."""
    if line[2:5] == "  -" and line[:1].isupper() and line[:2].isalnum():
        return line[:2], line[6:].strip()  # the common, exact form: fast path
    match = _TAG_LINE.match(line)
    if match:
        return match.group(1), (match.group(2) or "").strip()
    return None, line.strip()


class _Scan:
    """What was odd in the file, collected while records are cut out of it."""

    def __init__(self) -> None:
        self.ends_missing: list[int] = []  # records closed by the next TY, not by ER
        self.truncated: list[int] = []  # TY lines of records a section ends inside
        self.stray_lines: list[int] = []

    def records(self, text: str, first_line: int = 1) -> Iterator[tuple[int, Fields, bool]]:
        """Yield ``(line of TY, {tag: [values]}, closed by ER or TY)`` in file order.

        A record the text ends inside is yielded last, not closed (and its line noted).
        Continuation lines are collected and joined once per value: joining them one at
        a time copied the value so far for each line (quadratic on a wrapped 10 MB field).
        """
        record: Fields | None = None
        start = 0
        last: list[str] | None = None  # the value list a continuation line extends
        more: list[str] = []  # continuation lines of last[-1], not joined yet

        def join() -> None:
            if more and last is not None:
                parts = [last[-1], *more] if last[-1] else more
                last[-1] = " ".join(parts)
                more.clear()

        for number, raw in enumerate(iter_lines(text), start=first_line):
            if not raw or raw.isspace():
                continue
            tag, content = _parse_line(raw)
            if record is None:
                if tag == "TY":
                    record, start = {"TY": [content]}, number
                    last = record["TY"]
                else:
                    self.stray_lines.append(number)
                continue
            if tag is None:
                if last is not None and content:
                    more.append(content)
                continue
            if more:
                join()
            if tag == "ER":
                yield start, record, True
                record, last = None, None
                continue
            if tag == "TY":  # a new record before this one's ER: close it here
                self.ends_missing.append(start)
                yield start, record, True
                record, start = {"TY": [content]}, number
                last = record["TY"]
                continue
            values = record.get(tag)
            if values is None:
                record[tag] = values = []
            values.append(content)
            last = values
        join()
        if record is not None:
            self.truncated.append(start)
            yield start, record, False


def _first(rec: Fields, *tags: str) -> str:
    for tag in tags:
        for value in rec.get(tag, ()):
            text = clean_text(value)
            if text:
                return text
    return ""


def _entrytype(rec: Fields) -> str:
    """TY, refined by the document type some databases put in M3 ("Review", "Erratum")."""
    base = TYPE_MAP.get(_first(rec, "TY").upper(), "misc")
    return refine_entry_type(base, "; ".join(rec.get("M3", ())), _first(rec, "T2", "JF", "JO"))


def _authors(rec: Fields) -> list[str]:
    raw = rec.get("AU") or rec.get("A1") or []
    names: list[str] = []
    for value in raw:
        # a few exporters put every author on one AU line, separated by semicolons
        parts = value.split(";") if ";" in value else [value]
        names += [n for n in map(format_author, parts) if n]
    return names


def _pages(rec: Fields) -> str:
    start = _first(rec, "SP")
    end = _first(rec, "EP")
    if start and end and "-" not in start and start != end:
        return clean_pages(f"{start}-{end}")
    # no pages: an article number (Scopus and WoS write it in C7) stands in for them
    return clean_pages(start or end or _first(rec, "C7"))


def _doi(rec: Fields) -> str:
    for tag in ("DO", "DI", "L3", "M3", "N1", "UR", "L2"):
        for value in rec.get(tag, ()):
            if tag in ("N1", "UR", "L2", "M3") and "10." not in value:
                continue
            doi = clean_doi(value)
            if doi:
                return doi
    return ""


def _to_record(rec: Fields, line: int) -> Record:
    etype = _entrytype(rec)
    title = _first(rec, "TI", "T1", "CT", "ST")
    if etype in ("chapter", "conference"):
        journal = _first(rec, "T2", "BT", "JF", "JO", "T3")
    else:
        journal = _first(rec, "JF", "T2", "JO", "JA", "J2", "BT")
    serial = _first(rec, "SN")
    issn, isbn = ("", serial)
    if serial and not _ISBN.match(serial.split(",")[0].split(" ")[0].strip()):
        issn, isbn = serial, ""
    if etype in ("book", "chapter") and serial and not issn:
        isbn = serial
    abstract = " ".join(clean_text(v) for v in rec.get("AB") or rec.get("N2") or ())
    keywords = [k for v in rec.get("KW", ()) for k in [clean_text(v)] if k]
    urls = [u for v in rec.get("UR", ()) for u in v.split(";") if u.strip()]
    return Record(
        record_id=_first(rec, "ID") or _first(rec, "AN"),
        entrytype=etype,
        title=title,
        authors=_authors(rec),
        year=parse_year(_first(rec, "PY") or _first(rec, "Y1") or _first(rec, "DA")),
        journal=journal,
        volume=_first(rec, "VL"),
        issue=_first(rec, "IS", "CP"),
        pages=_pages(rec),
        doi=_doi(rec),
        abstract=abstract.strip(),
        keywords=keywords,
        language=_first(rec, "LA"),
        url=clean_text(urls[0]) if urls else "",
        issn=issn,
        isbn=isbn,
        line=line,
        original=rec,
    )


def _exporter(records: list[Fields], stray: int) -> str:
    """Which database wrote the file, from tags that say so in the first records."""
    sample = records[:20]
    text = " ".join(
        " ".join(r.get("DB", []) + r.get("DP", []) + r.get("UR", []) + r.get("N1", []))
        for r in sample
    ).lower()
    unknown = {t for r in sample for t in r if t not in KNOWN_TAGS}
    if "scopus" in text:
        return "Scopus"
    if {"WE", "UT"} & unknown or "webofscience" in text or "isiknowledge" in text:
        return "Web of Science"
    if "embase" in text:
        return "Embase"
    if "ebsco" in text:
        return "EBSCO"
    if "proquest" in text:
        return "ProQuest"
    if "ovid" in text or stray >= len(records) > 0:
        return "Ovid"
    if "pubmed" in text or "nlm" in text:
        return "PubMed"
    if "dimensions" in text:
        return "Dimensions"
    if "lens.org" in text:
        return "Lens"
    return ""


def read(text: str, file_name: str = "") -> ReadResult:
    parser = _Scan()
    result = ReadResult()
    parsed: list[Fields] = []
    # each record is mapped as soon as it is cut out, so that it is kept (and can be
    # worked on, `lib.readers.base.records_kept_to`) while the rest is still being read
    for first_line, section in sections(text):
        for line, rec, closed in parser.records(section, first_line):
            parsed.append(rec)
            try:
                record = _to_record(rec, line)
            except Exception as exc:  # one bad record must not lose the file  # noqa: BLE001
                result.skipped.append(
                    Skipped(line, f"could not be read ({exc})", f"record {len(parsed)}")
                )
                continue
            if not closed:
                mark_incomplete(record, CUT_SHORT)
            result.keep(record)
            for tag in rec:
                if tag not in KNOWN_TAGS:
                    result.unknown_fields[tag] += 1
    if not parsed:
        raise ReadError("no RIS records found (no 'TY  - ' line starts a record)")
    note_lines(
        result,
        parser.ends_missing,
        "record(s) had no ER line and were closed by the next TY line",
    )
    note_lines(
        result,
        parser.truncated,
        "record(s) the file (or one of the exports joined in it) ends inside, with no ER "
        "line: read as far as they go and marked incomplete",
    )
    note_lines(result, parser.stray_lines, OUTSIDE_RECORDS)
    result.exporter = _exporter(parsed, len(parser.stray_lines))
    return result


def sniff(head: str) -> float:
    """RIS when ``TY  - `` opens a record near the top and other tags follow."""
    lines = [ln for ln in head.split("\n")[:400] if ln.strip()]
    if not lines:
        return 0.0
    tagged = sum(1 for ln in lines if _TAG_LINE.match(ln))
    has_ty = any(ln.startswith("TY") and _TAG_LINE.match(ln) for ln in lines[:60])
    if not has_ty:
        return 0.0
    return 0.5 + 0.5 * min(1.0, tagged / max(1, len(lines)) * 1.5)


FORMAT = Format(
    name="ris",
    label="RIS",
    suffixes=(".ris", ".txt"),
    sniff=sniff,
    read=read,
    count=line_start_counter("ER  -", "ER -"),
)
