"""Which studies a page works on (scope).

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

from lib.project import Project
from lib.screening.decisions import CONFLICT, FULL_TEXT, TITLE_ABSTRACT
from lib.screening.queue import Screening, current

__all__ = [
    "DEFAULT_SCOPE",
    "SCOPES",
    "SCOPE_LABELS",
    "awaiting_full_text",
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


def awaiting_full_text(screening: Screening) -> int:
    """Studies in the ``included`` scope on their title/abstract include alone: no
    full-text decision yet. PRISMA counts them as awaiting full-text assessment, not as
    included, so the pages say how many of their included studies these are."""
    first = screening.status[TITLE_ABSTRACT]
    full = screening.status[FULL_TEXT]
    return sum(
        1
        for study_id, status in first.items()
        if status.verdict == "include" and study_id not in full
    )
