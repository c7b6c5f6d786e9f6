"""What the Screen page shows next, and how far screening has come.

`current` reads the project's screening state once (studies, decisions in force);
`queue` orders the studies still to decide at a stage; `progress` counts what the page
shows. Conflicts (studies whose merged records carry different decisions) come first,
then the rest in the order chosen: most likely relevant first (the latest ranking of the
background worker, `lib.screening.worker`), a random order (fixed per seed, so a second
screener or a calibration round sees a stable sequence), or the order of import.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lib.project import Project
from lib.screening.decisions import (
    CONFLICT,
    FULL_TEXT,
    TITLE_ABSTRACT,
    Decision,
    Resolver,
    Status,
    load,
)
from lib.screening.studies import StudyMap, study_map

__all__ = [
    "ORDERS",
    "Progress",
    "Ranking",
    "Screening",
    "current",
    "latest_ranking",
    "pending",
    "progress",
    "queue",
]

ORDERS = ("ranked", "random", "import")


@dataclass(frozen=True, slots=True)
class Screening:
    """A project's screening state at one moment."""

    studies: StudyMap
    status: dict[str, dict[str, Status]] = field(repr=False)  # stage -> study -> status
    decisions: list[Decision] = field(repr=False)  # in force or superseded, not undone

    def of(self, study_id: str, stage: str = TITLE_ABSTRACT) -> Status | None:
        return self.status[stage].get(study_id)

    def final(self, study_id: str) -> str | None:
        """The study's verdict as it stands: full text where decided, else title/abstract
        (None: not screened yet)."""
        full = self.status[FULL_TEXT].get(study_id)
        if full is not None:
            return full.verdict
        first = self.status[TITLE_ABSTRACT].get(study_id)
        return first.verdict if first is not None else None


_RESOLVED: dict[str, tuple[tuple[str, int], Resolver, list[Decision]]] = {}


def current(project: Project) -> Screening:
    """The screening state now.

    The resolution is kept per project file and brought up to date with only the
    decisions made since (a full pass over 45,000 decisions takes a few tenths of a
    second); it is redone whole when the groups changed or a decision was undone.
    """
    studies = study_map(project)
    undone, newest = project.conn.execute(
        "SELECT COUNT(undone_at), COALESCE(MAX(decision_id), 0) FROM screen_decisions"
    ).fetchone()
    key = (studies.key, int(undone))
    memo = _RESOLVED.get(str(project.path))
    if memo is not None and memo[0] == key and studies.key and memo[1].last_id <= newest:
        resolver = memo[1].copy()
        fresh = load(project, after=resolver.last_id)
        made = [*memo[2], *fresh]
    else:
        resolver = Resolver(studies.study_of)
        fresh = made = load(project)
    for decision in fresh:
        resolver.apply(decision)
    _RESOLVED[str(project.path)] = (key, resolver, made)
    return Screening(studies, resolver.status, made)


@dataclass(frozen=True, slots=True)
class Ranking:
    """The worker's latest ranking, resolved to current studies."""

    ranking_id: int
    order: list[str]  # study ids, most likely relevant first
    model: str
    n_included: int
    n_excluded: int
    made_at: str
    trained_on: str


_RANKED: dict[str, tuple[tuple[int, str], Ranking]] = {}  # path -> (ranking id, groups), ranking


def latest_ranking(project: Project, studies: StudyMap) -> Ranking | None:
    """The newest stored ranking as study ids (None before the first one is made).

    Stored as records, so it survives a regrouping; studies it does not know (imported
    since) are left to the caller (`queue` puts them after the ranked ones).
    """
    row = project.conn.execute(
        "SELECT ranking_id, model, n_included, n_excluded, made_at, trained_on "
        "FROM screen_rankings ORDER BY ranking_id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    memo_key = (int(row[0]), studies.key)
    memo = _RANKED.get(str(project.path))
    if memo is not None and memo[0] == memo_key and studies.key:
        return memo[1]
    (text,) = project.conn.execute(
        "SELECT record_ids FROM screen_rankings WHERE ranking_id = ?", (row[0],)
    ).fetchone()
    order = list(dict.fromkeys(studies.study(r) for r in json.loads(text)))
    ranking = Ranking(int(row[0]), order, row[1], int(row[2]), int(row[3]), row[4], row[5])
    _RANKED[str(project.path)] = (memo_key, ranking)
    return ranking


_SHUFFLED: dict[tuple[str, int], list[str]] = {}


def random_order(studies: StudyMap, seed: int) -> list[str]:
    """The studies in a random order fixed by ``seed`` (the same in every session)."""
    memo_key = (studies.key, seed)
    if studies.key and memo_key in _SHUFFLED:
        return _SHUFFLED[memo_key]

    def key(study_id: str) -> bytes:
        return hashlib.blake2b(f"{seed}:{study_id}".encode(), digest_size=8).digest()

    shuffled = sorted(studies.order, key=key)
    if len(_SHUFFLED) > 4:
        _SHUFFLED.clear()
    _SHUFFLED[memo_key] = shuffled
    return shuffled


def pending(
    screening: Screening,
    *,
    stage: str = TITLE_ABSTRACT,
    order: str = "ranked",
    ranking: Ranking | None = None,
    seed: int = 0,
    maybes: bool = False,
) -> Iterator[str]:
    """The studies still to decide at ``stage``, conflicts first, then in ``order``,
    one at a time (the page needs only the first: no list of 50k is built).

    At title/abstract: studies with no decision (``maybes``: those marked maybe, to revisit).
    At full text: studies included at title/abstract with no full-text decision (or marked
    maybe there, with ``maybes``). ``order``: "ranked" (the ranking, then studies it does
    not know in import order), "random" (by ``seed``) or "import".
    """
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; use one of: {', '.join(ORDERS)}")
    statuses = screening.status[stage]
    first = screening.status[TITLE_ABSTRACT]
    studies = screening.studies

    def waiting(study_id: str) -> bool:
        status = statuses.get(study_id)
        if stage == FULL_TEXT:
            passed = first.get(study_id)
            if passed is None or passed.verdict != "include":
                return False
        if maybes:
            return status is not None and status.verdict == "maybe"
        return status is None

    conflicts = [s for s, st in statuses.items() if st.verdict == CONFLICT]
    yield from sorted(conflicts, key=lambda s: studies.position.get(s, -1))
    if order == "random":
        sequence: Iterable[str] = random_order(studies, seed)
    elif order == "ranked" and ranking is not None:
        sequence = _ranked(ranking, studies)
    else:
        sequence = studies.order
    yield from (s for s in sequence if waiting(s))


def _ranked(ranking: Ranking, studies: StudyMap) -> Iterator[str]:
    """The ranking's studies, then those it does not know (imported or decided since it
    was made) in import order; the second part is worked out only when reached."""
    yield from (s for s in ranking.order if s in studies.members)
    known = set(ranking.order)
    yield from (s for s in studies.order if s not in known)


def queue(screening: Screening, **options: Any) -> list[str]:
    """`pending` as a list (options as there)."""
    return list(pending(screening, **options))


@dataclass(frozen=True, slots=True)
class Progress:
    """Counts for the progress line of one stage."""

    stage: str
    to_screen: int  # studies that can be decided at this stage
    screened: int  # of them, with a decision in force (maybe included)
    included: int
    excluded: int
    maybe: int
    conflicts: int
    since_last_include: int  # decisions at this stage since the last include (all if none)

    @property
    def left(self) -> int:
        return self.to_screen - self.screened


def progress(screening: Screening, stage: str = TITLE_ABSTRACT) -> Progress:
    statuses = screening.status[stage]
    if stage == FULL_TEXT:
        first = screening.status[TITLE_ABSTRACT]
        eligible = [s for s, st in first.items() if st.verdict == "include"]
        in_stage = [statuses[s] for s in eligible if s in statuses]
        to_screen = len(eligible)
    else:
        in_stage = list(statuses.values())  # every key is a current study
        to_screen = len(screening.studies)
    counts = {"include": 0, "exclude": 0, "maybe": 0, CONFLICT: 0}
    for status in in_stage:
        counts[status.verdict] += 1
    since = 0
    for decision in reversed(screening.decisions):
        if decision.stage != stage:
            continue
        if decision.verdict == "include":
            break
        since += 1
    return Progress(
        stage=stage,
        to_screen=to_screen,
        screened=counts["include"] + counts["exclude"] + counts["maybe"],
        included=counts["include"],
        excluded=counts["exclude"],
        maybe=counts["maybe"],
        conflicts=counts[CONFLICT],
        since_last_include=since,
    )
