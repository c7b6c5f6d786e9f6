"""Accept many possible duplicates at once: "every pair scoring at least 0.9 is one publication".

The pairs become one decision each ("same publication", so each can be undone alone),
stored together in one transaction and followed by one regrouping
(`lib.project.duplicates.decide_many`): a bulk accept of 50 pairs costs one regrouping.
Pairs whose records are already in one group are skipped rather than recorded twice.
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

    ``progress(done, total)`` is called when done (for a progress bar). Pairs already
    in one group, or joined by an earlier pair of the batch, are skipped.
    """
    # a pair already joined (by its groups, or by earlier pairs of this batch) adds nothing
    parent = dict(duplicates.members_of(project))

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    items = []
    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
            items.append(("same", [a, b], note))
    made = duplicates.decide_many(project, items)
    if progress is not None:
        progress(len(pairs), len(pairs))
    return made
