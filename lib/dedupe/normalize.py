"""Each record reduced once to the comparable values the rules read (`Norm`).

Normalising is the only per-record cost of deduplication, so it happens once per record
and everything later (blocking keys, scores, rules, group checks) reads these values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lib.dedupe.authors import AuthorList, first_author, parse_authors
from lib.dedupe.journals import (
    journal_key,
    journal_variants,
    journal_words,
    looks_like_conference,
)
from lib.dedupe.locators import (
    doi_key,
    doi_version_base,
    issue_in_volume,
    issue_key,
    page_range,
    supplement_numbers,
    volume_key,
)
from lib.dedupe.text import fold_words
from lib.dedupe.titles import (
    is_generic,
    notice_kind,
    strip_notice,
    title_numbers,
    title_part,
    title_words,
)
from lib.model import Record

__all__ = ["Norm", "normalize"]

ABSTRACT_CHARS = 600  # enough to tell two abstracts apart, cheap to compare

_PREPRINT_DOI = (
    "10.1101/",  # bioRxiv, medRxiv
    "10.48550/",  # arXiv
    "10.2139/",  # SSRN
    "10.21203/",  # Research Square
    "10.31234/",  # PsyArXiv
    "10.31235/",  # SocArXiv
    "10.31219/",  # OSF Preprints
    "10.20944/",  # Preprints.org
)
_PREPRINT_VENUE = re.compile(
    r"\b(medrxiv|biorxiv|arxiv|ssrn|research square|preprints?|psyarxiv|socarxiv|"
    r"osf preprints|techrxiv|chemrxiv|europe pmc preprints)\b"
)
# Supplement issues are where congress abstracts are printed: "Suppl 2", "S1", "SUPPL. 1".
_SUPPLEMENT = re.compile(r"suppl|meeting|abstract|congress|^\s*s\s*\d+\s*$", re.IGNORECASE)


@dataclass(slots=True)
class Norm:
    """The comparable values of one record (see `normalize`)."""

    title: str
    compact: str
    generic: bool
    notice: str
    about: str
    part: str
    numbers: frozenset[str]
    names: tuple[str, ...]  # the record's author strings, parsed on first use
    first_author: str
    year: int | None
    journal: tuple[str, ...]
    venues: tuple[tuple[str, ...], ...]
    jkey: str
    volume: str
    issue: str
    issues: frozenset[str]  # every reading: the issue field and "(9)" in the volume field
    supplements: frozenset[str]
    pages: tuple[str, str, str]  # first, last, letter prefix
    doi: str
    doi_base: str
    abstract: str
    conference: bool
    preprint: bool
    _authors: AuthorList | None = None

    @property
    def authors(self) -> AuthorList:
        """The parsed author list (parsed only for records that get compared in detail)."""
        if self._authors is None:
            self._authors = parse_authors(self.names)
        return self._authors


@lru_cache(maxsize=1 << 16)
def _venue(
    journal: str,
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], str, bool, bool]:
    """(words, variants, key, looks like a conference, looks like a preprint server);
    cached because a few thousand venue names cover most records."""
    words = journal_words(journal)
    return (
        words,
        journal_variants(journal),
        journal_key(words),
        looks_like_conference(journal),
        bool(_PREPRINT_VENUE.search(" ".join(words))),
    )


def normalize(rec: Record) -> Norm:
    """The `Norm` of one record. Total: any record in, never an exception."""
    title = title_words(rec.title)
    jwords, venues, jkey, conference, preprint_venue = _venue(rec.journal)
    notice = notice_kind(title)
    doi = doi_key(rec.doi)
    pages = page_range(rec.pages)
    issues = frozenset({issue_in_volume(rec.volume), issue_key(rec.issue)} - {""})
    issue = issue_in_volume(rec.volume) or issue_key(rec.issue)
    abstract = fold_words(rec.abstract[: ABSTRACT_CHARS * 2])[:ABSTRACT_CHARS]
    if abstract in ("no abstract available", "abstract not available", "none", "na"):
        abstract = ""
    return Norm(
        title=title,
        compact=title.replace(" ", ""),
        generic=is_generic(title, " ".join(jwords)),
        notice=notice,
        about=strip_notice(title) if notice else "",
        part=title_part(title),
        numbers=title_numbers(title),
        names=tuple(rec.authors),
        first_author=first_author(rec.authors),
        year=rec.year,
        journal=jwords,
        venues=venues,
        jkey=jkey,
        volume=volume_key(rec.volume),
        issue=issue,
        issues=issues,
        supplements=supplement_numbers(rec.volume, rec.issue),
        pages=pages,
        doi=doi,
        doi_base=doi_version_base(doi),
        abstract=abstract,
        conference=conference
        or rec.entrytype == "conference"
        or pages[2] == "s"
        or bool(_SUPPLEMENT.search(rec.issue) or _SUPPLEMENT.search(rec.volume)),
        preprint=preprint_venue or rec.entrytype == "preprint" or doi.startswith(_PREPRINT_DOI),
    )
