"""One study record per group, from the most complete values its records give.

The merged record keeps the abstract, DOI and full journal name wherever any member has
them; the locators (year, volume, issue, pages) come together from the member that gives
the most of them, so a record's volume is never paired with another record's pages.
`Study.sources` says which record each value came from.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from lib.dedupe.journals import journal_words
from lib.dedupe.locators import doi_key
from lib.dedupe.model import Study
from lib.dedupe.titles import title_words
from lib.model import Record

__all__ = ["merge_group"]

_CONFERENCE_SUFFIX = re.compile(r"[.:;,]?\s*(?:conference|meeting|congress)\s*:.*$", re.I)


def _title_quality(rec: Record) -> tuple[int, int, int]:
    title = rec.title.strip()
    mixed = int(title != title.upper() and title != title.lower())
    # no "[Chinese]" tag, no MEDLINE brackets around a translated title
    clean = int(not title.rstrip(". ").endswith("]") and not title.startswith("["))
    return (mixed, clean, len(title_words(title)))


def _journal_quality(rec: Record) -> tuple[int, int, int]:
    name = rec.journal.strip()
    plain = int(not _CONFERENCE_SUFFIX.search(name))
    words = journal_words(name)
    full = sum(len(w) for w in words)  # full names beat abbreviations
    return (plain, full, len(name))


def _pick(records: Sequence[Record], attr: str, key=None) -> tuple[object, str]:
    candidates = [r for r in records if getattr(r, attr)]
    if not candidates:
        return getattr(records[0], attr), ""
    best = max(candidates, key=key) if key else candidates[0]
    return getattr(best, attr), best.record_id


def merge_group(study_id: str, records: Sequence[Record]) -> Study:
    """The `Study` of one group (records in input order)."""
    sources: dict[str, str] = {}
    merged = Record(record_id=study_id)

    def take(attr: str, key=None) -> None:
        value, rid = _pick(records, attr, key)
        setattr(merged, attr, value)
        if rid:
            sources[attr] = rid

    take("title", _title_quality)
    take("authors", lambda r: (len(r.authors), sum(len(a) for a in r.authors)))
    take("journal", _journal_quality)
    take("abstract", lambda r: len(r.abstract))
    dois = Counter(doi_key(r.doi) for r in records if r.doi)
    if dois:
        doi = max(dois, key=lambda d: (dois[d], -len(d)))
        merged.doi = doi
        sources["doi"] = next(r.record_id for r in records if doi_key(r.doi) == doi)
    # Locators travel together, from the member that gives the most of them.
    loc = max(
        records,
        key=lambda r: (
            sum(bool(x) for x in (r.year, r.volume, r.issue, r.pages)),
            len(r.pages),
        ),
    )
    for attr in ("year", "volume", "issue", "pages"):
        value = getattr(loc, attr)
        if value:
            setattr(merged, attr, value)
            sources[attr] = loc.record_id
        else:
            take(attr)
    types = Counter(r.entrytype for r in records if r.entrytype and r.entrytype != "misc")
    merged.entrytype = types.most_common(1)[0][0] if types else records[0].entrytype
    seen: dict[str, None] = {}
    for r in records:
        for k in r.keywords:
            seen.setdefault(k, None)
    merged.keywords = list(seen)
    for attr in ("language", "url", "issn", "isbn"):
        take(attr)
    databases = tuple(dict.fromkeys(r.source_db for r in records if r.source_db))
    merged.source_db = "; ".join(databases)
    imports = tuple(dict.fromkeys(r.import_id for r in records if r.import_id is not None))
    files = tuple(dict.fromkeys(r.source_file for r in records if r.source_file))
    merged.original = {"record_ids": [r.record_id for r in records]}
    return Study(
        study_id=study_id,
        record=merged,
        members=tuple(r.record_id for r in records),
        databases=databases,
        imports=imports,
        files=files,
        sources=sources,
    )
