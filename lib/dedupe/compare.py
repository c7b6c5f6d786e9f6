"""The evidence two records give about being one publication, field by field.

`compare` measures; `lib.dedupe.rules` decides. Every measure is "unknown" when either
record lacks the field, so a missing value never counts for or against a match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from lib.dedupe.authors import compare_authors
from lib.dedupe.contrasts import contrast
from lib.dedupe.journals import meeting_relation, venue_relation
from lib.dedupe.locators import page_typo, pages_relation, ranges_meet
from lib.dedupe.normalize import Norm
from lib.dedupe.titles import names_another_paper

__all__ = ["Evidence", "compare", "title_similarity"]

MIN_TRUNCATED = 40  # a title cut short must keep this many letters to count as a match
MIN_ABSTRACT = 150  # shorter abstracts are often boilerplate
ARTICLE_NUMBER = 100  # issue numbers above this that equal a page are article numbers
SAME_TITLE = 0.95  # as `lib.dedupe.patterns.STRONG_TITLE` (which imports this module)
# Page ranges that share a page, one journal and volume, one title: the range (and a
# year one apart beside it, `lib.dedupe.rules`) is an export's error or two short pieces
# of one issue; a person tells which, so the pair is reviewed, never merged alone.
PAGES_MEET = "page ranges share a page"


@dataclass(slots=True)
class Evidence:
    """What each field says about a pair (None / "missing" where a record lacks it)."""

    title: float  # 0..1
    truncated: bool  # one title is the start of the other
    doi: str  # "same", "version", "typo", "truncated", "different", "missing"
    authors: tuple[bool, float] | None  # (first authors agree, share of shorter list)
    year_gap: int | None
    journal: str  # "same", "compatible", "different", "missing"
    volume: str  # "same", "different", "missing"
    issue: str
    page: str  # first page
    abstract: float | None
    about: float  # for a notice (erratum, retraction): its title against the other's
    contained: bool = False  # one title is the other with a heading or subtitle more
    contrast: str = ""  # a word of one kind that differs ("adults / children")
    page_doubt: str = ""  # why differing first pages may be an export's error
    shifted: bool = False  # volume, issue and page exported one field along
    cited: str = "missing"  # two notices: do they cite the same paper?


def title_similarity(a: Norm, b: Norm) -> tuple[float, bool]:
    """(similarity 0..1, one title is a truncation of the other).

    Two notices of one kind (two errata) compare the titles of the papers they are about.
    """
    if a.notice and a.notice == b.notice and a.about and b.about:
        return _similarity(a.about, b.about)
    return _similarity(a.title, b.title, a.compact, b.compact)


def _similarity(x: str, y: str, cx: str = "", cy: str = "") -> tuple[float, bool]:
    if not x or not y:
        return 0.0, False
    cx, cy = cx or x.replace(" ", ""), cy or y.replace(" ", "")
    if cx == cy:
        return 1.0, False
    sim = max(fuzz.ratio(x, y), fuzz.ratio(cx, cy)) / 100
    short, long_ = (cx, cy) if len(cx) <= len(cy) else (cy, cx)
    if len(short) >= MIN_TRUNCATED and len(long_) > len(short):
        head = fuzz.ratio(short, long_[: len(short)]) / 100
        if head >= 0.95 and head > sim:
            return head, True
    return sim, False


MIN_CONTAINED_WORDS = 3


def contained(x: str, y: str) -> bool:
    """One title is the other with words more in front (a section heading, "CLINICAL
    PRACTICE:") or behind (a subtitle one database dropped), or joined to its
    translation. Not when the extra words make it a reply, comment or notice."""
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    if len(short.split()) < MIN_CONTAINED_WORDS or len(short) == len(long_):
        return False
    if long_.startswith(short + " "):
        return True
    if long_.endswith(" " + short):
        return not names_another_paper(long_[: -len(short) - 1])
    return False


_DIGIT = re.compile(r"\d")


def _doi(a: Norm, b: Norm) -> str:
    if not a.doi or not b.doi:
        return "missing"
    if a.doi == b.doi:
        return "same"
    if a.doi_base == b.doi_base:
        return "version"
    short, long_ = (a.doi, b.doi) if len(a.doi) <= len(b.doi) else (b.doi, a.doi)
    if len(short) >= 12 and long_.startswith(short):
        return "truncated"  # an export cut the DOI short
    if (
        abs(len(a.doi) - len(b.doi)) <= 2
        and _DIGIT.sub("", a.doi) == _DIGIT.sub("", b.doi)
        and Levenshtein.distance(a.doi, b.doi, score_cutoff=2) <= 2
    ):
        return "typo"  # one or two digits off: a typo, or a neighbouring paper's DOI
    return "different"


def _shifted(a: Norm, b: Norm) -> bool:
    """Volume, issue and first page exported one field along in one record: its issue
    holds the other's volume and its page (or nothing in its volume) the other's issue."""
    for x, y in ((a, b), (b, a)):
        if (
            x.volume
            and x.issue
            and y.issue == x.volume
            and y.volume != x.volume
            and (y.pages[0] == x.issue or not y.volume)
        ):
            return True
    return False


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
    doi = _doi(a, b)
    abstract = None
    x, y = a.abstract, b.abstract
    if len(x) >= MIN_ABSTRACT and len(y) >= MIN_ABSTRACT:
        n = min(len(x), len(y))
        abstract = fuzz.ratio(x[:n], y[:n]) / 100
        if abstract < 0.9:  # headings ("PURPOSE OF REVIEW:") present in one export only
            abstract = max(abstract, fuzz.token_set_ratio(x[:n], y[:n]) / 100)
    about = 0.0
    cited = "missing"
    if a.notice or b.notice:
        x = a.about if a.notice else a.title
        y = b.about if b.notice else b.title
        about = fuzz.ratio(x, y) / 100 if x and y else 0.0
        if a.cited[0] and b.cited[0]:
            cited = "same" if a.cited[:2] == b.cited[:2] else "different"
    journal = venue_relation(a.venues, b.venues)
    if journal == "different" and meeting_relation(a.record.journal, b.record.journal):
        journal = "meeting"
    shifted = _shifted(a, b)
    volume, issue = ("missing", "missing") if shifted else (_volume(a, b), _issue(a, b))
    page = "missing" if shifted else pages_relation(a.pages, b.pages)
    page_doubt = ""
    if page == "different":
        if a.garbled or b.garbled:
            page_doubt = "pages read from a spreadsheet date"
        elif page_typo(a.pages, b.pages) and not (a.conference or b.conference):
            page_doubt = "first pages one keystroke apart"
        elif (
            ranges_meet(a.pages, b.pages)
            and journal in ("same", "compatible")
            and _volume(a, b) == "same"
            and title >= SAME_TITLE
        ):
            page_doubt = PAGES_MEET
    words_differ = a.title != b.title
    return Evidence(
        title=title,
        truncated=truncated,
        doi=doi,
        authors=compare_authors(a.authors, b.authors),
        year_gap=abs(a.year - b.year) if a.year is not None and b.year is not None else None,
        journal=journal,
        volume=volume,
        issue=issue,
        page=page,
        abstract=abstract,
        about=about,
        contained=words_differ and not a.notice and not b.notice and contained(a.title, b.title),
        contrast=contrast(a.title, b.title) if words_differ else "",
        page_doubt=page_doubt,
        shifted=shifted,
        cited=cited,
    )
