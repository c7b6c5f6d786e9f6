"""Screening decisions in a project file: stored at once, with history and undo, kept on
reload and across sessions, and attached to their records whatever regrouping follows
(a merge of differently decided studies shows the conflict instead of losing a decision)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.ingest import read_path
from lib.project import ProjectError, open_project
from lib.project import duplicates as dup
from lib.screening import decisions as dec
from lib.screening.queue import current, progress, queue
from lib.screening.studies import study_map
from tests.apptest_helpers import write_trap_exports

TA, FT = dec.TITLE_ABSTRACT, dec.FULL_TEXT


@pytest.fixture()
def path(tmp_path: Path) -> Path:
    """The trap records: j1/j3 and n1/n2 are possible duplicates, not merged yet."""
    first, second = write_trap_exports(tmp_path)
    target = tmp_path / "review.sqlite"
    with open_project(target) as project:
        project.add_import(read_path(first, database="Scopus"))
        project.add_import(read_path(second, database="PubMed"))
        dup.refresh(project)
    return target


@pytest.fixture()
def project(path: Path):
    with open_project(path) as opened:
        yield opened


def verdict(project, study: str, stage: str = TA) -> str | None:
    status = current(project).of(study, stage)
    return status.verdict if status else None


def test_a_decision_is_stored_at_once_with_its_records_and_logged(project) -> None:
    made = dec.decide(project, "a1", "exclude", reason="Wrong population", note="adults only")
    with open_project(project.path) as other:  # another connection sees it at once
        stored = dec.load(other)
    assert [(d.decision_id, d.verdict, d.reason, d.note) for d in stored] == [
        (made, "exclude", "Wrong population", "adults only")
    ]
    assert stored[0].record_ids == ("a1", "a2", "a3", "a4")
    event = project.events("screen_decision")[-1]
    assert event["decision_id"] == made and event["study_id"] == "a1"
    assert verdict(project, "a1") == "exclude"


def test_deciding_again_replaces_and_undo_brings_back_the_earlier_decision(project) -> None:
    first = dec.decide(project, "b1", "maybe", note="check the method")
    second = dec.decide(project, "b1", "include")
    assert verdict(project, "b1") == "include"
    dec.undo(project, second)
    assert verdict(project, "b1") == "maybe"
    assert current(project).of("b1").note == "check the method"
    dec.undo(project, first)
    assert verdict(project, "b1") is None
    history = dec.history(project, "b1")
    assert [(d.verdict, d.undone_at is not None) for d in history] == [
        ("maybe", True),
        ("include", True),
    ]
    with pytest.raises(ProjectError, match="already undone"):
        dec.undo(project, first)


def test_decisions_survive_closing_and_reopening(path: Path) -> None:
    with open_project(path) as project:
        dec.decide(project, "f1", "include")
        dec.decide(project, "f2", "exclude", reason="Wrong setting")
    with open_project(path) as project:
        assert verdict(project, "f1") == "include" and verdict(project, "f2") == "exclude"
        assert current(project).of("f2").reason == "Wrong setting"


def test_two_sessions_deciding_in_turn_lose_nothing(path: Path) -> None:
    with open_project(path) as one, open_project(path) as two:
        for i, study in enumerate(["b1", "b2", "f1", "f2", "l1", "l2"]):
            session = one if i % 2 else two
            dec.decide(session, study, "include" if i % 3 else "exclude")
        assert len(dec.load(one)) == 6
        assert progress(current(two)).screened == 6


def test_a_decision_follows_its_record_into_a_merged_study(project) -> None:
    dec.decide(project, "j3", "include", note="on topic")
    dup.decide(project, "same", ["j1", "j3"])  # j3 joins j1's group
    study = dup.members_of(project)["j3"]
    assert study == "j1"
    status = current(project).of("j1")
    assert status.verdict == "include" and status.note == "on topic"
    assert "j3" not in current(project).studies.members


def test_a_decision_on_a_study_merged_meanwhile_goes_to_the_merged_study(project) -> None:
    stale = study_map(project)  # what a page drew before another session merged j3
    dup.decide(project, "same", ["j1", "j3"])
    dec.decide(project, "j3", "exclude", studies=None)
    assert verdict(project, "j1") == "exclude"
    assert dec.load(project)[0].record_ids == ("j1", "j2", "j3")
    assert "j3" in stale.members


def test_merging_differently_decided_studies_shows_a_conflict_not_a_winner(project) -> None:
    dec.decide(project, "j1", "include")
    dec.decide(project, "j3", "exclude", reason="Wrong population")
    merge = dup.decide(project, "same", ["j1", "j3"])
    screening = current(project)
    status = screening.of("j1")
    assert status.verdict == dec.CONFLICT
    assert {d.verdict for d in status.decisions} == {"include", "exclude"}
    assert queue(screening)[0] == "j1"  # conflicts come first
    assert progress(screening).conflicts == 1
    resolved = dec.decide(project, "j1", "include", note="both reports on topic")
    assert verdict(project, "j1") == "include"
    dec.undo(project, resolved)
    assert verdict(project, "j1") == dec.CONFLICT
    dup.undo(project, merge)  # split again: each keeps its own decision
    assert verdict(project, "j1") == "include" and verdict(project, "j3") == "exclude"


def test_agreeing_decisions_merge_quietly(project) -> None:
    dec.decide(project, "j1", "exclude", reason="Wrong setting")
    dec.decide(project, "j3", "exclude", reason="Wrong population")
    dup.decide(project, "same", ["j1", "j3"])
    status = current(project).of("j1")
    assert status.verdict == "exclude" and status.reason == "Wrong population"
    assert len(status.decisions) == 2  # both kept, the newest reason in force


def test_a_split_study_keeps_the_decision_on_both_parts(project) -> None:
    dec.decide(project, "a1", "include")
    dup.decide(project, "split", ["a4"])
    groups = dup.members_of(project)
    assert groups["a4"] != groups["a1"]
    assert verdict(project, groups["a1"]) == "include"
    assert verdict(project, groups["a4"]) == "include"


def test_a_decision_on_another_report_belongs_to_its_main_study(project) -> None:
    """c2 is linked to c1 as another report of the same study (the trap records): a
    decision made on either is the study's."""
    screening = current(project)
    assert screening.studies.study("c2") == screening.studies.study("c1") == "c1"
    assert "c2" not in screening.studies.members
    dec.decide(project, "c2", "include", note="the conference abstract")
    assert verdict(project, "c1") == "include"
    assert dec.load(project)[0].record_ids == ("c1", "c2")
    dec.decide(project, "c1", "exclude", reason="Wrong setting")
    assert verdict(project, "c1") == "exclude"


def test_full_text_exclusion_needs_a_reason_and_is_separate_from_title_abstract(project) -> None:
    dec.decide(project, "m1", "include")
    with pytest.raises(ValueError, match="needs a reason"):
        dec.decide(project, "m1", "exclude", stage=FT)
    dec.decide(project, "m1", "exclude", stage=FT, reason="Wrong study design")
    assert verdict(project, "m1") == "include" and verdict(project, "m1", FT) == "exclude"
    assert current(project).final("m1") == "exclude"


def test_bad_input_is_refused_with_a_message(project) -> None:
    with pytest.raises(ValueError, match="no such study"):
        dec.decide(project, "nope", "include")
    with pytest.raises(ValueError, match="unknown decision"):
        dec.decide(project, "a1", "perhaps")
    with pytest.raises(ValueError, match="unknown stage"):
        dec.decide(project, "a1", "include", stage="abstract")
    assert dec.load(project) == []


def test_the_reviewer_edits_the_list_of_reasons(project) -> None:
    assert dec.reasons(project) == list(dec.DEFAULT_REASONS)
    saved = dec.set_reasons(project, ["Not prison", "  Not  peer support ", "", "Not prison"])
    assert saved == ["Not prison", "Not peer support"]
    with open_project(project.path) as other:
        assert dec.reasons(other) == saved
    dec.decide(project, "e2", "exclude", reason="Not prison")
    dec.set_reasons(project, ["Other"])  # renaming the list changes no decision
    assert current(project).of("e2").reason == "Not prison"


def test_queue_orders_and_progress_counts(project) -> None:
    studies = study_map(project)
    screening = current(project)
    assert queue(screening, order="import") == studies.order
    shuffled = queue(screening, order="random", seed=1)
    assert sorted(shuffled) == sorted(studies.order) and shuffled != studies.order
    assert shuffled == queue(current(project), order="random", seed=1)  # stable
    dec.decide(project, studies.order[0], "include")
    dec.decide(project, studies.order[1], "exclude")
    dec.decide(project, studies.order[2], "maybe")
    screening = current(project)
    done = progress(screening)
    assert (done.screened, done.included, done.excluded, done.maybe) == (3, 1, 1, 1)
    assert done.since_last_include == 2 and done.left == len(studies) - 3
    assert queue(screening, order="import")[0] == studies.order[3]
    assert queue(screening, maybes=True) == [studies.order[2]]
    assert queue(screening, stage=FT) == [studies.order[0]]
