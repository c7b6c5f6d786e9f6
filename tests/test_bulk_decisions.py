"""Bulk accept: one decision per pair, pairs already joined skipped, each undoable."""

from __future__ import annotations

from pathlib import Path

from lib.project import duplicates, open_project
from lib.views.bulk_decisions import accept_pairs, pairs_at_or_above
from tests.apptest_helpers import app_home, traps_project  # noqa: F401 (fixtures)


def test_pairs_above_a_score_are_accepted_one_decision_each(traps_project: Path) -> None:  # noqa: F811
    with open_project(traps_project) as project:
        queue = duplicates.review_queue(project)
        scores = sorted(item.score for item in queue)
        assert len(scores) == 2 and scores[0] < scores[1]
        chosen = pairs_at_or_above(queue, scores[1])
        assert chosen == [(queue[0].a.record_id, queue[0].b.record_id)]
        seen: list[tuple[int, int]] = []
        made = accept_pairs(project, chosen, note="bulk", progress=lambda d, t: seen.append((d, t)))
        assert seen == [(1, 1)]
        assert [d["decision_id"] for d in duplicates.decisions(project)] == made
        a, b = chosen[0]
        assert duplicates.members_of(project)[a] == duplicates.members_of(project)[b]
        assert len(duplicates.review_queue(project)) == 1
    with open_project(traps_project) as again:  # written at once, kept after closing
        assert [d["note"] for d in duplicates.decisions(again)] == ["bulk"]


def test_a_pair_already_joined_by_the_batch_is_not_decided_twice(traps_project: Path) -> None:  # noqa: F811
    with open_project(traps_project) as project:
        item = duplicates.review_queue(project)[0]
        a, b = item.a.record_id, item.b.record_id
        made = accept_pairs(project, [(a, b), (b, a)])
        assert len(made) == 1 and len(duplicates.decisions(project)) == 1
        assert duplicates.members_of(project)[a] == duplicates.members_of(project)[b]
        duplicates.undo(project, made[0])
        assert duplicates.members_of(project)[a] != duplicates.members_of(project)[b]
