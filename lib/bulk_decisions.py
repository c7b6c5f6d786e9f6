"""Accept many possible duplicates at once: "every pair scoring at least 0.9 is one publication".

`lib.project.duplicates` records one decision at a time, and each decision regroups the
whole project (so the next pair is judged against the groups as they now are). A bulk
accept is therefore a loop of single decisions, each one its own transaction: if the app
stops half-way, the decisions made so far are kept and the rest stay in the queue.
Pairs whose records were already joined by an earlier decision of the batch are skipped
rather than recorded twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lib.project import Project, duplicates

__all__ = ["accept_pairs", "pairs_at_or_above"]


def pairs_at_or_above(
    queue: Sequence[duplicates.ReviewItem], threshold: float
) -> list[tuple[str, str]]:
    """The (record a, record b) pairs of the queue scoring at least ``threshold``."""
    return [(item.a.record_id, item.b.record_id) for item in queue if item.score >= threshold]


def accept_pairs(
    project: Project,
    pairs: Sequence[tuple[str, str]],
    *,
    note: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> list[int]:
    """Record "same publication" for each pair, in order; returns the decision ids made.

    ``progress(done, total)`` is called after each pair (for a progress bar). Pairs
    already in one group when their turn comes are skipped.
    """
    made: list[int] = []
    for done, (a, b) in enumerate(pairs, start=1):
        group = duplicates.members_of(project)
        if a not in group or b not in group or group[a] != group[b]:
            made.append(duplicates.decide(project, "same", [a, b], note=note))
        if progress is not None:
            progress(done, len(pairs))
    return made
