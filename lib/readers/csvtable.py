"""CSV and TSV exports: Scopus, Web of Science tab-delimited, PubMed, Zotero, Lens,
Dimensions, OpenAlex, and the project's own canonical CSV.

One reader for every table, driven by a declarative table of column names (as asreview
does): each model field lists the column headers that may hold it, per exporter where the
same header means different things (Scopus's ``Source`` column is the database, not the
journal). Parsing is the standard library's `csv` module; delimiter detection is ours,
because `csv.Sniffer` guesses wrong on files whose abstracts contain commas and tabs.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from lib import limits
from lib.fields import (
    clean_doi,
    clean_pages,
    clean_text,
    format_author,
    parse_year,
    split_keywords,
)
from lib.model import ENTRY_TYPES, EXTRA_COLUMNS, Record
from lib.readers._pubtypes import entrytype_from_types
from lib.readers.base import Format, ReadError, ReadResult, Skipped
from lib.spreadsheet import unsafe_cell

__all__ = ["DIALECTS", "FORMAT", "read", "sniff"]

# Abstracts of tens of kilobytes exceed csv's default 128 KiB field limit in a few exports.
csv.field_size_limit(1 << 26)

# Columns per model field, in order of preference, lower-cased. Shared by all dialects.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "ti", "article title", "document title", "display_name", "primary_title"),
    "authors": (
        "author full names",
        "af",
        "authors",
        "author",
        "author/s",
        "au",
        "authorships.author.display_name",
        "first author",
    ),
    "year": (
        "year",
        "publication year",
        "py",
        "pubyear",
        "publication_year",
        "date published",
        "publication date",
        "date",
        "create date",
    ),
    "journal": (
        "journal",
        "source title",
        "publication title",
        "so",
        "journal/book",
        "journal title",
        "primary_location.source.display_name",
        "anthology title",
        "secondary_title",
        "container-title",
        "journal_name",
    ),
    "volume": ("volume", "vl"),
    "issue": ("issue", "is", "issue number", "number"),
    # not "pg": in Web of Science tables that is the page count
    "pages": ("pages", "pagination", "page"),
    "first_page": ("page start", "start page", "bp", "first page", "start_page"),
    "last_page": ("page end", "end page", "ep", "last page", "end_page"),
    "article_number": ("art. no.", "ar", "article number"),
    "doi": ("doi", "di"),
    "abstract": ("abstract", "ab", "abstract note"),
    "keywords": (
        "keywords",
        "author keywords",
        "de",
        "manual tags",
        "index keywords",
        "automatic tags",
        "mesh terms",
    ),
    "language": ("language", "la", "language of original document"),
    "url": ("url", "link", "source urls", "external url", "dimensions url", "source linkout"),
    "issn": ("issn", "issns", "sn", "primary_location.source.issn_l"),
    "isbn": ("isbn", "bn"),
    "entrytype": ("entrytype", "document type", "dt", "item type", "publication type", "type"),
    "source": ("source", "source_db"),
    "citation": ("citation",),
}


class Dialect:
    """What one exporter's table looks like: how to spot it and what differs."""

    def __init__(
        self,
        name: str,
        exporter: str,
        marker: Callable[[set[str]], bool],
        *,
        id_columns: tuple[str, ...] = (),
        author_separator: str = ";",
        keyword_columns: tuple[str, ...] | None = None,
        ignore: tuple[str, ...] = (),
        columns: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.name = name
        self.exporter = exporter
        self.marker = marker
        self.id_columns = id_columns
        self.author_separator = author_separator
        self.keyword_columns = keyword_columns
        self.ignore = ignore  # model fields whose usual columns mean something else here
        # columns tried before the shared ones, for headers only this exporter uses
        self.columns = columns or {}


# Most specific first; the first whose marker matches the header wins.
DIALECTS: tuple[Dialect, ...] = (
    Dialect(
        "canonical",
        "",
        lambda h: {"record_id", "title"} <= h,
        id_columns=("record_id",),
    ),
    Dialect(
        "wos-tab",
        "Web of Science",
        lambda h: {"pt", "ut", "ti"} <= h,
        id_columns=("ut",),
        keyword_columns=("de", "id"),
        ignore=("source",),
    ),
    Dialect(
        "scopus",
        "Scopus",
        lambda h: "eid" in h or "author(s) id" in h,
        id_columns=("eid",),
        keyword_columns=("author keywords", "index keywords"),
        ignore=("source",),
    ),
    Dialect(
        "pubmed",
        "PubMed",
        lambda h: {"pmid", "citation", "journal/book"} <= h,
        id_columns=("pmid",),
        author_separator=",",
    ),
    Dialect(
        "zotero",
        "",
        lambda h: {"key", "item type", "abstract note"} <= h,
        id_columns=("key",),
        keyword_columns=("manual tags", "automatic tags"),
    ),
    Dialect(
        "publish-or-perish",
        "Google Scholar",
        lambda h: "gsrank" in h or "citesperyear" in h,
        columns={"journal": ("source",), "url": ("articleurl",)},
        ignore=("source",),
    ),
    Dialect("lens", "Lens", lambda h: "lens id" in h, id_columns=("lens id",)),
    Dialect(
        "dimensions",
        "Dimensions",
        lambda h: "publication id" in h and ("dimensions url" in h or "pubyear" in h),
        id_columns=("publication id",),
        keyword_columns=("mesh terms",),
    ),
    Dialect(
        "openalex",
        "OpenAlex",
        lambda h: "authorships.author.display_name" in h,
        id_columns=("id",),
        author_separator="|",
        keyword_columns=(),
        ignore=("keywords",),
    ),
    Dialect("generic", "", lambda h: True),
)

_BIBLIOGRAPHIC = {"title", "doi", "authors", "abstract"}


def _known_columns(header: list[str]) -> set[str]:
    """Model fields that the header has a column for."""
    lower = {h.strip().lower() for h in header}
    return {f for f, names in COLUMNS.items() if any(n in lower for n in names)}


def _delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header and the next lines most consistently."""
    best, best_score = ",", -1.0
    for delim in (",", "\t", ";", "|"):
        try:
            rows = list(csv.reader(io.StringIO("\n".join(lines[:6])), delimiter=delim))
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        same = sum(1 for r in rows[1:] if len(r) == width)
        known = len(_known_columns(rows[0]))
        score = known * 10 + width / 100 + same
        if score > best_score:
            best, best_score = delim, score
    return best


def _header_index(lines: list[str], delimiter: str) -> int:
    """Which of the first lines is the header (Dimensions puts a banner line first)."""
    for i, line in enumerate(lines[:5]):
        try:
            row = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        if len(_known_columns(row) & (_BIBLIOGRAPHIC | {"year", "journal"})) >= 2:
            return i
    return 0


def sniff(head: str) -> float:
    """A table whose header names bibliographic columns; weakly, any delimited table."""
    lines = [ln for ln in head.split("\n")[:12] if ln.strip()]
    if not lines:
        return 0.0
    first = lines[0].lstrip()
    if first.startswith(("@", "{", "[", "<", "TY  -", "PMID-", "FN ", "%")):
        return 0.0
    delimiter = _delimiter(lines)
    index = _header_index(lines, delimiter)
    try:
        header = next(csv.reader([lines[index]], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return 0.0
    if len(header) < 2:
        return 0.0
    known = _known_columns(header)
    if len(known & _BIBLIOGRAPHIC) >= 1 and len(known) >= 2:
        return 0.9
    # a delimited table, but with no bibliographic columns: claim it weakly so that reading
    # it says exactly that, rather than "unknown format"
    rows = list(csv.reader(io.StringIO("\n".join(lines[:6])), delimiter=delimiter))
    if len(rows) >= 2 and all(len(r) == len(header) for r in rows[1:]):
        return 0.35
    return 0.0


def _cell(row: dict[str, str], names: tuple[str, ...], lower: dict[str, str]) -> str:
    for name in names:
        column = lower.get(name)
        if column is not None:
            value = row.get(column)
            if value and value.strip():
                return value
    return ""


# "Perrin C., Blagden N.": older Scopus tables separate authors with ", ", each a family
# name and initials; a "Family, Given" name never splits into parts that all look so.
_FAMILY_INITIALS = re.compile(r"^[^,;]+?\s(?:[A-Z][a-z]?\.[\s-]?)+$")


def _split_authors(value: str, separator: str) -> list[str]:
    text = clean_text(value)
    if not text:
        return []
    parts = text.split(separator)
    if separator == ";" and len(parts) == 1 and ", " in text:
        commas = [p.strip() for p in text.split(", ")]
        if all(_FAMILY_INITIALS.match(p) for p in commas):
            parts = commas
    names = []
    for part in parts:
        part = re.sub(r"\s*\(\d+\)\s*$", "", part)  # Scopus: "Liu, Fengyuan (60410297700)"
        name = format_author(part)
        if name:
            names.append(name)
    return names


_CITATION = re.compile(r";\s*(?P<volume>[^(:;]+)?(?:\((?P<issue>[^)]+)\))?:(?P<pages>[^.;\s]+)")


def _from_citation(citation: str) -> dict[str, str]:
    """Volume, issue and pages from PubMed's "Behav Ther. 2022 Mar;53(2):334-347." string."""
    match = _CITATION.search(citation)
    if not match:
        return {}
    return {k: (v or "").strip() for k, v in match.groupdict().items()}


def _pages(row: dict[str, str], lower: dict[str, str]) -> str:
    pages = _cell(row, COLUMNS["pages"], lower)
    if pages:
        return clean_pages(pages)
    first = clean_text(_cell(row, COLUMNS["first_page"], lower))
    last = clean_text(_cell(row, COLUMNS["last_page"], lower))
    if first and last and first != last:
        return clean_pages(f"{first}-{last}")
    return clean_pages(first or last or _cell(row, COLUMNS["article_number"], lower))


def _record(row: dict[str, str], lower: dict[str, str], dialect: Dialect, line: int) -> Record:
    canonical = dialect.name == "canonical"
    if canonical:  # our own exports neutralise formula-like cells; undo that
        row = {k: unsafe_cell(v) if isinstance(v, str) else v for k, v in row.items()}

    def get(field: str) -> str:
        first = _cell(row, dialect.columns.get(field, ()), lower)
        if first or field in dialect.ignore:
            return first
        return _cell(row, COLUMNS[field], lower)

    if canonical:
        authors = [a.strip() for a in clean_text(get("authors")).split(";") if a.strip()]
    else:
        authors = _split_authors(get("authors"), dialect.author_separator)
    keyword_columns = dialect.keyword_columns
    if keyword_columns is None:
        keywords = split_keywords(get("keywords"))
    else:
        keywords = []
        for name in keyword_columns:
            column = lower.get(name)
            if column is not None:
                keywords += split_keywords(row.get(column) or "", separators=";|")
    etype_text = get("entrytype")
    if dialect.name == "wos-tab" and not etype_text:
        etype_text = row.get(lower.get("pt", ""), "") or ""
    if canonical and etype_text.strip() in ENTRY_TYPES:
        entrytype = etype_text.strip()
    elif etype_text.strip():
        entrytype = entrytype_from_types([etype_text], default="article")
    else:  # no type column: a record with a journal is a journal article
        entrytype = "article" if get("journal") else "misc"
    volume, issue = clean_text(get("volume")), clean_text(get("issue"))
    pages = _pages(row, lower)
    citation = get("citation")
    if citation and not (volume or issue or pages):
        parts = _from_citation(citation)
        volume = parts.get("volume", "")
        issue = parts.get("issue", "")
        pages = clean_pages(parts.get("pages", ""))
    record_id = ""
    for name in dialect.id_columns:
        column = lower.get(name)
        if column is not None and (row.get(column) or "").strip():
            record_id = clean_text(row[column])
            break
    original = {k: [v] for k, v in row.items() if k and isinstance(v, str) and v.strip()}
    return Record(
        record_id=record_id,
        entrytype=entrytype,
        title=clean_text(get("title")),
        authors=authors,
        year=parse_year(get("year")),
        journal=clean_text(get("journal")),
        volume=volume,
        issue=issue,
        pages=pages,
        doi=clean_doi(get("doi")),
        abstract=clean_text(get("abstract")),
        keywords=keywords,
        language=clean_text(get("language")),
        url=clean_text(get("url").split(";")[0].split(" ")[0]) if get("url") else "",
        issn=clean_text(get("issn")),
        isbn=clean_text(get("isbn")),
        source_db=clean_text(get("source")) if canonical else "",
        line=line,
        incomplete=clean_text(row.get(lower.get("incomplete", ""), "")) if canonical else "",
        original=original,
    )


def read(text: str, file_name: str = "") -> ReadResult:
    lines = text.split("\n")
    head = [ln for ln in lines[:12] if ln.strip()]
    if not head:
        raise ReadError("no table found (the file has no header row)")
    delimiter = _delimiter(head)
    # the header's position among all lines (blank lines before it are skipped)
    header_at = _header_index(head, delimiter)
    skip = [i for i, ln in enumerate(lines) if ln.strip()][header_at]
    reader = csv.DictReader(io.StringIO("\n".join(lines[skip:])), delimiter=delimiter)
    header = [h or "" for h in (reader.fieldnames or [])]
    lower: dict[str, str] = {}
    for h in header:
        lower.setdefault(h.strip().lower().lstrip("\ufeff"), h)
    known = _known_columns(header)
    if not known & _BIBLIOGRAPHIC:
        cells = [" ".join(h.split())[:40] for h in header[:8]]
        shown = ", ".join(c for c in cells if c) + (", ..." if len(header) > 8 else "")
        raise ReadError(
            f"a table, but with no bibliographic columns (no title, DOI, author or abstract "
            f"column; columns are: {shown}); export the table with its title, author and DOI "
            "columns"
        )
    keys = {h.strip().lower() for h in header}
    dialect = next(d for d in DIALECTS if d.marker(keys))
    result = ReadResult(exporter=dialect.exporter)
    used = {n for names in COLUMNS.values() for n in names}
    used |= set(dialect.id_columns + (dialect.keyword_columns or ()))
    used |= {n for names in dialect.columns.values() for n in names}
    if dialect.name == "canonical":  # our own columns after the canonical ones
        used |= {c for c in EXTRA_COLUMNS if c not in COLUMNS}
    unknown = [h for h in header if h and h.strip().lower() not in used]
    width = len(header)
    # csv counts lines from the header (its line 1), which is line `skip + 1` of the file
    previous_end = 1
    n = 0
    trailing: list[int] = []  # rows with one empty cell more than the header
    try:
        for row in reader:
            line = skip + previous_end + 1
            previous_end = reader.line_num
            extra = row.pop(None, None)  # type: ignore[call-overload]
            filled = any((cell or "").strip() for cell in extra or ())
            if not filled and not any((v or "").strip() for v in row.values()):
                continue  # a blank row is not a record
            n += 1
            if n > limits.MAX_RECORDS:  # refuse before every row is in memory
                raise ReadError(
                    f"holds more than {limits.MAX_RECORDS} records, over the limit; split the "
                    "export or raise the limit"
                )
            if extra is not None and not filled:
                # older Scopus exports end rows with a delimiter: an empty extra cell
                trailing.append(line)
            elif extra is not None:  # cells beyond the header that hold data: suspect
                result.skipped.append(
                    Skipped(
                        line,
                        f"has {width + len(extra)} cells but the header has {width} "
                        "(a stray delimiter or quote?)",
                        f"row {n}",
                    )
                )
                continue
            result.keep(_record(row, lower, dialect, line))
    except csv.Error as exc:
        result.skipped.append(
            Skipped(
                skip + previous_end + 1,
                f"the table cannot be read from here on ({exc}); the rest of the file was not read",
                f"row {n + 1}",
            )
        )
    if trailing:
        result.notes.append(
            f"{len(trailing)} row(s) end with an empty cell after the last column (a trailing "
            f"delimiter, as older Scopus exports write); read as usual (first at line "
            f"{trailing[0]})"
        )
    for h in unknown:
        filled = sum(1 for r in result.records if r.original.get(h))
        if filled:
            result.unknown_fields[h] = filled
    if dialect.name == "generic" and result.records:
        result.notes.append(
            "columns matched by name (no known exporter recognised); check the mapping: "
            + ", ".join(sorted(known))
        )
    return result


FORMAT = Format(
    name="csv",
    label="CSV/TSV table",
    suffixes=(".csv", ".tsv", ".txt", ".tab"),
    sniff=sniff,
    read=read,
)
