"""Deciding a pair: duplicate, possible (a person reviews it) or distinct, with a reason.

A false merge hides a study from a review, so the rules are built around vetoes:

- a *hard* contradiction makes the pair distinct whatever else agrees: DOIs both present
  and different; years more than one apart; Part I against Part II, or different numbers
  in the two titles; an erratum or retraction notice against its paper; a preprint
  against the published article; author lists that barely overlap; two journals that
  both give a volume or page and agree on neither;
- a *soft* contradiction stops an automatic merge (one: the pair goes to review if it is
  otherwise alike; two: distinct): first page, volume or issue disagree; the journals
  differ; years one apart; abstracts differ; DOIs differ only by version (Cochrane
  ".pub2"/".pub3"); different kinds of publication (a thesis and an article);
- a merge needs positive evidence beyond the title: the same DOI, or agreeing authors and
  year, or (without authors) agreeing journal and volume or pages. Generic titles
  ("Editorial", "Reply") count for nothing.

Three patterns lift a veto because they are certain: the same journal, volume and first
page (then a year one apart is print against online, and a number that differs in the
title is a typo); the same DOI with the same title and abstract (or volume and page: then
a disagreeing locator or author list is an export's error); and an online-first record
(no volume or issue yet, a year earlier) against the issue version in the same journal.

Pairs that are not merged but report the same study (an erratum, a preprint, a
conference abstract and the article, one abstract in two meetings) get an
"other report" link.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.dedupe.compare import Evidence
from lib.dedupe.normalize import Norm

__all__ = ["DISTINCT", "DUPLICATE", "POSSIBLE", "Verdict", "decide"]

DUPLICATE = "duplicate"
POSSIBLE = "possible"
DISTINCT = "distinct"

STRONG_TITLE = 0.95
MEDIUM_TITLE = 0.85
WEAK_TITLE = 0.6  # below this the titles name different papers (unless the DOI agrees)
SAME_ABSTRACT = 0.9
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


def _online_first(a: Norm, b: Norm, ev: Evidence) -> bool:
    """Years one apart because the earlier record is the online-first version of the
    later one in the same journal (no volume or issue yet, pages numbered from 1)."""
    if ev.year_gap != 1 or ev.journal not in ("same", "compatible"):
        return False
    early, late = (a, b) if (a.year or 0) < (b.year or 0) else (b, a)
    return not early.volume and not early.issue and bool(late.volume)


def _same_place(ev: Evidence) -> bool:
    """The same journal, volume and first page: one paper, whatever a typo in a number of
    the title or a print year against an online year says."""
    return ev.journal in ("same", "compatible") and ev.volume == ev.page == "same"


def _identical(ev: Evidence) -> bool:
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


def _contradictions(a: Norm, b: Norm, ev: Evidence) -> tuple[list[str], list[str], list[str]]:
    """(hard, soft, overridden): what speaks against the pair being one publication."""
    hard: list[str] = []
    soft: list[str] = []
    locators: list[str] = []  # soft, but overridden by `_identical`
    online_first = _online_first(a, b, ev)
    same_place = _same_place(ev)
    if ev.doi == "different":
        hard.append("DOIs differ")
    elif ev.doi == "version":
        soft.append("DOIs differ only by version")
    if ev.year_gap is not None and ev.year_gap > 1:
        hard.append(f"years {a.year} and {b.year}")
    elif ev.year_gap == 1 and not online_first and not same_place:
        (locators if ev.doi == "same" else soft).append(f"years {a.year} and {b.year}")
    if a.part != b.part and (a.part or b.part):
        hard.append(f"parts differ ({a.part or '-'} / {b.part or '-'})")
    elif a.numbers != b.numbers and not same_place:
        (hard if a.numbers and b.numbers else soft).append("numbers in titles differ")
    if a.notice != b.notice:
        hard.append(f"one is {'an' if (a.notice or b.notice) == 'erratum' else 'a'} "
                    f"{a.notice or b.notice} notice")  # fmt: skip
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
    if ev.page == "different" and not online_first:
        locators.append(f"first page {a.pages[0]} vs {b.pages[0]}")
    if ev.volume == "different":
        locators.append(f"volume {a.volume} vs {b.volume}")
    if ev.issue == "different" and not online_first:
        locators.append(f"issue {a.issue} vs {b.issue}")
    if ev.journal == "different":
        # Same volume and first page: a name variant ("Nihon Rinsho" / "Nippon rinsho").
        # Neither agreeing though both are given: two venues (one abstract printed in two
        # congress supplements, a conference paper and its journal version).
        located = bool((a.volume or a.pages[0]) and (b.volume or b.pages[0]))
        if ev.volume == "same" and ev.page == "same":
            pass
        elif ev.volume == "same" or ev.page == "same" or not located:
            locators.append("journals differ")
        else:
            hard.append("journals differ")
    if ev.abstract is not None and ev.abstract < DIFFERENT_ABSTRACT:
        soft.append(f"abstracts differ ({ev.abstract:.2f})")
    if _identical(ev):
        return hard, soft, locators
    return hard, soft + locators, []


def _score(ev: Evidence, hard: int, soft: int) -> float:
    parts: list[tuple[float, float]] = [(ev.title, 3.0)]
    if ev.authors is not None:
        parts.append((ev.authors[1] * (1.0 if ev.authors[0] else 0.8), 2.0))
    if ev.year_gap is not None:
        parts.append((1.0 if ev.year_gap == 0 else 0.5 if ev.year_gap == 1 else 0.0, 1.0))
    if ev.doi != "missing":
        parts.append((1.0 if ev.doi == "same" else 0.3 if ev.doi == "version" else 0.0, 2.0))
    if ev.journal != "missing":
        parts.append((1.0 if ev.journal != "different" else 0.0, 1.0))
    for value in (ev.volume, ev.page):
        if value != "missing":
            parts.append((1.0 if value == "same" else 0.0, 1.0))
    if ev.abstract is not None:
        parts.append((ev.abstract, 2.0))
    total = sum(w for _, w in parts)
    base = sum(v * w for v, w in parts) / total
    return round(max(0.0, base - 0.25 * hard - 0.1 * soft), 3)


def _evidence_text(a: Norm, b: Norm, ev: Evidence) -> list[str]:
    said = []
    if ev.doi == "same":
        said.append("same DOI")
    if ev.title == 1.0:
        said.append("titles equal")
    elif ev.truncated:
        said.append(f"one title cut short ({ev.title:.2f})")
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
    if agree is False or a.generic or b.generic or a.part != b.part:
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
    hard, soft, overridden = _contradictions(a, b, ev)
    score = _score(ev, len(hard), len(soft))
    said = _evidence_text(a, b, ev)
    agree = _authors_agree(ev)
    # A shared DOI vouches for different titles (a translation) only if nothing else
    # disagrees: congress supplements give one DOI to hundreds of abstracts.
    title_ok = ev.title >= WEAK_TITLE or (ev.doi == "same" and not soft)
    if hard or len(soft) >= 2 or not title_ok:
        why = hard + soft if (hard or soft) else [f"titles differ ({ev.title:.2f})"]
        reason = ", ".join(said) + "; but " + ", ".join(why)
        return Verdict(DISTINCT, score, reason, _link(a, b, ev, agree), conflict=True)

    strong = ev.title >= STRONG_TITLE
    medium = ev.title >= MEDIUM_TITLE
    same_year = (
        ev.year_gap in (0, None)
        or _online_first(a, b, ev)
        or (ev.year_gap == 1 and _same_place(ev))
    )
    locators = sum((ev.journal in ("same", "compatible"), ev.volume == "same", ev.page == "same"))
    same_abstract = ev.abstract is not None and ev.abstract >= SAME_ABSTRACT
    if a.generic or b.generic:
        # The title says nothing: only identifiers and full locators can merge.
        sure = ev.doi == "same" or (locators == 3 and ev.year_gap == 0 and agree is not False)
        strong = medium = False
    else:
        sure = (
            _identical(ev)
            or (ev.doi == "same" and medium and agree is not False)
            or (ev.doi == "same" and ev.title >= 0.7 and agree and same_year)
            or (strong and agree and same_year)
            or (strong and agree is None and same_year and locators >= 2)
            or (medium and agree and same_year and (locators >= 1 or same_abstract))
            or (agree and same_year and locators == 3 and (_subtitle(a, b) or same_abstract))
            # Same title, journal, volume and first page: authors need only overlap
            # (Chinese names exported family-first by one database, given-first by another).
            or (strong and same_year and locators == 3 and (ev.authors or (True, 1.0))[1] >= 0.5)
        )
    if sure and not soft:
        if overridden:
            said.append("despite " + ", ".join(overridden))
        return Verdict(DUPLICATE, score, ", ".join(said), conflict=False)
    if sure or medium or ev.doi == "same" or (locators >= 2 and same_year and agree):
        why = soft or ["not enough agreeing fields to be sure"]
        reason = ", ".join(said) + "; but " + ", ".join(why)
        return Verdict(POSSIBLE, score, reason, conflict=bool(soft))
    reason = ", ".join(said) + f"; titles differ ({ev.title:.2f})"
    return Verdict(DISTINCT, score, reason, _link(a, b, ev, agree), conflict=bool(soft))


def _subtitle(a: Norm, b: Norm) -> bool:
    """One title is the other without its subtitle ("Unilateral neglect in stroke")."""
    short, long_ = (a.title, b.title) if len(a.title) <= len(b.title) else (b.title, a.title)
    return len(short.split()) >= 3 and long_.startswith(short + " ")
