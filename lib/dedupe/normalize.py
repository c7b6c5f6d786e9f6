"""Each record reduced once to the comparable values the rules read (`Norm`).

Normalising is the only per-record cost of deduplication, so it happens once per record
and everything later (blocking keys, scores, rules, group checks) reads these values.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lib.dedupe import authors
from lib.dedupe.authors import AuthorList, first_author, parse_authors
from lib.dedupe.journals import (
    journal_key,
    journal_variants,
    journal_words,
    looks_like_conference,
    venue_kind,
)
from lib.dedupe.locators import (
    doi_key,
    doi_version_base,
    issue_in_volume,
    issue_key,
    page_range,
    pages_garbled,
    supplement_numbers,
    volume_key,
)
from lib.dedupe.text import fold_words
from lib.dedupe.titles import (
    is_generic,
    notice_of,
    title_numbers,
    title_part,
    title_words,
)
from lib.model import Record

__all__ = ["Norm", "clear_caches", "content_key", "normalize"]

ABSTRACT_CHARS = 400  # the opening tells two abstracts apart, and is cheap to compare

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
# Trial registration numbers, where a record carries one in its title, source or link
# (registry records from CENTRAL give "https://clinicaltrials.gov/show/NCT01234567").
_REGISTRATION = re.compile(
    r"\b(NCT\d{8}|ISRCTN\d{8}|ACTRN\d{14}|ChiCTR[-\w]{6,20}|EUCTR\d{4}-\d{6}-\d{2}|"
    r"DRKS\d{8}|CTRI/\d{4}/\d+/\d+|IRCT\w{8,30}|JPRN-\w{6,20}|NTR\d{3,5}|KCT\d{7}|"
    r"TCTR\d{11}|PACTR\d{15})",
    re.IGNORECASE,
)
_LETTER = re.compile(r"\[(\d{1,2})\]\s*\.?$")
_ROMAN = re.compile(r"^[ivx]{1,4}$")  # "ix45": page 45 of supplement 9
_LETTERED = re.compile(r"^\s*\d+[A-Za-z]\b")  # "81A": a page of an abstract book


class Detail:
    """What only a detailed comparison reads: computed for the records that get one (the
    fields of `Norm` that are filled on first use)."""

    __slots__ = ()

    generic: bool
    part: str
    numbers: frozenset[str]
    authors: AuthorList
    journal: tuple[str, ...]
    venues: tuple[tuple[str, ...], ...]
    venue_kind: str  # "journal" / "meeting" when the venue's name says so (`venue_kind`)
    issue: str
    issues: frozenset[str]  # every reading: the issue field and "(9)" in the volume field
    supplements: frozenset[str]
    pages: tuple[str, str, str]  # first, last, letter prefix
    garbled: bool  # the pages were a spreadsheet's date ("01-Jun")
    doi_base: str
    abstract: str
    conference: bool
    preprint: bool
    family: str  # kind of publication: "journal", "book", "chapter", "thesis"... or ""
    registrations: frozenset[str]  # trial registration numbers the record names
    letter: str  # Embase's "[2]": which of several letters with one title ("" if none)
    supplement_page: bool  # "S12", "ix45": a page of a supplement


# Entry types that name different kinds of publication; conference papers, preprints and
# "misc" are left out because databases type the same abstract or paper differently.
_FAMILIES = {
    "article": "journal",
    "review": "journal",
    "letter": "journal",
    "editorial": "journal",
    "erratum": "journal",
    "book": "book",
    "chapter": "chapter",
    "thesis": "thesis",
    "report": "report",
    "dataset": "dataset",
}


_DETAIL_FIELDS = tuple(Detail.__annotations__)


class Norm(Detail):
    """The comparable values of one record.

    Blocking reads the eager fields of every record (title words, notice, DOI, first
    author, year, journal key, volume, first page); the fields of `Detail` are computed
    on first use, from the record, for the few records that are compared in detail, and
    then read as plain attributes (a pair's comparison reads them dozens of times).
    """

    __slots__ = (
        "about",
        "cited",
        "compact",
        "doi",
        "first_author",
        "first_page",
        "jkey",
        "notice",
        "online",
        "record",
        "title",
        "volume",
        "year",
        *_DETAIL_FIELDS,
    )

    def __init__(self, rec: Record) -> None:
        self.record = rec
        self.title = title = title_words(rec.title)
        self.compact = title.replace(" ", "")
        self.notice, self.about, self.cited = notice_of(rec.title, title)
        if not self.notice and rec.entrytype == "erratum" and title:
            # The database typed it a correction although its title is the paper's.
            self.notice, self.about = "erratum", title
        self.doi = doi_key(rec.doi)
        self.first_author = first_author(rec.authors)
        self.year = rec.year
        self.jkey = _venue(rec.journal)[2]
        self.volume = volume_key(rec.volume)
        self.first_page = page_range(rec.pages)[0] if self.jkey and self.volume else ""
        # online first: a journal but no volume, issue or pages yet
        self.online = bool(self.jkey) and not (
            self.volume or rec.issue.strip() or rec.pages.strip()
        )

    def __getattr__(self, name: str) -> object:
        # Called only for an unset slot: the detail is computed once, on first use.
        if name not in _DETAIL_FIELDS:
            raise AttributeError(name)
        _fill_detail(self)
        return getattr(self, name)


@lru_cache(maxsize=1 << 16)
def _venue(
    journal: str,
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], str, bool, bool, str]:
    """(words, variants, key, looks like a conference, looks like a preprint server, kind
    the name says); cached because a few thousand venue names cover most records."""
    words = journal_words(journal)
    return (
        words,
        journal_variants(journal),
        journal_key(words),
        looks_like_conference(journal),
        bool(_PREPRINT_VENUE.search(" ".join(words))),
        venue_kind(journal),
    )


def clear_caches() -> None:
    """Forget the names, venues and author lists earlier runs cached, so that a benchmark
    times each run as a fresh process meets it."""
    for cached in (_venue, authors._key, authors._read_name, authors._parse_authors,
                   authors._compare_lists):  # fmt: skip
        cached.cache_clear()


def content_key(rec: Record) -> tuple:
    """Every field a `Norm` is read from: two records with one key compare alike."""
    return (
        rec.title,
        tuple(rec.authors),
        rec.year,
        rec.journal,
        rec.volume,
        rec.issue,
        rec.pages,
        rec.doi,
        rec.abstract[: ABSTRACT_CHARS + 100],
        rec.entrytype,
        rec.language,
        rec.url,
    )


def normalize(rec: Record) -> Norm:
    """The `Norm` of one record. Total: any record in, never an exception."""
    return Norm(rec)


def _fill_detail(n: Norm) -> None:
    rec = n.record
    jwords, venues, _, conference, preprint_venue, kind = _venue(rec.journal)
    pages = page_range(rec.pages)
    supplement_page = (
        pages[2] == "s" or bool(_ROMAN.match(pages[2])) or bool(_LETTERED.match(rec.pages))
    )
    in_volume = issue_in_volume(rec.volume)
    issue = issue_key(rec.issue)
    abstract = fold_words(rec.abstract[: ABSTRACT_CHARS + 100])[:ABSTRACT_CHARS]
    if abstract in ("no abstract available", "abstract not available", "none", "na"):
        abstract = ""
    n.generic = is_generic(n.title, " ".join(jwords))
    n.part = title_part(n.about or n.title)
    n.numbers = title_numbers(n.about or n.title)
    n.authors = parse_authors(rec.authors)
    n.journal = jwords
    n.venues = venues
    n.venue_kind = kind
    n.issue = in_volume or issue
    n.issues = frozenset({in_volume, issue} - {""})
    n.supplements = supplement_numbers(rec.volume, rec.issue)
    n.pages = pages
    n.garbled = pages_garbled(rec.pages) if pages[0] else False
    n.doi_base = doi_version_base(n.doi)
    n.abstract = abstract
    n.conference = (
        conference
        or rec.entrytype == "conference"
        or supplement_page
        or bool(_SUPPLEMENT.search(rec.issue) or _SUPPLEMENT.search(rec.volume))
    )
    n.preprint = preprint_venue or rec.entrytype == "preprint" or n.doi.startswith(_PREPRINT_DOI)
    n.family = _FAMILIES.get(rec.entrytype, "")
    n.supplement_page = supplement_page
    n.registrations = _registrations(rec)
    letter = _LETTER.search(rec.title) if rec.title.endswith(("]", "].")) else None
    n.letter = letter.group(1) if letter else ""


_REGISTRY_HINT = re.compile(
    r"(?:nct|isrctn|actrn|chictr|euctr|drks|ctri|irct|jprn|ntr|kct|tctr|pactr)[-/]?\d"
)
_NO_REGISTRATIONS: frozenset[str] = frozenset()


def _registrations(rec: Record) -> frozenset[str]:
    """Registration numbers in the source or link (registry records from CENTRAL give
    "https://clinicaltrials.gov/show/NCT01234567"), or in capitals in the title."""
    text = f"{rec.journal} {rec.url}" if rec.url else rec.journal
    if "NCT" in rec.title or "ISRCTN" in rec.title:
        text = f"{text} {rec.title}"
    if not text or not _REGISTRY_HINT.search(text.lower()):  # the full regex costs more
        return _NO_REGISTRATIONS
    return frozenset(m.upper() for m in _REGISTRATION.findall(text))
