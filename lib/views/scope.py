"""Which studies Explore, the evidence map, Export (and Check codes) work on: the scope.

A review codes and maps its *included* studies, so that is the default scope; a switch
shows included and maybe, or every study (`lib.screening.scope` says what each holds).
A newcomer who has not screened yet would meet an empty map, so when the chosen scope
holds no study, every study is shown instead, with a message saying so.

`scope_masks` turns the screening state into one boolean array per scope over the rows
of the app's studies table, read once per version of the project file (a decision changes
them; a filter change does not), and `choose` restricts the table's index to one of them
(`lib.explore.index.StudyIndex.within`): a scope change costs an array, not a new table.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.explore.index import StudyIndex
from lib.project import Project
from lib.screening.decisions import TITLE_ABSTRACT
from lib.screening.queue import current
from lib.screening.scope import (
    DEFAULT_SCOPE,
    SCOPE_LABELS,
    SCOPES,
    awaiting_full_text,
    scoped_studies,
)

__all__ = [
    "DEFAULT_SCOPE",
    "SCOPES",
    "SCOPE_LABELS",
    "Scoped",
    "choose",
    "headline",
    "read_scope",
    "scope_masks",
    "screened",
]

# What the rows are called in each scope, after a count ("41 included studies").
_NOUNS = {
    "included": ("included study", "included studies"),
    "included+maybe": ("study included or maybe", "studies included or maybe"),
    "all": ("study", "studies"),
}
_NONE_YET = {
    "included": "No study has been included yet",
    "included+maybe": "No study has been included or marked maybe yet",
}


def read_scope(value: object) -> str | None:
    """A scope from a URL or the session (a string, or a list of them), or None when it
    names none (a hand-edited link never raises)."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if isinstance(value, str) and value.strip() in SCOPES:
        return value.strip()
    return None


def noun(scope: str, n: int) -> str:
    one, many = _NOUNS[scope]
    return one if n == 1 else many


@dataclass(frozen=True, slots=True)
class Scoped:
    """The scope a page shows: the one chosen, the one applied, and the index within it."""

    chosen: str  # what the reviewer chose (or the default)
    shown: str  # what is applied: ``all`` when the chosen scope holds no study
    index: StudyIndex  # the table's index restricted to the shown scope
    counts: Mapping[str, int]  # studies per scope
    message: str  # why the shown scope is not the chosen one ("" when it is)

    @property
    def total(self) -> int:
        """Studies in the shown scope."""
        return int(self.counts[self.shown])

    def of_total(self) -> str:
        """``"41 included studies"``: the shown scope's size, in words."""
        return f"{self.total:,} {noun(self.shown, self.total)}"

    def label(self, scope: str) -> str:
        """A switch option: the scope's name and how many studies it holds."""
        return f"{SCOPE_LABELS[scope]} ({self.counts[scope]:,})"

    @property
    def metric_label(self) -> str:
        """What a headline count of the shown scope is called ("Included studies")."""
        return {"included": "Included studies", "included+maybe": "Included or maybe"}.get(
            self.shown, "Studies"
        )

    @property
    def param(self) -> dict[str, str]:
        """The chosen scope as a URL parameter (none for the default), so links and
        reloads keep it."""
        return {} if self.chosen == DEFAULT_SCOPE else {"scope": self.chosen}

    def describe(self) -> str:
        """The scope in a file's header or a caption."""
        text = SCOPE_LABELS[self.shown]
        if self.shown != self.chosen:
            text += f" ({SCOPE_LABELS[self.chosen].lower()}: none yet)"
        return text


# path -> (table, weakly; project version, masks): one entry per project file
_MASKS: dict[str, tuple[weakref.ref[pd.DataFrame], int, dict[str, np.ndarray | None]]] = {}
_LOCK = threading.Lock()


def _undecided(project: Project) -> bool:
    """No screening decision in force: the screened scopes are empty, known from one
    query (resolving the screening state reads every record's group first: seconds of
    the Overview's cold start at 50k studies, before anything was screened)."""
    row = project.conn.execute(
        "SELECT 1 FROM screen_decisions WHERE undone_at IS NULL LIMIT 1"
    ).fetchone()
    return row is None


def scope_masks(project: Project, table: pd.DataFrame) -> dict[str, np.ndarray | None]:
    """Per scope, which rows of ``table`` (the project's studies table, read-only) it
    holds; None for ``all``. Read once per version of the file: a decision bumps it."""
    key = str(project.path)
    version = project.version
    found = _MASKS.get(key)
    if found is not None and found[0]() is table and found[1] == version:
        return found[2]
    members = (
        {"included": set(), "included+maybe": set()}
        if _undecided(project)
        else scoped_studies(current(project))
    )
    ids = table["study_id"] if "study_id" in table else pd.Series([], dtype=object)
    masks: dict[str, np.ndarray | None] = {"all": None}
    for scope, chosen in members.items():
        mask = ids.isin(chosen).to_numpy(dtype=bool) if chosen else np.zeros(len(ids), bool)
        mask.flags.writeable = False
        masks[scope] = mask
    with _LOCK:
        _MASKS[key] = (weakref.ref(table), version, masks)
    return masks


def choose(project: Project, table: pd.DataFrame, index: StudyIndex, chosen: str | None) -> Scoped:
    """The scope to show for ``chosen`` (None: the default), with the index within it."""
    chosen = read_scope(chosen) or DEFAULT_SCOPE
    masks = scope_masks(project, table)
    counts = {
        scope: len(table) if mask is None else int(mask.sum()) for scope, mask in masks.items()
    }
    counts = {scope: counts[scope] for scope in SCOPES}
    shown, message = chosen, ""
    if chosen != "all" and counts[chosen] == 0:
        shown = "all"
        if len(table):
            message = (
                f"{_NONE_YET[chosen]}: showing all {len(table):,} {noun('all', len(table))}. "
                "Screen them on the Screen page."
            )
    return Scoped(chosen, shown, index.within(masks[shown]), counts, message)


def screened(project: Project) -> int:
    """Studies with a title/abstract decision (a maybe or a conflict counts as screened)."""
    return 0 if _undecided(project) else len(current(project).status[TITLE_ABSTRACT])


def awaiting(project: Project) -> int:
    """Included studies still awaiting their full-text assessment (`lib.screening.scope`)."""
    return 0 if _undecided(project) else awaiting_full_text(current(project))


def headline(
    counts: Mapping[str, int],
    records: int,
    n_screened: int,
    chosen: str | None = None,
    awaiting: int = 0,
) -> str:
    """The Overview's count of studies, saying which scope it counts: "41 included
    studies of 43 (97 records)", or "No study screened yet: 43 studies (97 records)".
    ``awaiting``: how many of the included were included at title/abstract and are not
    assessed at full text yet (PRISMA does not count them as included: say so)."""
    chosen = read_scope(chosen) or DEFAULT_SCOPE
    total = counts["all"]
    studies = f"{total:,} {noun('all', total)} ({records:,} record{'' if records == 1 else 's'})"
    if chosen == "all":
        return f"All {studies}, screened or not"
    if not n_screened:
        return f"No study screened yet: {studies}"
    if not counts[chosen]:
        return f"{_NONE_YET[chosen]} ({n_screened:,} screened): {studies}"
    n = counts[chosen]
    text = f"{n:,} {noun(chosen, n)} of {studies}"
    if awaiting:
        text += (
            f"; {awaiting:,} of them included at title/abstract, awaiting full-text "
            "assessment (PRISMA counts them there, not as included)"
        )
    return text
