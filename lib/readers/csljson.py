"""CSL-JSON reader (Zotero "CSL JSON", Better BibTeX, citeproc input, Crossref/DOI content).

CSL-JSON is a JSON array of items with typed fields (``author`` as name objects, ``issued``
as ``date-parts``), so reading is mapping; the work is in the variants real exports use:
years as strings or ints, ``raw``/``literal`` dates, ``literal`` (group) names, name
particles, ``keyword`` as a string or a list, an object with an ``items`` list.
"""

from __future__ import annotations

import re

from lib.fields import clean_doi, clean_pages, clean_text, format_author, parse_year
from lib.model import Record
from lib.readers._jsonitems import load_items, looks_like_json, original_values
from lib.readers.base import Format, ReadError, ReadResult, Skipped

__all__ = ["FORMAT", "read", "sniff"]

# CSL 1.0.2 item types (and the older names Zotero still writes) to the model's types.
ENTRY_TYPES: dict[str, str] = {
    "article-journal": "article",
    "article-magazine": "article",
    "article-newspaper": "article",
    "periodical": "article",
    "article": "preprint",  # CSL: "not published in a journal: preprints, working papers"
    "paper-conference": "conference",
    "event": "conference",
    "chapter": "chapter",
    "entry": "chapter",
    "entry-dictionary": "chapter",
    "entry-encyclopedia": "chapter",
    "book": "book",
    "classic": "book",
    "collection": "book",
    "report": "report",
    "standard": "report",
    "thesis": "thesis",
    "dataset": "dataset",
    "letter": "letter",
    "review": "article",  # CSL: a review *of* a work (e.g. a film), not a review article
    "review-book": "article",
}

# Variables this reader maps to the record model; the rest count as not understood.
_KNOWN = frozenset(
    {
        "id",
        "type",
        "title",
        "author",
        "issued",
        "container-title",
        "container-title-short",
        "journalAbbreviation",
        "volume",
        "issue",
        "page",
        "page-first",
        "number",
        "DOI",
        "abstract",
        "keyword",
        "language",
        "URL",
        "ISSN",
        "ISBN",
        "genre",
        "citation-key",
    }
)
# Variables only CSL spells this way: other tools' JSON (OpenAlex: "doi", "authorships",
# "publication_year") has "type" and "title" too, but none of these.
_CSL_KEYS = ("author", "editor", "issued", "container-title", "DOI", "URL", "ISSN", "ISBN", "page")
_CSL_MARKERS = re.compile(r'"(container-title|date-parts|issued|citation-key|page-first)"\s*:')
_NAME_OBJECT = re.compile(r'"(family|literal)"\s*:')
_POP_MARKERS = re.compile(r'"(GSRank|CitesURL|ArticleURL|gsrank|cites_url|article_url)"\s*:')


def sniff(head: str) -> float:
    """High for JSON whose keys are CSL variables (``container-title``, ``date-parts``...)."""
    if not looks_like_json(head):
        return 0.0
    if _POP_MARKERS.search(head):
        return 0.1  # Publish or Perish JSON
    if _CSL_MARKERS.search(head) or (_NAME_OBJECT.search(head) and '"type"' in head):
        return 0.9
    if '"type"' in head and '"title"' in head:
        return 0.5
    return 0.0


def _text(value: object) -> str:
    if isinstance(value, list):  # a few exporters write titles and containers as lists
        value = value[0] if value else ""
    if isinstance(value, dict):
        return ""
    return clean_text(value)


def _name(value: object) -> str:
    """One CSL name object as "Family, Given".

    A ``literal`` name is usually a group ("World Health Organization"), but Zotero's
    single-field mode puts people there too ("Simon Y. Graeber"): `format_author` keeps
    group names whole and turns a person's into "Graeber, Simon Y.".
    """
    if isinstance(value, str):
        return format_author(value)
    if not isinstance(value, dict):
        return ""
    literal = _text(value.get("literal"))
    family = _text(value.get("family"))
    if literal and not family:
        return format_author(literal)
    family = " ".join(p for p in (_text(value.get("non-dropping-particle")), family) if p)
    given = " ".join(
        p for p in (_text(value.get("given")), _text(value.get("dropping-particle"))) if p
    )
    suffix = _text(value.get("suffix"))
    if not family:
        family, given = given, ""
    name = f"{family}, {given}" if given else family
    return f"{name}, {suffix}" if suffix and name else name


def _year(issued: object) -> int | None:
    """The year of a CSL date: ``date-parts`` (int or string parts), ``raw`` or ``literal``."""
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            first = parts[0][0]
            year = parse_year(first if isinstance(first, int) else str(first))
            if year is not None:
                return year
        for key in ("raw", "literal", "season"):
            year = parse_year(issued.get(key)) if isinstance(issued.get(key), str) else None
            if year is not None:
                return year
        return None
    if isinstance(issued, str | int):  # not CSL, but seen: "issued": "2020-05-01"
        return parse_year(issued)
    return None


def _keywords(value: object) -> list[str]:
    words = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in words:
        if not isinstance(item, str | int):
            continue
        text = str(item)
        out.extend(
            w for w in (clean_text(w) for w in re.split(";" if ";" in text else ",", text)) if w
        )
    return out


def _kind(value: object) -> str:
    """What a JSON value is, in JSON's words, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


def _record(item: dict[str, object], line: int, result: ReadResult) -> Record:
    for key in item:
        if key not in _KNOWN:
            result.unknown_fields[key] += 1
    csl_type = _text(item.get("type")).lower()
    entrytype = ENTRY_TYPES.get(csl_type, "misc")
    journal = _text(item.get("container-title")) or _text(
        item.get("container-title-short") or item.get("journalAbbreviation")
    )
    pages = clean_pages(_text(item.get("page"))) or clean_pages(_text(item.get("page-first")))
    if not pages and entrytype == "article":
        pages = clean_pages(_text(item.get("number")))  # article number
    authors_raw = item.get("author")
    authors = [n for n in map(_name, authors_raw if isinstance(authors_raw, list) else []) if n]
    identifier = item.get("id")
    record = Record(
        record_id=""
        if identifier is None or isinstance(identifier, dict | list)
        else str(identifier),
        entrytype=entrytype,
        title=_text(item.get("title")),
        authors=authors,
        year=_year(item.get("issued")),
        journal=journal,
        volume=_text(item.get("volume")),
        issue=_text(item.get("issue")),
        pages=pages,
        doi=clean_doi(_text(item.get("DOI"))),
        abstract=_text(item.get("abstract")),
        keywords=_keywords(item.get("keyword")),
        language=_text(item.get("language")),
        url=_text(item.get("URL")),
        issn=_text(item.get("ISSN")),
        isbn=_text(item.get("ISBN")),
        line=line,
        original={key: original_values(value) for key, value in item.items()},
    )
    if not record.doi and "doi.org/" in record.url:
        record.doi = clean_doi(record.url)
    return record


def read(text: str, file_name: str = "") -> ReadResult:
    """Read a CSL-JSON file: one record per item; an item that is not an object is skipped."""
    loaded = load_items(text, wrapper_keys=("items",), what="CSL-JSON items")
    if loaded.items and not any(
        isinstance(item, dict) and any(k in item for k in _CSL_KEYS) for item in loaded.items
    ):
        raise ReadError(
            "JSON, but its items have none of the CSL-JSON fields "
            "(author, issued, container-title, DOI...); is it another tool's JSON?",
            file_name=file_name,
        )
    result = ReadResult()
    for n, (item, line) in enumerate(zip(loaded.items, loaded.lines, strict=True), start=1):
        if not isinstance(item, dict):
            result.skipped.append(Skipped(line, f"{_kind(item)}, not an object", f"item {n}"))
            continue
        result.keep(_record(item, line, result))
    return result


FORMAT = Format(
    name="csl-json",
    label="CSL-JSON",
    suffixes=(".json", ".csljson"),
    sniff=sniff,
    read=read,
)
