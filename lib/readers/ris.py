"""RIS, as Scopus, EBSCO, ProQuest, Ovid, Embase, EndNote, Zotero, Rayyan, Dimensions and Lens
write it.

Parsing is rispy's `RisParser` (tag table, list tags, delimited tags), extended where real
exports break it: rispy does not say on which line a record starts, silently drops a last
record that lacks its ``ER`` line, crashes when a repeated single tag has a continuation
line, and only accepts tags written exactly ``XX  - value``. Text between records (Ovid's
``1.`` lines, export banners) is ignored and counted in a note.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any, ClassVar

from rispy import RisParser
from rispy.config import TAG_KEY_MAPPING

from lib.fields import (
    clean_doi,
    clean_pages,
    clean_text,
    format_author,
    parse_year,
)
from lib.model import Record
from lib.readers.base import Format, ReadError, ReadResult, Skipped

__all__ = ["FORMAT", "read", "sniff"]

_TAG_LINE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$")
_NAME_OF_TAG = TAG_KEY_MAPPING
_TAG_OF_NAME = {v: k for k, v in TAG_KEY_MAPPING.items()}
_UNKNOWN = TAG_KEY_MAPPING["UK"]

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
# Document types some databases put in M3 ("Type of Work"), refining TY.
_WORK_TYPES: tuple[tuple[str, str], ...] = (
    ("erratum", "erratum"),
    ("correction", "erratum"),
    ("retraction", "erratum"),
    ("editorial", "editorial"),
    ("letter", "letter"),
    ("review", "review"),
    ("conference", "conference"),
    ("meeting abstract", "conference"),
    ("proceedings", "conference"),
    ("preprint", "preprint"),
    ("dissertation", "thesis"),
    ("thesis", "thesis"),
)
_ISBN = re.compile(r"^(?:97[89][- ]?)?(?:\d[- ]?){9}[\dXx]$")


class _Parser(RisParser):
    """rispy's parser with line numbers, lenient tags and end-of-file handling."""

    DEFAULT_NEWLINE: ClassVar[str] = "\n"

    def __init__(self) -> None:
        super().__init__(enforce_list_tags=False)
        self.starts: list[int] = []  # line of each returned record's TY
        self.ends_missing: list[int] = []  # records closed by the next TY, not by ER
        self.truncated: int | None = None  # TY line of a record the file ends inside
        self.stray_lines: list[int] = []

    def parse_line(self, line: str) -> tuple[str, str] | tuple[None, str]:
        match = _TAG_LINE.match(line)
        if match:
            return match.group(1), (match.group(2) or "").strip()
        return None, line.strip()

    def _add_single_value(
        self, record: dict, name: str, value: str | list[str], is_multi: bool = False
    ) -> None:
        if is_multi and isinstance(record.get(name), list):
            # continuation line of a repeated single tag: extend its last value
            record[name][-1] = f"{record[name][-1]} {value}".strip()
            return
        super()._add_single_value(record, name, value, is_multi)

    def parse_records(self, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
        """Yield ``(line of TY, record dict)``; the parse state records what was odd."""
        record: dict[str, Any] | None = None
        start = 0
        last_tag: str | None = None
        for number, raw in enumerate(text.split("\n"), start=1):
            if not raw.strip():
                continue
            tag, content = self.parse_line(raw)
            if record is None:
                if tag == "TY":
                    record = {_NAME_OF_TAG["TY"]: content}
                    start, last_tag = number, "TY"
                else:
                    self.stray_lines.append(number)
                continue
            if tag is None:
                if last_tag is not None:
                    self._add_tag(record, last_tag, content, extend_multiline=True)
                continue
            if tag == "ER":
                yield start, record
                record, last_tag = None, None
                continue
            if tag == "TY":  # a new record before this one's ER: close it here
                self.ends_missing.append(start)
                yield start, record
                record = {_NAME_OF_TAG["TY"]: content}
                start, last_tag = number, "TY"
                continue
            if tag in self.ignore:
                continue
            self._add_tag(record, tag, content)
            last_tag = tag
        if record is not None:
            self.truncated = start


def _values(rec: dict[str, Any], tag: str) -> list[str]:
    """Every value of a RIS tag in a parsed record, as a list of strings."""
    name = _NAME_OF_TAG.get(tag)
    value = rec.get(name) if name else None
    if value is None and _UNKNOWN in rec:
        value = rec[_UNKNOWN].get(tag)
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return [str(value)] if str(value).strip() else []


def _first(rec: dict[str, Any], *tags: str) -> str:
    for tag in tags:
        for value in _values(rec, tag):
            text = clean_text(value)
            if text:
                return text
    return ""


def _original(rec: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in rec.items():
        if name == _UNKNOWN:
            for tag, vals in value.items():
                out[tag] = [str(v) for v in vals]
            continue
        tag = _TAG_OF_NAME.get(name, name)
        out[tag] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out


def _entrytype(rec: dict[str, Any]) -> str:
    ty = _first(rec, "TY").upper()
    etype = TYPE_MAP.get(ty, "misc")
    work = " ".join(_values(rec, "M3")).lower()
    for needle, refined in _WORK_TYPES:
        if needle in work:
            return refined
    return etype


def _authors(rec: dict[str, Any]) -> list[str]:
    raw = _values(rec, "AU") or _values(rec, "A1")
    names: list[str] = []
    for value in raw:
        # a few exporters put every author on one AU line, separated by semicolons
        parts = value.split(";") if ";" in value else [value]
        names += [n for n in map(format_author, parts) if n]
    return names


def _pages(rec: dict[str, Any]) -> str:
    start = _first(rec, "SP")
    end = _first(rec, "EP")
    if start and end and "-" not in start and start != end:
        return clean_pages(f"{start}-{end}")
    return clean_pages(start or end)


def _doi(rec: dict[str, Any]) -> str:
    for tag in ("DO", "DI", "L3", "M3", "N1", "UR", "L2"):
        for value in _values(rec, tag):
            if tag in ("N1", "UR", "L2", "M3") and "10." not in value:
                continue
            doi = clean_doi(value)
            if doi:
                return doi
    return ""


def _to_record(rec: dict[str, Any], line: int) -> Record:
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
    abstract = " ".join(clean_text(v) for v in _values(rec, "AB") or _values(rec, "N2"))
    keywords = [k for v in _values(rec, "KW") for k in [clean_text(v)] if k]
    urls = _values(rec, "UR")
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
        original=_original(rec),
    )


def _exporter(records: list[dict[str, Any]], stray: int) -> str:
    """Which database wrote the file, from tags that say so in the first records."""
    sample = records[:20]
    text = " ".join(
        " ".join(_values(r, "DB") + _values(r, "DP") + _values(r, "UR") + _values(r, "N1"))
        for r in sample
    ).lower()
    unknown = {t for r in sample for t in r.get(_UNKNOWN, {})}
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
    parser = _Parser()
    result = ReadResult()
    parsed: list[tuple[int, dict[str, Any]]] = list(parser.parse_records(text))
    for n, (line, rec) in enumerate(parsed, start=1):
        try:
            record = _to_record(rec, line)
        except Exception as exc:  # one bad record must not lose the file  # noqa: BLE001
            result.skipped.append(Skipped(line, f"could not be read ({exc})", f"record {n}"))
            continue
        if not (record.title or record.authors or record.doi):
            result.skipped.append(Skipped(line, "has no title, author or DOI", f"record {n}"))
            continue
        result.records.append(record)
        for tag in rec.get(_UNKNOWN, {}):
            result.unknown_fields[tag] += 1
    if parser.truncated is not None:
        result.skipped.append(
            Skipped(
                parser.truncated,
                "the file ends inside this record (no ER line): truncated export?",
                f"record {len(parsed) + 1}",
            )
        )
    if not parsed and parser.truncated is None:
        raise ReadError("no RIS records found (no 'TY  - ' line starts a record)")
    if parser.ends_missing:
        result.notes.append(
            f"{len(parser.ends_missing)} record(s) had no ER line and were closed by the next "
            f"TY line (first at line {parser.ends_missing[0]})"
        )
    if parser.stray_lines:
        result.notes.append(
            f"{len(parser.stray_lines)} line(s) of text outside records ignored "
            f"(first at line {parser.stray_lines[0]})"
        )
    result.exporter = _exporter([r for _, r in parsed], len(parser.stray_lines))
    result.unknown_fields = Counter(result.unknown_fields)
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
)
