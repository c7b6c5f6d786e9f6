"""Property tests: random sequences of screening decisions, undos and regroupings.

Whatever the sequence, no decision is lost (one that no later decision overlaps is in
force wherever its records now are), the newest decision on a study is always in force,
differing decisions on merged records show as a conflict and never as a silent winner,
undoing the last decision restores exactly the state before it, and the project file
gives the same state after a reload as the decisions say.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.ingest import read_path
from lib.project import duplicates as dup
from lib.project import open_project
from lib.screening import decisions as dec
from lib.screening.decisions import CONFLICT, STAGES, VERDICTS, Decision, resolve
from lib.screening.queue import current
from tests.apptest_helpers import write_trap_exports

RECORDS = [f"r{i}" for i in range(8)]

groupings = st.lists(st.integers(0, 3), min_size=len(RECORDS), max_size=len(RECORDS))
operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("decide"), st.integers(0, 7), st.sampled_from(VERDICTS), st.sampled_from(STAGES)
        ),
        st.tuples(st.just("undo")),
        st.tuples(st.just("regroup"), groupings),
    ),
    max_size=30,
)


def study_of(grouping: list[int]) -> dict[str, str]:
    """record -> study (the group's first record, as deduplication names groups)."""
    first: dict[int, str] = {}
    for record, group in zip(RECORDS, grouping, strict=True):
        first.setdefault(group, record)
    return {r: first[g] for r, g in zip(RECORDS, grouping, strict=True)}


def members(mapping: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for record, study in mapping.items():
        out.setdefault(study, []).append(record)
    return out


def check(active: list[Decision], mapping: dict[str, str]) -> None:
    resolved = resolve(active, mapping)
    for stage in STAGES:
        statuses = resolved[stage]
        mine = [d for d in active if d.stage == stage]
        for study, records in members(mapping).items():
            touching = [d for d in mine if set(d.record_ids) & set(records)]
            status = statuses.get(study)
            if not touching:
                assert status is None
                continue
            assert status is not None
            assert status.decisions[-1] == touching[-1]  # the newest is always in force
            verdicts = {d.verdict for d in status.decisions}
            if len(verdicts) > 1:
                assert status.verdict == CONFLICT
            else:
                assert status.verdict == touching[-1].verdict
        for i, decision in enumerate(mine):  # no decision lost
            later = [d for d in mine[i + 1 :] if set(d.record_ids) & set(decision.record_ids)]
            if later:
                continue
            for record in decision.record_ids:
                assert decision in statuses[mapping[record]].decisions


@settings(max_examples=300, deadline=None)
@given(start=groupings, steps=operations)
def test_random_sequences_keep_every_decision_and_undo_restores(
    start: list[int], steps: list[tuple]
) -> None:
    mapping = study_of(start)
    active: list[Decision] = []
    next_id = 1
    for step in steps:
        if step[0] == "decide":
            _, pick, verdict, stage = step
            study = mapping[RECORDS[pick]]
            before = resolve(active, mapping)
            decision = Decision(
                next_id, stage, verdict, "", "", tuple(members(mapping)[study]), study, "chosen", ""
            )
            next_id += 1
            active.append(decision)
            after = resolve(active, mapping)
            assert after[stage][study].verdict == verdict  # deciding settles the study
            assert resolve(active[:-1], mapping) == before  # undo restores exactly
        elif step[0] == "undo" and active:
            active.pop()
        elif step[0] == "regroup":
            mapping = study_of(step[1])
        check(active, mapping)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("screen-prop")
    first, second = write_trap_exports(folder)
    path = folder / "template.sqlite"
    with open_project(path) as project:
        project.add_import(read_path(first, database="Scopus"))
        project.add_import(read_path(second, database="PubMed"))
        dup.refresh(project)
    return path


project_steps = st.lists(
    st.one_of(
        st.tuples(st.just("decide"), st.integers(0, 27), st.sampled_from(VERDICTS)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("merge"), st.sampled_from([("j1", "j3"), ("n1", "n2"), ("b1", "b2")])),
        st.tuples(st.just("reload")),
    ),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=project_steps)
def test_the_project_file_holds_what_was_decided_through_merges_and_reloads(
    template: Path, tmp_path_factory: pytest.TempPathFactory, steps: list[tuple]
) -> None:
    path = tmp_path_factory.mktemp("run") / "review.sqlite"
    shutil.copyfile(template, path)
    project = open_project(path)
    expected: list[int] = []  # ids of the decisions in force, oldest first
    try:
        for step in steps:
            if step[0] == "decide":
                order = current(project).studies.order
                study = order[step[1] % len(order)]
                expected.append(dec.decide(project, study, step[2]))
            elif step[0] == "undo" and expected:
                dec.undo(project, expected.pop())
            elif step[0] == "merge":
                dup.decide(project, "same", list(step[1]))
            elif step[0] == "reload":
                project.close()
                project = open_project(path)
            screening = current(project)
            assert [d.decision_id for d in screening.decisions] == expected
            check(screening.decisions, screening.studies.study_of)
            # the state kept up to date decision by decision equals one computed afresh
            assert screening.status == resolve(dec.load(project), screening.studies.study_of)
    finally:
        project.close()
