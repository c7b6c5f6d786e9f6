"""Deciding a pair: duplicate, possible (a person reviews it) or distinct, with a reason.

A false merge hides a study from a review, so the rules are built around vetoes:

- a *hard* contradiction makes the pair distinct whatever else agrees: DOIs both present
  and different; years more than one apart; Part I against Part II, or different numbers
  in the two titles; a word of one kind that differs between the titles ("adults" /
  "children", "first-line" / "refractory", `contrasts`); two trial registration numbers;
  an erratum or retraction notice against its paper, or two notices citing different
  papers; a preprint against the published article; author lists that barely overlap;
  two journals whose volumes or pages disagree where none agrees;
- a *soft* contradiction stops an automatic merge (one: the pair goes to review if it is
  otherwise alike; two: distinct): first page, volume or issue disagree; the journals
  differ; years one apart; abstracts differ; DOIs differ only by version (Cochrane
  ".pub2"/".pub3"); different kinds of publication (a thesis and an article); a
  meeting's paper beside a journal's article or a later version (`versions`: a meeting
  named against a journal named, a meeting's paper and a record a year later outside
  the meeting, two years of one meeting with titles that differ);
- a *doubt* sends an otherwise sure pair to review without counting towards a veto: it
  is what exports garble (pages a spreadsheet turned into a date, first pages one
  keystroke apart, volume, issue and pages shifted one field along, a DOI one or two
  digits off or cut short, a journal named by its meeting);
- a merge needs positive evidence beyond the title: the same DOI, or agreeing authors and
  year, or (without authors) agreeing journal and volume or pages. Generic titles
  ("Editorial", "Reply") count for nothing.

The patterns of `patterns` lift a veto because they are certain: the same journal, volume
and first page (then a year one apart is print against online, and a number that differs
in the title is a typo); the same DOI with the same title and abstract (or volume and
page: then a disagreeing locator or author list is an export's error); an online-first
record against its issue version; one meeting abstract dated by the meeting and by its
supplement; a translated title where journal, volume, page, year and every author agree
(without a sign of translation, such a pair goes to review). A retitled online-first
version goes to review, and so does a new version of one DOI (Cochrane ".pub2" against
".pub3" a year later, `versions.new_version`): whether two versions count as one is a
person's call.

Pairs that are not merged but report the same study (an erratum, a preprint, a
conference abstract and the article, one abstract in two meetings) get an
"other report" link.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.dedupe.compare import PAGES_MEET, Evidence
from lib.dedupe.normalize import Norm
from lib.dedupe.patterns import (
    SAME_ABSTRACT,
    STRONG_TITLE,
    identical,
    meeting_year,
    online_first,
    retitled_online_first,
    same_place,
    translated_at_one_place,
)
from lib.dedupe.versions import later_version, meeting_and_journal, new_version

__all__ = ["DISTINCT", "DUPLICATE", "POSSIBLE", "Verdict", "decide"]

DUPLICATE = "duplicate"
POSSIBLE = "possible"
DISTINCT = "distinct"

MEDIUM_TITLE = 0.85
WEAK_TITLE = 0.6  # below this the titles name different papers (unless the DOI agrees)
DIFFERENT_ABSTRACT = 0.5
LINK_TITLE = 0.9


@dataclass(slots=True)
class Verdict:
    """The decision on one pair and why."""

    decision: str
    score: float
    reason: str
    link: str = ""  # why the records are other reports of one study ("" if not)
    conflict: bool = False  # the pair may not end up in one group


def _authors_agree(ev: Evidence) -> bool | None:
    if ev.authors is None:
        return None
    first, share = ev.authors
    return (first and share >= 0.5) or share >= 0.8


def _contradictions(
    a: Norm, b: Norm, ev: Evidence
) -> tuple[list[str], list[str], list[str], list[str]]:
    """(hard, soft, doubts, overridden): what speaks against the pair being one
    publication (see the module docstring)."""
    hard: list[str] = []
    soft: list[str] = []
    doubts: list[str] = []
    locators: list[str] = []  # soft, but overridden by `identical`
    early_version = online_first(a, b, ev)
    version = new_version(a, b, ev)
    place = same_place(ev)
    if ev.doi == "different":
        if _all_but_doi(ev):
            doubts.append("DOIs differ though all else agrees")
        else:
            hard.append("DOIs differ")
    elif ev.doi == "version":
        again = f" (a new version, years {a.year} and {b.year})" if version and ev.year_gap else ""
        soft.append("DOIs differ only by version" + again)
    elif ev.doi == "typo":
        doubts.append("DOIs differ by a digit or two")
    elif ev.doi == "truncated":
        doubts.append("one DOI is cut short")
    if ev.year_gap is not None and ev.year_gap > 1:
        hard.append(f"years {a.year} and {b.year}")
    elif ev.year_gap == 1 and ev.page_doubt == PAGES_MEET:
        doubts.append(f"years {a.year} and {b.year} in one volume")
    elif ev.year_gap == 1 and not (early_version or version or place or meeting_year(a, b, ev)):
        (locators if ev.doi == "same" else soft).append(f"years {a.year} and {b.year}")
        later = later_version(a, b, ev)
        if later:
            soft.append(later)
    if a.part != b.part and (a.part or b.part):
        hard.append(f"parts differ ({a.part or '-'} / {b.part or '-'})")
    elif a.numbers != b.numbers and not place:
        (hard if a.numbers and b.numbers else soft).append("numbers in titles differ")
    if ev.contrast:
        hard.append(f"titles differ in one word ({ev.contrast})")
    if a.registrations and b.registrations and not a.registrations & b.registrations:
        hard.append("trial registrations differ")
    if a.letter and b.letter and a.letter != b.letter:
        hard.append(f"letters [{a.letter}] and [{b.letter}] on one title")
    if a.notice != b.notice:
        hard.append(f"one is {'an' if (a.notice or b.notice) == 'erratum' else 'a'} "
                    f"{a.notice or b.notice} notice")  # fmt: skip
    elif ev.cited == "different":
        hard.append("notices about different papers")
    if a.family and b.family and a.family != b.family:
        soft.append(f"kinds differ ({a.family} / {b.family})")
    if a.preprint != b.preprint and ev.journal != "missing":
        hard.append("preprint and journal article")
    if ev.authors is not None:
        first, share = ev.authors
        if share < 0.34:
            (locators if ev.doi == "same" else hard).append(f"authors differ ({share:.0%} shared)")
        elif share < 0.5 and not first:
            (locators if ev.doi == "same" else soft).append(f"authors differ ({share:.0%} shared)")
    if ev.page == "different" and not early_version:
        page = f"first page {a.pages[0]} vs {b.pages[0]}"
        if ev.page_doubt:
            doubts.append(f"{page} ({ev.page_doubt})")
        else:
            locators.append(page)
    if ev.volume == "different":
        locators.append(f"volume {a.volume} vs {b.volume}")
    if ev.issue == "different" and not (early_version or version):
        locators.append(f"issue {a.issue} vs {b.issue}")
    if ev.shifted:
        doubts.append("volume, issue and pages one field apart")
    if ev.journal == "meeting":
        doubts.append("one journal is named by its meeting")
    elif ev.journal == "different":
        # Same volume and first page: a name variant ("Nihon Rinsho" / "Nippon rinsho").
        # A volume or page against and none agreeing: two venues (one abstract printed in
        # two congress supplements, a conference paper and its journal version).
        # Nothing to compare (a romanised name against an English one, one with a volume,
        # the other with pages): review.
        agree = (ev.volume == "same") + (ev.page == "same")
        against = (ev.volume == "different") + (ev.page == "different" and not ev.page_doubt)
        if agree == 2:
            pass
        elif against and not agree:
            hard.append("journals differ")
        else:
            locators.append("journals differ")
        if meeting_and_journal(a, b, ev):
            locators.append("a meeting's paper and a journal's article")
    if ev.abstract is not None and ev.abstract < DIFFERENT_ABSTRACT:
        soft.append(f"abstracts differ ({ev.abstract:.2f})")
    if identical(ev):
        return hard, soft, doubts, locators
    return hard, soft + locators, doubts, []


def _all_but_doi(ev: Evidence) -> bool:
    """Title, abstract, every author, year, journal and page agree: a DOI that differs is
    an export's error (a neighbouring paper's DOI), for a person to confirm."""
    return (
        ev.title >= STRONG_TITLE
        and ev.abstract is not None
        and ev.abstract >= SAME_ABSTRACT
        and ev.authors == (True, 1.0)
        and ev.year_gap == 0
        and ev.journal in ("same", "compatible")
        and ev.page == "same"
    )


def _score(a: Norm, b: Norm, ev: Evidence, hard: int, soft: int, doubts: int) -> float:
    """0..1, how alike the two records are; it orders the review queue, so what makes a
    look-alike common counts against: a DOI shared by two different titles is as often a
    congress supplement's as a retitled paper's, and two abstracts of one meeting are
    the commonest look-alikes (one team's abstracts follow each other page by page)."""
    parts: list[tuple[float, float]] = [(ev.title, 3.0)]
    if ev.authors is not None:
        parts.append((ev.authors[1] * (1.0 if ev.authors[0] else 0.8), 2.0))
    if ev.year_gap is not None:
        parts.append((1.0 if ev.year_gap == 0 else 0.5 if ev.year_gap == 1 else 0.0, 1.0))
    if ev.doi != "missing":
        doi = _DOI_SCORE.get(ev.doi, 0.0) * (1.0 if ev.title >= MEDIUM_TITLE else 0.5)
        parts.append((doi, 2.0))
    if ev.journal != "missing":
        parts.append((_JOURNAL_SCORE.get(ev.journal, 0.0), 1.0))
    for value in (ev.volume, ev.page):
        if value != "missing":
            parts.append((1.0 if value == "same" else 0.0, 1.0))
    if ev.abstract is not None:
        parts.append((ev.abstract, 2.0))
    total = sum(w for _, w in parts)
    base = sum(v * w for v, w in parts) / total
    meeting = 0.1 if a.conference and b.conference else 0.0
    return round(max(0.0, base - 0.25 * hard - 0.1 * soft - 0.05 * doubts - meeting), 3)


_DOI_SCORE = {"same": 1.0, "typo": 0.7, "truncated": 0.7, "version": 0.3}
_JOURNAL_SCORE = {"same": 1.0, "compatible": 1.0, "meeting": 0.5}


def _evidence_text(a: Norm, b: Norm, ev: Evidence) -> list[str]:
    said = []
    if ev.doi == "same":
        said.append("same DOI")
    if ev.truncated:
        said.append(f"one title cut short ({ev.title:.2f})")
    elif ev.title == 1.0:
        said.append("titles equal")
    elif ev.contained:
        said.append(f"one title has words more in front or behind ({ev.title:.2f})")
    else:
        said.append(f"titles {ev.title:.2f}")
    if ev.authors is not None:
        first, share = ev.authors
        said.append(f"authors {share:.0%} shared" + ("" if first else ", first differs"))
    elif a.authors.families or b.authors.families:
        said.append("authors missing on one")
    if ev.year_gap == 0:
        said.append(f"year {a.year}")
    if ev.journal in ("same", "compatible"):
        said.append("journal " + ("equal" if ev.journal == "same" else "matches"))
    if ev.volume == "same":
        said.append("volume equal")
    if ev.page == "same":
        said.append("first page equal")
    if ev.abstract is not None and ev.abstract >= SAME_ABSTRACT:
        said.append("abstracts equal")
    return said


def _link(a: Norm, b: Norm, ev: Evidence, agree: bool | None) -> str:
    """Why two records that are not one publication report one study ("" if they don't).

    Only for the known kinds of other report; two editorials, two parts of a paper or two
    papers years apart with one title are different publications, not other reports.
    """
    if agree is False or a.generic or b.generic or a.part != b.part or ev.contrast:
        return ""
    if a.notice != b.notice:
        return f"{a.notice or b.notice} notice of the paper" if ev.about >= LINK_TITLE else ""
    if ev.title < LINK_TITLE or (ev.authors is None and ev.doi != "same") or a.notice:
        return ""
    if a.preprint != b.preprint:
        return "preprint and published article"
    if a.conference != b.conference and (ev.year_gap or 0) <= 3:
        return "conference abstract and article"
    if a.conference and b.conference and ev.year_gap in (0, 1, None):
        return "same abstract in two meetings or supplements"
    return ""


def decide(a: Norm, b: Norm, ev: Evidence) -> Verdict:
    """The `Verdict` on a pair from its `Evidence` (see the module docstring)."""
    hard, soft, doubts, overridden = _contradictions(a, b, ev)
    score = _score(a, b, ev, len(hard), len(soft), len(doubts))
    said = _evidence_text(a, b, ev)
    agree = _authors_agree(ev)
    # A shared DOI vouches for different titles (a translation) only if nothing else
    # disagrees: congress supplements give one DOI to hundreds of abstracts.
    title_ok = (
        ev.title >= WEAK_TITLE or ev.contained or (ev.doi == "same" and not soft and not doubts)
    )
    if ev.title < MEDIUM_TITLE and not ev.contained and not hard and not soft:
        verdict = _titles_differ(a, b, ev, said, score, doubts)
        if verdict:
            return verdict
    if hard or len(soft) >= 2 or not title_ok:
        why = hard + soft if (hard or soft) else [f"titles differ ({ev.title:.2f})"]
        reason = ", ".join(said) + "; but " + ", ".join(why)
        return Verdict(DISTINCT, score, reason, _link(a, b, ev, agree), conflict=True)

    strong = ev.title >= STRONG_TITLE
    medium = ev.title >= MEDIUM_TITLE
    same_year = (
        ev.year_gap in (0, None)
        or online_first(a, b, ev)
        or (ev.year_gap == 1 and same_place(ev))
        or meeting_year(a, b, ev)
    )
    locators = sum((ev.journal in ("same", "compatible"), ev.volume == "same", ev.page == "same"))
    same_abstract = ev.abstract is not None and ev.abstract >= SAME_ABSTRACT
    if a.generic or b.generic:
        # The title says nothing: only identifiers and full locators can merge.
        sure = ev.doi == "same" or (locators == 3 and ev.year_gap == 0 and agree is not False)
        strong = medium = False
    else:
        sure = (
            identical(ev)
            or (ev.doi == "same" and medium and agree is not False)
            or (ev.doi == "same" and ev.title >= 0.7 and agree and same_year)
            or (strong and agree and same_year)
            or (strong and agree is None and same_year and locators >= 2)
            or (medium and agree and same_year and (locators >= 1 or same_abstract))
            # A heading in front, a subtitle dropped: the place and the team or abstract.
            or (ev.contained and same_year and locators == 3 and (agree or same_abstract))
            # Same title, journal, volume and first page: authors need only overlap
            # (Chinese names exported family-first by one database, given-first by another).
            or (strong and same_year and locators == 3 and (ev.authors or (True, 1.0))[1] >= 0.5)
        )
    if sure and not soft and not doubts:
        if overridden:
            said.append("despite " + ", ".join(overridden))
        return Verdict(DUPLICATE, score, ", ".join(said), conflict=False)
    if sure or medium or ev.doi == "same" or (locators >= 2 and same_year and agree):
        why = soft + doubts or ["not enough agreeing fields to be sure"]
        reason = ", ".join(said) + "; but " + ", ".join(why)
        return Verdict(POSSIBLE, score, reason, conflict=bool(soft))
    reason = ", ".join(said) + f"; titles differ ({ev.title:.2f})"
    return Verdict(DISTINCT, score, reason, _link(a, b, ev, agree), conflict=bool(soft))


def _titles_differ(
    a: Norm, b: Norm, ev: Evidence, said: list[str], score: float, doubts: list[str]
) -> Verdict | None:
    """Titles that differ entirely, nothing else against: a translation at one place
    (merged, or reviewed when nothing shows the translation), or a retitled online-first
    version (reviewed). None when neither."""
    place = translated_at_one_place(a, b, ev)
    if place == "translated" and not doubts:
        said.append("title translated (journal, volume, page, year and authors equal)")
        return Verdict(DUPLICATE, score, ", ".join(said), conflict=False)
    if place:
        why = doubts or [f"titles differ ({ev.title:.2f}) at one journal, volume and page"]
        return Verdict(POSSIBLE, score, ", ".join(said) + "; but " + ", ".join(why))
    if retitled_online_first(a, b, ev):
        why = [f"titles differ ({ev.title:.2f}): an online-first version retitled?", *doubts]
        return Verdict(POSSIBLE, score, ", ".join(said) + "; but " + ", ".join(why))
    return None
