"""The evidence two records give about being one publication, field by field.

`compare` measures; `lib.dedupe.rules` decides. Every measure is "unknown" when either
record lacks the field, so a missing value never counts for or against a match.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from lib.dedupe.authors import compare_authors
from lib.dedupe.journals import venue_relation
from lib.dedupe.locators import pages_relation
from lib.dedupe.normalize import Norm

__all__ = ["Evidence", "compare", "title_similarity"]

MIN_TRUNCATED = 40  # a title cut short must keep this many letters to count as a match
MIN_ABSTRACT = 150  # shorter abstracts are often boilerplate
ARTICLE_NUMBER = 100  # issue numbers above this that equal a page are article numbers


@dataclass(slots=True)
class Evidence:
    """What each field says about a pair (None / "missing" where a record lacks it)."""

    title: float  # 0..1
    truncated: bool  # one title is the start of the other
    doi: str  # "same", "version", "different", "missing"
    authors: tuple[bool, float] | None  # (first authors agree, share of shorter list)
    year_gap: int | None
    journal: str  # "same", "compatible", "different", "missing"
    volume: str  # "same", "different", "missing"
    issue: str
    page: str  # first page
    abstract: float | None
    about: float  # for a notice (erratum, retraction): its title against the other's


def title_similarity(a: Norm, b: Norm) -> tuple[float, bool]:
    """(similarity 0..1, one title is a truncation of the other)."""
    if not a.title or not b.title:
        return 0.0, False
    if a.compact == b.compact:
        return 1.0, False
    sim = max(fuzz.ratio(a.title, b.title), fuzz.ratio(a.compact, b.compact)) / 100
    short, long_ = (
        (a.compact, b.compact)
        if len(a.compact) <= len(b.compact)
        else (
            b.compact,
            a.compact,
        )
    )
    if len(short) >= MIN_TRUNCATED and len(long_) > len(short):
        head = fuzz.ratio(short, long_[: len(short)]) / 100
        if head >= 0.95 and head > sim:
            return head, True
    return sim, False


def _volume(a: Norm, b: Norm) -> str:
    if not a.volume or not b.volume:
        return "missing"
    if a.volume == b.volume:
        return "same"
    for x, y in ((a, b), (b, a)):
        # "1" read from "(Suppl 1)"; Cochrane's year-as-volume against issue-as-volume.
        if x.volume in y.supplements or x.volume in x.supplements or x.volume == str(x.year):
            return "missing"
    return "different"


def _issue(a: Norm, b: Norm) -> str:
    if not a.issue or not b.issue:
        return "missing"
    if a.issues & b.issues:
        return "same"
    # An article number exported as the issue ("791" where the other gives page 791).
    if any(int(x) >= ARTICLE_NUMBER for x in (a.issues | b.issues) & {a.pages[0], b.pages[0]}):
        return "missing"
    return "different"


def compare(a: Norm, b: Norm) -> Evidence:
    """Measure every field of a pair."""
    title, truncated = title_similarity(a, b)
    if a.doi and b.doi:
        doi = "same" if a.doi == b.doi else "version" if a.doi_base == b.doi_base else "different"
    else:
        doi = "missing"
    abstract = None
    x, y = a.abstract, b.abstract
    if len(x) >= MIN_ABSTRACT and len(y) >= MIN_ABSTRACT:
        n = min(len(x), len(y))
        abstract = fuzz.ratio(x[:n], y[:n]) / 100
        if abstract < 0.9:  # headings ("PURPOSE OF REVIEW:") present in one export only
            abstract = max(abstract, fuzz.token_set_ratio(x[:n], y[:n]) / 100)
    about = 0.0
    if a.notice or b.notice:
        x = a.about if a.notice else a.title
        y = b.about if b.notice else b.title
        about = fuzz.ratio(x, y) / 100 if x and y else 0.0
    return Evidence(
        title=title,
        truncated=truncated,
        doi=doi,
        authors=compare_authors(a.authors, b.authors),
        year_gap=abs(a.year - b.year) if a.year is not None and b.year is not None else None,
        journal=venue_relation(a.venues, b.venues),
        volume=_volume(a, b),
        issue=_issue(a, b),
        page=pages_relation(a.pages, b.pages),
        abstract=abstract,
        about=about,
    )
