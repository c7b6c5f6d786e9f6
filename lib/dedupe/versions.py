"""A meeting's paper and its other versions: two publications that look like one; and a
new version of one DOI, which a person decides on.

A team presents work at a meeting and publishes it again: the full paper at the next
year's meeting, the article in a journal. Title and authors agree, so the pair looks like
one record exported twice, but by the definition of a duplicate the benchmarks use (the
same bibliographic record; a conference abstract and the later article are two, however
alike their titles) they are two publications. The rules already see one contradiction in
such a pair (journals that differ, years one apart) and would put it to a person; each
pattern here is the second one that keeps it apart. Each reads what the records say
(a venue named as a meeting or a journal, a year, a title), never a missing field, and
none applies where a journal's supplement may hold the meeting's abstract (a supplement
page or issue, Embase's "Journal. Conference: meeting"): those pairs stay for review.
"""

from __future__ import annotations

from lib.dedupe.compare import Evidence
from lib.dedupe.normalize import Norm

__all__ = ["later_version", "meeting_and_journal", "new_version"]

STRONG_TITLE = 0.95


def meeting_and_journal(a: Norm, b: Norm, ev: Evidence) -> bool:
    """Two venues of two kinds, each named as what it is: a meeting ("Workshop on Digital
    Studies") and a journal ("Journal of Digital Studies") with no sign of a supplement."""
    if ev.journal != "different":
        return False
    return any(
        x.venue_kind == "meeting" and y.venue_kind == "journal" and not y.conference
        for x, y in ((a, b), (b, a))
    )


def later_version(a: Norm, b: Norm, ev: Evidence) -> str:
    """Why two records a year apart are a meeting's paper and a later publication ("" when
    they need not be):

    - the earlier's venue is a meeting by its name ("Americas Conference on Information
      Systems") and the later is no meeting's record (the conference paper, then the
      article);
    - both venues name one meeting as such and their titles differ (a work in progress
      one year, the full paper with a subtitle more, or retitled, the next).

    Not when the DOI is the same: then the year is an export's error.
    """
    if ev.year_gap != 1 or ev.doi == "same" or a.year is None or b.year is None:
        return ""
    early, late = (a, b) if a.year < b.year else (b, a)
    if early.venue_kind == "meeting" and not late.conference:
        return "a meeting's paper and a record a year later outside the meeting"
    if (
        a.venue_kind == b.venue_kind == "meeting"
        and ev.journal in ("same", "compatible")
        and a.title != b.title
    ):
        return "two years of one meeting with titles that differ"
    return ""


def new_version(a: Norm, b: Norm, ev: Evidence) -> bool:
    """Two versions of one DOI (Cochrane's ".pub2" and ".pub3", a preprint's "v1" and
    "v2") with one title, one team, one journal and no first page against: the later
    version's year and issue are what a new version means, not two more contradictions.
    The differing DOI still stops a merge, so the pair goes to a person, who decides
    whether the versions count as one (an updated review replaces the earlier one in
    some reviews' counting, not in others'). A year gap above one stays a veto, as for
    an online-first version."""
    return (
        ev.doi == "version"
        and ev.title >= STRONG_TITLE
        and ev.authors is not None
        and ev.authors[0]
        and ev.authors[1] >= 0.8
        and ev.journal in ("same", "compatible")
        and ev.page != "different"
    )
