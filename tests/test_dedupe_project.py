"""Deduplication in a project file: decisions persist, are undoable, survive a reload and
a new import, and the review queue never asks about a decided pair again."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.ingest import read_path
from lib.project import ProjectError, open_project
from lib.project import duplicates as dup
from tests.apptest_helpers import write_trap_exports

TRAPS = Path(__file__).parent / "data" / "dedupe" / "traps.csv"


def _split_exports(tmp_path: Path) -> tuple[Path, Path]:
    """The trap records as two exports: cases a-f, then g-m (j3 arrives later)."""
    return write_trap_exports(tmp_path)


@pytest.fixture()
def project(tmp_path: Path):
    first, _ = _split_exports(tmp_path)
    proj = open_project(tmp_path / "review.sqlite")
    proj.add_import(read_path(first, database="Scopus"))
    yield proj
    proj.close()


def test_groups_table_has_one_row_per_study(project) -> None:
    table = dup.groups(project)
    assert list(table.columns) == list(dup.GROUP_COLUMNS)
    row = table.set_index("study_id").loc["a1"]
    assert row["record_ids"] == ["a1", "a2", "a3", "a4"]
    assert row["n_records"] == 4 and row["databases"] == ["Scopus"]
    assert row["first_author"] == "Smith" and row["year"] == 2019
    assert table["study_id"].is_unique
    assert table["n_records"].sum() == project.count_records()


def test_accepting_a_possible_pair_merges_it_and_empties_the_queue(tmp_path: Path, project) -> None:
    _, second = _split_exports(tmp_path)
    project.add_import(read_path(second, database="PubMed"))
    queue = dup.review_queue(project)
    item = next(i for i in queue if {i.a.record_id, i.b.record_id} == {"j1", "j3"})
    assert "first page 10 vs 200" in item.reason and item.score > 0
    assert item.group_a != item.group_b
    decision = dup.decide(project, "same", ["j1", "j3"], note="checked the PDFs")
    members = dup.members_of(project)
    assert members["j1"] == members["j3"]
    assert all({i.a.record_id, i.b.record_id} != {"j1", "j3"} for i in dup.review_queue(project))
    event = project.events("dedupe_decision")[-1]
    assert event["decision_id"] == decision and event["note"] == "checked the PDFs"


def test_decisions_survive_a_reload_and_undo_restores(tmp_path: Path, project) -> None:
    decision = dup.decide(project, "different", ["a1", "a2"], leaving=["a2"])
    assert dup.members_of(project)["a2"] != dup.members_of(project)["a1"]
    project.close()
    again = open_project(tmp_path / "review.sqlite")
    try:
        assert [d["decision_id"] for d in dup.decisions(again)] == [decision]
        assert dup.members_of(again)["a2"] != dup.members_of(again)["a1"]
        dup.undo(again, decision)
        assert dup.members_of(again)["a2"] == dup.members_of(again)["a1"]
        assert dup.decisions(again) == []
        assert dup.decisions(again, include_undone=True)[0]["undone_at"]
        with pytest.raises(ProjectError, match="already undone"):
            dup.undo(again, decision)
    finally:
        again.close()


def test_a_new_import_joins_existing_groups_and_keeps_decisions(tmp_path: Path, project) -> None:
    _, second = _split_exports(tmp_path)
    dup.decide(project, "different", ["a1", "a2"])
    dup.decide(project, "same", ["j1", "j2"])
    before = dup.members_of(project)
    project.add_import(read_path(second, database="PubMed"))
    assert dup.is_stale(project)
    dup.refresh(project)
    after = dup.members_of(project)
    assert after["a1"] != after["a2"]  # still apart, not asked again
    assert after["j1"] == after["j2"] == before["j1"]  # group id kept
    assert after["j3"] != after["j1"]  # j3 contradicts j1 (pages)
    asked = {frozenset((i.a.record_id, i.b.record_id)) for i in dup.review_queue(project)}
    assert frozenset(("a1", "a2")) not in asked and frozenset(("j1", "j2")) not in asked


def test_split_and_other_report_decisions(project) -> None:
    split = dup.decide(project, "split", ["a4"])
    assert dup.decisions(project)[-1]["against"] == ["a1", "a2", "a3"]
    assert dup.members_of(project)["a4"] == "a4"
    dup.decide(project, "other-report", ["a4", "a1"], note="the Chinese version")
    assert any({x.a, x.b} == {"a1", "a4"} and x.decision_id for x in dup.links(project))
    dup.undo(project, split)
    assert dup.members_of(project)["a4"] == "a4"  # the other-report decision still holds


def test_bad_decisions_are_refused_with_a_reason(project) -> None:
    with pytest.raises(ValueError, match="no such record"):
        dup.decide(project, "same", ["a1", "zz9"])
    with pytest.raises(ValueError, match="unknown decision"):
        dup.decide(project, "merge", ["a1", "a2"])
    with pytest.raises(ValueError, match="at least 2"):
        dup.decide(project, "same", ["a1", "a1"])
    with pytest.raises(ValueError, match="nothing to split"):
        dup.decide(project, "split", ["b1"])
    assert dup.decisions(project) == []


def test_prisma_counts(tmp_path: Path, project) -> None:
    _, second = _split_exports(tmp_path)
    project.add_import(read_path(second, database="PubMed"))
    counts = dup.prisma_counts(project)
    assert counts["records_identified"] == project.count_records()
    assert sum(counts["by_database"].values()) == counts["records_identified"]
    assert set(counts["by_database"]) == {"Scopus", "PubMed"}
    assert counts["reports"] == len(dup.groups(project))
    assert counts["duplicates_removed"] == counts["records_identified"] - counts["reports"]
    # c, d, g, h and i are each two reports of one study (linked, not merged)
    assert counts["studies"] == counts["reports"] - 5
    assert counts["to_review"] == len(dup.review_queue(project))


def test_refresh_runs_only_when_something_changed(project) -> None:
    assert dup.refresh(project) is True
    assert dup.refresh(project) is False
    runs = len(project.events("dedupe"))
    dup.groups(project)
    assert len(project.events("dedupe")) == runs


def test_several_decisions_are_stored_together_and_regroup_once(tmp_path: Path, project) -> None:
    _, second = _split_exports(tmp_path)
    project.add_import(read_path(second, database="PubMed"))
    queue = dup.review_queue(project)
    assert len(queue) >= 1
    item = queue[0]
    runs_before = len(project.events("dedupe"))
    others = [r.record_id for r in project.records() if r.record_id not in ids_of(item)]
    ids = dup.decide_many(
        project,
        [("same", ids_of(item), "bulk"), ("different", others[:2], "bulk")],
    )
    group = dup.members_of(project)
    assert group[item.a.record_id] == group[item.b.record_id]
    assert group[others[0]] != group[others[1]]
    assert [d["decision_id"] for d in dup.decisions(project)][-2:] == ids
    # decisions regroup only the groups they touch: no full run of the engine
    assert len(project.events("dedupe")) == runs_before
    made = len(dup.decisions(project))
    with pytest.raises(ValueError, match="no such record"):  # all checked before any is stored
        dup.decide_many(project, [("different", ids_of(item), ""), ("same", ["a1", "nope"], "")])
    assert len(dup.decisions(project)) == made


def ids_of(item: dup.ReviewItem) -> list[str]:
    return [item.a.record_id, item.b.record_id]
