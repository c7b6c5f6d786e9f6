"""EndNote XML (File → Export → "XML"): ``<xml><records><record>...``.

Every text value may be split into ``<style face=... font=...>`` runs (italics inside a
title, say); they are joined back into plain text. Parsing is safe and streaming (see
`lib.readers._xml`). EndNote writes a whole library on one line, so line numbers there are
those of the record start tags, often all 1 or 2; ``rec-number`` (the record's number in
the EndNote library) is the record id and names the record in messages.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from lib.fields import clean_doi, clean_pages, clean_text, format_author, parse_year
from lib.model import Record
from lib.readers._pubtypes import entrytype_from_types
from lib.readers._xml import read_records, text_of
from lib.readers.base import Format, ReadResult

__all__ = ["FORMAT", "read", "sniff"]

_INLINE = frozenset({"style"})
# EndNote reference types ("ref-type name=") mapped onto entry types; names not here go
# through the shared document-type table, then default to "misc".
_REF_TYPES = {
    "journal article": "article",
    "electronic article": "article",
    "magazine article": "article",
    "newspaper article": "article",
    "book": "book",
    "edited book": "book",
    "electronic book": "book",
    "book section": "chapter",
    "electronic book section": "chapter",
    "conference proceedings": "conference",
    "conference paper": "conference",
    "thesis": "thesis",
    "report": "report",
    "government document": "report",
    "dataset": "dataset",
    "manuscript": "preprint",
    "unpublished work": "preprint",
    "generic": "misc",
    "web page": "misc",
}
# Used when a file gives only the number: EndNote's fixed reference-type numbers.
_REF_NUMBERS = {
    "17": "article",
    "43": "article",
    "6": "book",
    "28": "book",
    "5": "chapter",
    "10": "conference",
    "47": "conference",
    "32": "thesis",
    "27": "report",
    "46": "report",
    "59": "dataset",
    "13": "misc",
    "12": "misc",
}
_KNOWN = frozenset(
    {
        "rec-number", "ref-type", "contributors", "titles", "periodical", "pages", "volume",
        "number", "issue", "dates", "electronic-resource-num", "abstract", "keywords", "urls",
        "isbn", "language", "work-type",
    }
)  # fmt: skip
# Recognised, with no place in the record model: library bookkeeping, addresses, notes,
# call numbers, the user's own labels and custom fields.
_IGNORED = frozenset(
    {
        "database", "source-app", "foreign-keys", "alt-periodical", "auth-address",
        "auth-affiliation", "accession-num", "call-num", "notes", "research-notes", "label",
        "custom1", "custom2", "custom3", "custom4", "custom5", "custom6", "custom7", "misc1",
        "misc2", "misc3", "access-date", "modified-date", "remote-database-name",
        "remote-database-provider", "image", "caption", "pub-location", "publisher",
        "edition", "section", "num-vols", "secondary-volume", "secondary-issue",
        "reprint-edition", "orig-pub", "report-id", "coden", "reviewed-item", "availability",
        "remote-source", "meeting-place", "work-location", "work-extent", "pack-method",
        "size", "repro-ratio", "translated-author", "translated-title",
    }
)  # fmt: skip
_ISSN = re.compile(r"^\s*\d{4}-?\d{3}[\dXx]\b")
_LINE_BREAKS = re.compile(r"[\r\n]+")


def _text(elem: Element | None) -> str:
    return clean_text(text_of(elem))


def _entrytype(record: Element) -> str:
    ref = record.find("ref-type")
    if ref is None:
        return "misc"
    name = clean_text(ref.get("name", "")).lower()
    if name in _REF_TYPES:
        base = _REF_TYPES[name]
    elif name:
        base = entrytype_from_types([name], "misc")
    else:
        base = _REF_NUMBERS.get(_text(ref), "misc")
    work = _text(record.find("work-type"))  # "Review", "Editorial" for journal articles
    return entrytype_from_types([work], base) if base == "article" and work else base


def _urls(record: Element) -> list[str]:
    urls = record.find("urls")
    if urls is None:
        return []
    # URLs are kept as written: "<Go to ISI>://WOS:000..." is EndNote's own link form.
    found = [text_of(u).strip() for u in urls.iter("url")]
    return [u for u in found if u]


def _to_record(record: Element) -> Record:
    contributors = record.find("contributors")
    authors: list[str] = []
    if contributors is not None:
        primary = contributors.find("authors")
        if primary is not None:
            authors = [a for a in (format_author(_text(x)) for x in primary.iter("author")) if a]
    titles = record.find("titles")
    title = journal = ""
    if titles is not None:
        title = _text(titles.find("title"))
        journal = _text(titles.find("secondary-title"))
    if not journal:
        journal = _text(record.find("periodical/full-title")) or _text(
            record.find("periodical/abbr-1")
        )
    urls = _urls(record)
    doi = clean_doi(_text(record.find("electronic-resource-num")))
    if not doi:
        doi = next((d for d in map(clean_doi, (u for u in urls if "doi" in u.lower())) if d), "")
    serial = _text(record.find("isbn"))
    is_issn = bool(_ISSN.match(serial))
    keywords: list[str] = []
    for keyword in record.iter("keyword"):
        # some exports put several keywords in one element, one per line
        keywords += [k for k in map(clean_text, _LINE_BREAKS.split(text_of(keyword))) if k]
    dates = record.find("dates")
    year = None
    if dates is not None:
        year = parse_year(_text(dates.find("year"))) or parse_year(_text(dates.find("pub-dates")))
    return Record(
        record_id=_text(record.find("rec-number")),
        entrytype=_entrytype(record),
        title=title,
        authors=authors,
        year=year,
        journal=journal,
        volume=_text(record.find("volume")),
        issue=_text(record.find("number")) or _text(record.find("issue")),
        pages=clean_pages(_text(record.find("pages"))),
        doi=doi,
        abstract=_text(record.find("abstract")),
        keywords=keywords,
        language=_text(record.find("language")),
        url=next((u for u in urls if u.lower().startswith("http")), urls[0] if urls else ""),
        issn=serial if is_issn else "",
        isbn="" if is_issn else serial,
    )


def _unknown(original: dict[str, list[str]]) -> set[str]:
    """The record's top-level elements neither mapped nor recognised."""
    tops = {p.split("/")[0].split("@")[0] for p in original if not p.startswith("@")}
    return {t for t in tops if t not in _KNOWN and t not in _IGNORED}


def read(text: str, file_name: str = "") -> ReadResult:
    return read_records(
        text,
        label="EndNote",
        roots=("xml", "records", "record"),
        record_tags=frozenset({"record"}),
        to_record=_to_record,
        inline=_INLINE,
        unknown=_unknown,
        no_records="no <record> elements in this EndNote XML file",
    )


_ROOT = re.compile(r"<xml>\s*<records>", re.IGNORECASE)
_RECORD_PARTS = re.compile(r"<(ref-type|rec-number|source-app|contributors|titles)[\s>]")


def sniff(head: str) -> float:
    """EndNote XML: ``<xml><records>`` with EndNote's own record elements."""
    parts = {m.group(1) for m in _RECORD_PARTS.finditer(head)}
    if _ROOT.search(head):
        return 0.95 if parts else 0.7
    if "<record>" in head and len(parts) >= 2:
        return 0.8
    return 0.0


FORMAT = Format(
    name="endnote-xml",
    label="EndNote XML",
    suffixes=(".xml",),
    sniff=sniff,
    read=read,
)
