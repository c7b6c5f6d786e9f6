"""A person's duplicate decisions in a project: each changes the groups by exactly what it
says, undo restores the grouping before it, and the groups a project keeps by applying
decisions one at a time are exactly those a full run over every record gives (issue 12,
wrong result 2). Random decision sequences (hypothesis) over the trap records.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.dedupe import Decision, deduplicate
from lib.ingest import read_path
from lib.project import Project, open_project
from lib.project import duplicates as dup
from tests.apptest_helpers import build_trap_project, copy_of

Partition = set[frozenset[str]]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The trap records in a project, deduplicated and coded once (copy it, never open)."""
    folder = tmp_path_factory.mktemp("decisions")
    return build_trap_project(folder, folder / "template.sqlite")


@pytest.fixture
def project(template: Path, tmp_path: Path):
    with copy_of(template, tmp_path) as opened:
        yield opened


def partition(project: Project) -> Partition:
    return {frozenset(ids) for ids in dup.members(project).values()}


def n_studies(project: Project) -> int:
    """Publications: the groups (other-report links fold them further into studies, which
    the trap records' erratum links do, so the study count is not what a decision moves)."""
    return int(dup.prisma_counts(project)["reports"])


def group_of(project: Project) -> dict[str, str]:
    return dup.members_of(project)


def assert_as_a_full_run(project: Project) -> None:
    """The stored groups, why each record is in its group, the merged studies and the queue
    are what deduplicating every record with the decisions in force gives."""
    active = dup._active_decisions(project.conn)
    full = deduplicate(project.records(), active)
    stored = dict(project.conn.execute("SELECT record_id, cluster_id FROM dedupe_groups"))
    assert stored == full.cluster_of
    joined = {
        rid: (with_, score, why)
        for rid, with_, score, why in project.conn.execute(
            "SELECT record_id, matched_with, score, reason FROM dedupe_groups "
            "WHERE matched_with != ''"
        )
    }
    assert joined == full.joined_by
    studies = dup.groups(project)
    assert dict(zip(studies["study_id"], studies["record_ids"], strict=True)) == full.clusters()
    asked = {frozenset((i.a.record_id, i.b.record_id)) for i in dup.review_queue(project)}
    assert asked == {frozenset((p.a, p.b)) for p in full.possible()}


# -- the bug of the issue, step by step --------------------------------------------------------
@pytest.mark.parametrize("a, b", [("j3", "j2"), ("b1", "j1"), ("a1", "b1")])
def test_same_adds_to_groups_and_never_undoes_an_automatic_merge(project, a, b) -> None:
    """j2 (no pages) was merged automatically with j1 (pages 10-20); accepting j3 (pages
    200-210) as the same publication as j2 must bring j3 in and keep j1: one study less,
    and the queue does not ask about j1 again. Before the fix j3 joined, j1 left, and the
    count did not change; "b1 is j1" split j1 from j2 the same way, and "a1 is b1" changed
    no count at all."""
    before = partition(project)
    group = group_of(project)
    assert group["j1"] == group["j2"] != group["j3"]
    joined = {g for g in before if a in g or b in g}
    assert len(joined) == 2
    dup.decide(project, "same", [a, b])
    after = partition(project)
    assert frozenset().union(*joined) in after  # both groups whole, as one
    assert after - {frozenset().union(*joined)} == before - joined  # nothing else moved
    assert n_studies(project) == len(before) - 1
    merged = frozenset().union(*joined)
    for item in dup.review_queue(project):  # nothing inside the new group is asked again
        assert not {item.a.record_id, item.b.record_id} <= merged
    assert_as_a_full_run(project)


def test_bulk_same_lowers_the_count_by_the_pairs_merged_and_undo_restores(project: Project) -> None:
    before, groups_before = n_studies(project), partition(project)
    queue = dup.review_queue(project)
    pairs = [[i.a.record_id, i.b.record_id] for i in queue]
    assert len(pairs) == 2
    made = dup.decide_many(project, [("same", ids, "bulk") for ids in pairs])
    assert n_studies(project) == before - 2
    for decision in reversed(made):
        dup.undo(project, decision)
    assert n_studies(project) == before and partition(project) == groups_before


def test_a_different_inside_a_group_asks_which_record_leaves(project: Project) -> None:
    group = group_of(project)
    a1_group = sorted(r for r, g in group.items() if g == group["a1"])
    assert len(a1_group) >= 3
    asked = dup.contradiction(project, "different", ["a1", "a3"])
    assert asked is not None and asked.together == (("a1", "a3"),)
    before = n_studies(project)
    dup.decide(project, "different", ["a1", "a3"], leaving=["a1"])
    after = group_of(project)
    assert after["a1"] == "a1" != after["a3"]  # a1 left alone; the rest stayed together
    assert len({after[r] for r in a1_group if r != "a1"}) == 1
    assert n_studies(project) == before + 1
    assert dup.decisions(project)[-1]["leaving"] == ["a1"]
    assert_as_a_full_run(project)


def test_a_same_that_joins_records_declared_different_is_named_before(project: Project) -> None:
    dup.decide(project, "different", ["j3", "j2"])  # apart already: nothing moves
    asked = dup.contradiction(project, "same", ["j3", "j1"])
    assert asked is not None and asked.apart[0][:2] in (("j2", "j3"), ("j3", "j2"))
    assert dup.contradiction(project, "same", ["b1", "c1"]) is None


def test_a_decision_touches_only_its_groups_and_runs_no_full_regrouping(project: Project) -> None:
    runs = len(project.events("dedupe"))
    untouched = {g for g in partition(project) if not g & {"j1", "j3"}}
    dup.decide(project, "same", ["j1", "j3"])
    assert untouched <= partition(project)
    assert len(project.events("dedupe")) == runs
    changes = project.conn.execute("SELECT study_id FROM dedupe_study_changes ORDER BY seq DESC")
    assert {sid for (sid,) in changes.fetchmany(2)} == {group_of(project)["j1"], "j3"}


# -- random decision sequences -----------------------------------------------------------------
@st.composite
def steps(draw, ids: list[str]) -> list[tuple]:
    """A sequence of decisions and undos, each as the app would make it."""
    out = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["same", "different", "other-report", "split", "undo"]))
        if kind == "split":
            out.append(("split", draw(st.sampled_from(ids))))
        elif kind == "undo":
            out.append(("undo", draw(st.integers(0, 10))))
        else:
            pair = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True))
            out.append((kind, pair, draw(st.integers(0, 1))))
    return out


TRAP_IDS = sorted({row.split(",")[0] for row in (Path(__file__).parent / "data" / "dedupe" /
                   "traps.csv").read_text(encoding="utf-8").splitlines()[1:]})  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=steps(TRAP_IDS))
def test_random_decisions_change_counts_exactly_and_undo_restores(
    template: Path, tmp_path_factory: pytest.TempPathFactory, plan: list[tuple]
) -> None:
    path = tmp_path_factory.mktemp("random") / "review.sqlite"
    shutil.copyfile(template, path)
    with open_project(path) as project:
        # (decision id, grouping before it; None once an earlier decision was undone)
        history: list[tuple[int, Partition | None]] = []
        for step in plan:
            before = partition(project)
            group = group_of(project)
            count = len(before)
            if step[0] == "undo":
                if not history:
                    continue
                at = step[1] % len(history)
                decision, restored = history.pop(at)
                dup.undo(project, decision)
                if at == len(history) and restored is not None:  # the last one: exactly back
                    assert partition(project) == restored
                history[at:] = [(d, None) for d, _ in history[at:]]
            elif step[0] == "split":
                rid = step[1]
                inside = [r for r, g in group.items() if g == group[rid]]
                if len(inside) < 2:
                    continue
                history.append((dup.decide(project, "split", [rid]), before))
                assert n_studies(project) == count + 1
                assert group_of(project)[rid] == rid
            elif step[0] == "same":
                ids = step[1]
                joined = {group[r] for r in ids}
                history.append((dup.decide(project, "same", ids), before))
                assert n_studies(project) == count - (len(joined) - 1)
                after = group_of(project)
                assert len({after[r] for r in ids}) == 1
                # a "same" adds to groups, never splits one
                assert all(any(g <= h for h in partition(project)) for g in before)
            else:  # different / other-report: the app asks which record stays, the rest leave
                kind, ids, pick = step
                asked = dup.contradiction(project, kind, ids)
                together = asked.together if asked else ()
                leaving = [r for t in together for r in t if r != t[pick % len(t)]]
                history.append((dup.decide(project, kind, ids, leaving=leaving), before))
                after = group_of(project)
                assert n_studies(project) == count + len(leaving)
                assert len({after[r] for r in ids}) == len(ids)
                for rid in leaving:
                    assert after[rid] == rid
            assert_as_a_full_run(project)
        # undoing everything left gives the automatic groups back
        for decision, _ in reversed(history):
            dup.undo(project, decision)
        automatic = dict(project.conn.execute("SELECT record_id, cluster_id FROM dedupe_auto"))
        assert group_of(project) == automatic


def test_engine_applies_decisions_in_order_to_the_automatic_groups() -> None:
    """The engine alone: a later "same" joins what an earlier "different" took apart."""
    records = read_path(Path(__file__).parent / "data" / "dedupe" / "traps.csv").records
    apart = deduplicate(records, [Decision("different", ("a1", "a2"), decision_id=1)])
    assert apart.cluster_of["a2"] == "a2"
    again = deduplicate(
        records,
        [Decision("different", ("a1", "a2"), decision_id=1),
         Decision("same", ("a2", "a3"), decision_id=2)],
    )  # fmt: skip
    assert again.cluster_of["a2"] == again.cluster_of["a3"] == again.cluster_of["a1"]
