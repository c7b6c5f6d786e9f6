"""Which studies a page works on (scope), and the screening part of a PRISMA 2020 flow.

Scopes, for the pages' switch (Explore, the evidence map, Check codes and Export; the
rows of the studies table each holds, and the switch's fallback, are `lib.views.scope`):

- ``included`` (the default): studies included and not excluded since. A study
  included at title/abstract counts until a full-text decision says otherwise (many
  reviews code straight after title/abstract screening); excluded at full text, it is out.
- ``included+maybe``: also studies marked maybe (at either stage) and studies whose
  merged records carry conflicting decisions, not yet resolved.
- ``all``: every study, screened or not.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from lib.project import Project
from lib.screening.decisions import CONFLICT, FULL_TEXT, TITLE_ABSTRACT
from lib.screening.queue import Screening, current

__all__ = [
    "DEFAULT_SCOPE",
    "SCOPES",
    "SCOPE_LABELS",
    "prisma_counts",
    "scoped_studies",
    "studies_in_scope",
]

SCOPES = ("included", "included+maybe", "all")
DEFAULT_SCOPE = "included"
SCOPE_LABELS = {
    "included": "Included studies",
    "included+maybe": "Included and maybe",
    "all": "All studies (screened or not)",
}


def _in_scope(screening: Screening, study_id: str, scope: str) -> bool:
    first = screening.of(study_id, TITLE_ABSTRACT)
    full = screening.of(study_id, FULL_TEXT)
    if scope == "all":
        return True
    if first is None:
        return False
    if full is not None and full.verdict == "exclude":
        return False
    if first.verdict == "include" and (full is None or full.verdict == "include"):
        return True
    if scope == "included+maybe":
        wavering = ("maybe", CONFLICT)
        return first.verdict in wavering or (full is not None and full.verdict in wavering)
    return False


def studies_in_scope(
    project: Project, scope: str = "included", screening: Screening | None = None
) -> list[str]:
    """The study ids in ``scope``, in the order of import (see the module docstring)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; use one of: {', '.join(SCOPES)}")
    screening = screening or current(project)
    return [s for s in screening.studies.order if _in_scope(screening, s, scope)]


def scoped_studies(screening: Screening) -> dict[str, set[str]]:
    """The studies in the ``included`` and ``included+maybe`` scopes (``all`` is every
    study), from the decided studies only: a pass over the decisions, not the project."""
    first = screening.status[TITLE_ABSTRACT]
    out: dict[str, set[str]] = {"included": set(), "included+maybe": set()}
    for study_id in first:
        for scope, members in out.items():
            if _in_scope(screening, study_id, scope):
                members.add(study_id)
    return out


def prisma_counts(project: Project, screening: Screening | None = None) -> dict[str, Any]:
    """The screening boxes of a PRISMA 2020 flow diagram (after identification).

    - ``records_screened``: studies (records after duplicates were removed) with a
      title/abstract decision; ``awaiting_screening`` those without one (or in conflict);
      ``maybe_title_abstract`` screened but undecided (maybe).
    - ``records_excluded``: excluded at title/abstract.
    - ``reports_sought``: included at title/abstract (sought for full-text assessment);
      ``reports_assessed``: of them, with a full-text include or exclude;
      ``awaiting_full_text``: the rest (maybe or conflict at full text counted here);
      they count as included in the ``included`` scope until assessed.
    - ``excluded_full_text``: exclusions at full text, ``{reason: count}`` (most first);
      ``reports_excluded`` their sum.
    - ``studies_included``: included at full text.
    """
    screening = screening or current(project)
    first = screening.status[TITLE_ABSTRACT]
    full = screening.status[FULL_TEXT]
    studies = screening.studies.order
    verdicts = Counter(first[s].verdict for s in studies if s in first)
    sought = [s for s in studies if s in first and first[s].verdict == "include"]
    full_verdicts = Counter(full[s].verdict for s in sought if s in full)
    reasons = Counter(
        full[s].reason or "(no reason given)"
        for s in sought
        if s in full and full[s].verdict == "exclude"
    )
    screened = verdicts["include"] + verdicts["exclude"] + verdicts["maybe"]
    assessed = full_verdicts["include"] + full_verdicts["exclude"]
    return {
        "studies": len(studies),
        "records_screened": screened,
        "awaiting_screening": len(studies) - screened,
        "maybe_title_abstract": verdicts["maybe"],
        "conflicts": verdicts[CONFLICT] + full_verdicts[CONFLICT],
        "records_excluded": verdicts["exclude"],
        "reports_sought": len(sought),
        "reports_assessed": assessed,
        "awaiting_full_text": len(sought) - assessed,
        "reports_excluded": full_verdicts["exclude"],
        "excluded_full_text": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        "studies_included": full_verdicts["include"],
    }
