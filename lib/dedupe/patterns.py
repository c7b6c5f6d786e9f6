"""Patterns of one publication exported two ways, which the rules read before vetoing.

Each pattern is a known way the same paper arrives with a field that seems to contradict:
print against online year, a translated title, a supplement's year, an online-first
version that was retitled. Each is narrow (every other field must agree) because lifting
a veto wrongly merges two studies.
"""

from __future__ import annotations

from lib.dedupe.compare import Evidence
from lib.dedupe.language import looks_translated, non_english, other_script
from lib.dedupe.normalize import Norm

__all__ = [
    "SAME_ABSTRACT",
    "STRONG_TITLE",
    "identical",
    "meeting_year",
    "online_first",
    "retitled_online_first",
    "same_place",
    "translated_at_one_place",
]

SAME_ABSTRACT = 0.9
STRONG_TITLE = 0.95
RETITLED_AUTHORS = 0.8  # share of authors an online-first version must keep


def online_first(a: Norm, b: Norm, ev: Evidence) -> bool:
    """Years one apart because the earlier record is the online-first version of the
    later one in the same journal (no volume or issue yet, pages numbered from 1)."""
    if ev.year_gap != 1 or ev.journal not in ("same", "compatible"):
        return False
    early, late = (a, b) if (a.year or 0) < (b.year or 0) else (b, a)
    return not early.volume and not early.issue and bool(late.volume)


def same_place(ev: Evidence) -> bool:
    """The same journal, volume and first page: one paper, whatever a typo in a number of
    the title or a print year against an online year says."""
    return ev.journal in ("same", "compatible") and ev.volume == ev.page == "same"


def identical(ev: Evidence) -> bool:
    """Same DOI, same title and same abstract (or volume and page): one publication
    whatever its locators or author list say (exports garble those, not all three)."""
    return (
        ev.doi == "same"
        and ev.title >= STRONG_TITLE
        and (
            (ev.abstract is not None and ev.abstract >= SAME_ABSTRACT)
            or (ev.volume == "same" and ev.page == "same")
        )
    )


def meeting_year(a: Norm, b: Norm, ev: Evidence) -> bool:
    """Years one apart because both records are one meeting abstract: the meeting's year
    against its supplement's, where a supplement page ("S12", "ix45"), a record of the
    meeting with no venue, or a journal named by its meeting shows it."""
    if ev.year_gap != 1 or not (a.conference and b.conference):
        return False
    return (
        a.supplement_page
        or b.supplement_page
        or not a.journal
        or not b.journal
        or ev.journal == "meeting"
    )


def translated_at_one_place(a: Norm, b: Norm, ev: Evidence) -> str:
    """For two titles that differ: "translated" when everything else pins them to one
    paper and one title is a translation (or holds both); "unexplained" when everything
    else does but nothing says why the titles differ; "" when not at one place.

    One place: the same journal, volume, first page (not a supplement's, where many
    abstracts share a page; not page 1 without the same last page), no other locator
    against, the same year, every author the same, no DOI against.
    """
    if (
        ev.journal not in ("same", "compatible")
        or ev.volume != "same"
        or ev.page != "same"
        or ev.issue == "different"
        or ev.year_gap != 0
        or ev.doi not in ("same", "missing")
        or ev.authors is None
        or ev.authors != (True, 1.0)
        or _says_nothing(a)
        or _says_nothing(b)
        or a.notice
        or b.notice
        or a.conference
        or b.conference
    ):
        return ""
    if a.pages[0] == "1" and not (a.pages[1] and a.pages[1] == b.pages[1]):
        return ""
    if ev.contained or _translated(a) or _translated(b):
        return "translated"
    return "unexplained"


def _says_nothing(n: Norm) -> bool:
    """A generic title ("Editorial"), unless it is empty only because it is written in
    another script (a Chinese or Russian title folds to no Latin words)."""
    return n.generic and not (not n.title and other_script(n.record.title))


def _translated(n: Norm) -> bool:
    """The title is marked as a translation, or is not in English."""
    rec = n.record
    return looks_translated(rec.title, rec.language) or non_english(n.title, rec.title)


def retitled_online_first(a: Norm, b: Norm, ev: Evidence) -> bool:
    """An online-first record (no volume, issue or pages) and an issue version of the same
    journal, by the same team, with the same DOI or none to say otherwise, whose titles
    differ: the paper was retitled between the two, or it is another paper of the team.
    A person decides."""
    early, late = (a, b) if (a.year or 0) <= (b.year or 0) else (b, a)
    if not early.online or not late.volume or late.online:
        return False
    if ev.journal not in ("same", "compatible") or ev.year_gap is None or ev.year_gap > 1:
        return False
    if ev.doi not in ("same", "truncated", "missing") or a.generic or b.generic:
        return False
    if a.notice or b.notice or a.conference or b.conference or ev.authors is None:
        return False  # a meeting's record has no volume or pages either
    first, share = ev.authors
    team = min(len(a.authors.families), len(b.authors.families))
    return first and share >= RETITLED_AUTHORS and (team >= 2 or ev.doi == "same")
