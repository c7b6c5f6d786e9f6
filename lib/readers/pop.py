"""Publish or Perish JSON reader (Harzing's tool for Google Scholar, Scopus, Crossref... searches).

Key names are not documented and this was written without a real file at hand, so every
key is matched loosely: case, spaces and underscores are ignored. That covers the names
of Publish or Perish's CSV export ("Authors", "ArticleURL", "StartPage", "GSRank", known
from its header row) and the lower-case, underscored names seen in its JSON results
("authors", "article_url", "startpage", "cites_url"), with the array either at the top
level or under ``"$results"`` (its saved-results files). Authors come as one string
("J Smith, A Jones") or a list; Google Scholar cuts long lists with "…".
"""

from __future__ import annotations

import re

from lib.fields import clean_doi, clean_pages, clean_text, format_author, parse_year
from lib.model import Record
from lib.readers._doctype import PREPRINT_VENUE
from lib.readers._jsonitems import load_items, looks_like_json, original_values
from lib.readers._pubtypes import entrytype_from_types
from lib.readers.base import Format, ReadError, ReadResult, Skipped

__all__ = ["FORMAT", "read", "sniff"]


def _key(name: str) -> str:
    """A key as compared: "ArticleURL", "article_url" and "Article URL" are one key."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


# Normalised key -> the model field it fills. Keys not listed count as not understood.
_FIELDS: dict[str, str] = {
    "title": "title",
    "authors": "authors",
    "author": "authors",
    "year": "year",
    "source": "journal",
    "journal": "journal",
    "volume": "volume",
    "issue": "issue",
    "startpage": "startpage",
    "endpage": "endpage",
    "pages": "pages",
    "doi": "doi",
    "abstract": "abstract",
    "articleurl": "url",
    "fulltexturl": "url2",
    "issn": "issn",
    "isbn": "isbn",
    "type": "type",
    "uid": "id",
    "language": "language",
    "keywords": "keywords",
}
# Keys only Publish or Perish writes: enough to tell its JSON from CSL-JSON.
_MARKER_KEYS = re.compile(
    r'"(GSRank|CitesURL|ArticleURL|CitesPerYear|CitesPerAuthor|ECC|QueryDate|'
    r"gsrank|cites_url|article_url|fulltext_url|cites_per_year|citesurl|articleurl|"
    r'\$results|\$query)"\s*:'
)
_INITIALS = re.compile(r"^\s*(?:[A-Z]\.?[\s-]*){1,4}$")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)$")  # Google Scholar's cut: "A Smith, B Jones…"


def sniff(head: str) -> float:
    """High for JSON with Publish or Perish's own keys (GSRank, CitesURL, ArticleURL)."""
    if not looks_like_json(head):
        return 0.0
    found = {m.group(1).lower().replace("_", "") for m in _MARKER_KEYS.finditer(head)}
    if len(found) >= 2:
        return 0.95
    if found and re.search(r'"(Authors|authors|Title|title)"\s*:', head):
        return 0.7
    return 0.0


def _authors(value: object) -> list[str]:
    if isinstance(value, list):
        raw = [str(v) for v in value if isinstance(v, str | int)]
    elif isinstance(value, str):
        # One string: "J Smith, A Jones" (Google Scholar), or ";"-separated from other sources
        raw = value.split(";") if ";" in value else _pair_initials(value.split(","))
    else:
        raw = []
    names = []
    for part in raw:
        part = _ELLIPSIS.sub("", part.strip())
        name = format_author(part)
        if name:
            names.append(name)
    return names


def _pair_initials(parts: list[str]) -> list[str]:
    """ "Smith, J., Jones, A." split on commas gives family names and initials in turn:
    join them back into "Smith, J." and "Jones, A."."""
    if len(parts) >= 2 and len(parts) % 2 == 0 and all(_INITIALS.match(p) for p in parts[1::2]):
        return [
            f"{family},{initials}" for family, initials in zip(parts[::2], parts[1::2], strict=True)
        ]
    return parts


def _entrytype(kind: str, journal: str) -> str:
    """Types as the searched database names them; Google Scholar's "PDF"/"HTML"/"CITATION"
    say how the result was found, not what it is, and fall back to "misc"."""
    text = kind.lower().replace("-", " ").replace("_", " ")
    if "chapter" in text:
        return "chapter"
    guessed = entrytype_from_types([text], default="") if text else ""
    if not guessed:
        if "journal" in text or "article" in text:
            guessed = "article"
        elif "book" in text:
            guessed = "book"
        elif "proceedings" in text or "conference" in text:
            guessed = "conference"
        elif "posted content" in text:
            guessed = "preprint"
        else:
            guessed = "misc"
    if guessed in ("article", "misc") and journal and PREPRINT_VENUE.search(journal):
        return "preprint"
    return guessed


def _keywords(value: object) -> list[str]:
    parts = value if isinstance(value, list) else str(value or "").split(";")
    return [k for k in (clean_text(p) for p in parts if not isinstance(p, dict | list)) if k]


def _record(item: dict[str, object], line: int, result: ReadResult) -> Record:
    got: dict[str, object] = {}
    for key, value in item.items():
        field = _FIELDS.get(_key(key))
        if field is None:
            result.unknown_fields[key] += 1
        elif field not in got and value not in (None, ""):
            got[field] = value

    def text(field: str) -> str:
        value = got.get(field)
        return "" if value is None or isinstance(value, dict | list) else clean_text(value)

    journal = text("journal")
    pages = clean_pages(text("pages"))
    if not pages:
        first, last = text("startpage"), text("endpage")
        pages = clean_pages(f"{first}-{last}" if first and last and first != last else first)
    return Record(
        record_id=text("id"),
        entrytype=_entrytype(text("type"), journal),
        title=text("title"),
        authors=_authors(got.get("authors")),
        year=parse_year(text("year")),
        journal=journal,
        volume=text("volume"),
        issue=text("issue"),
        pages=pages,
        doi=clean_doi(text("doi")),
        abstract=text("abstract"),
        keywords=_keywords(got.get("keywords")),
        language=text("language"),
        url=text("url") or text("url2"),
        issn=text("issn"),
        isbn=text("isbn"),
        line=line,
        original={key: original_values(value) for key, value in item.items()},
    )


def read(text: str, file_name: str = "") -> ReadResult:
    """Read a Publish or Perish JSON export: one record per result object."""
    loaded = load_items(
        text, wrapper_keys=("$results", "results"), what="Publish or Perish results"
    )
    if loaded.items and not any(
        isinstance(item, dict) and {_key(k) for k in item} & {"title", "authors"}
        for item in loaded.items
    ):
        raise ReadError(
            "JSON, but its objects have no Title or Authors: not a Publish or Perish export",
            file_name=file_name,
        )
    result = ReadResult()
    for n, (item, line) in enumerate(zip(loaded.items, loaded.lines, strict=True), start=1):
        if not isinstance(item, dict):
            result.skipped.append(Skipped(line, "not a JSON object", f"result {n}"))
            continue
        result.keep(_record(item, line, result))
    return result


FORMAT = Format(
    name="pop-json",
    label="Publish or Perish JSON",
    suffixes=(".json",),
    sniff=sniff,
    read=read,
)
