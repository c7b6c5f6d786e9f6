"""AppTest of the Duplicates page: decisions made with its buttons reach the project file.

The demo project leaves nothing to review, so most tests use the trap records
(`tests.apptest_helpers.traps_project`): two pairs left for a person, j1/j3 (pages 10-20
vs 200-210) and n1/n2 (a thesis and its article).
"""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from lib.project import duplicates, open_project, reports
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    app_home,
    as_shown,
    demo_project,
    demo_template,
    errors,
    open_page,
    traps_project,
)

PAGE = "app_pages/2_Duplicates.py"


def queue_pairs(path: Path) -> list[tuple[str, str]]:
    with open_project(path) as project:
        return [(i.a.record_id, i.b.record_id) for i in duplicates.review_queue(project)]


def active_decisions(path: Path) -> list[tuple[str, list[str]]]:
    with open_project(path) as project:
        return [(d["kind"], d["record_ids"]) for d in duplicates.decisions(project)]


def comparison(at: AppTest) -> dict[str, str]:
    """The field rows of the first pair's comparison (a Markdown table): label -> row."""
    for element in at.markdown:
        if element.value.startswith("| | A"):
            rows = element.value.splitlines()[2:]
            return {row.split("**")[1]: row for row in rows}
    raise AssertionError("no comparison table on the page")


def open_tab(at: AppTest, name: str) -> AppTest:
    at.session_state["duplicates_tab"] = name
    return at.run()


def test_the_demo_has_nothing_to_review_and_says_so(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    assert not errors(at)
    assert [s.value for s in at.success] == ["No possible duplicates left to review."]
    assert not [b for b in at.button if b.key.startswith("same|")]
    open_tab(at, "Merged studies")
    assert at.selectbox(key="group_pick").options  # merged studies can be looked into


def flow_numbers(text: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]


def test_the_caption_says_how_records_become_studies_and_adds_up(
    demo_project: Path,  # noqa: F811
) -> None:
    """97 records, 54 duplicates merged, 2 other reports linked: 43 publications, 41
    studies (the caption once read "97 records make 41 studies: 54 duplicates merged")."""
    at = open_page(demo_project, PAGE)
    caption = next(c.value for c in at.caption if "→" in c.value)
    records, publications, removed, studies, linked = flow_numbers(caption)
    assert records - removed == publications
    assert publications - linked == studies
    with open_project(demo_project) as project:
        counts = duplicates.prisma_counts(project)
    assert (records, publications, studies) == (
        counts["records_identified"],
        counts["reports"],
        counts["studies"],
    )
    assert caption == (
        "97 records → 43 publications after 54 duplicates merged → 41 studies "
        "(2 other reports linked)"
    )


def test_a_linked_report_shows_its_records_in_the_merged_study(demo_project: Path) -> None:  # noqa: F811
    """The demo's erratum is a publication of two records linked to its article: the
    merged tab lists the article's records and the erratum's, each with its report."""
    with open_project(demo_project) as project:
        group_of = duplicates.members_of(project)
        members = duplicates.members(project)
        folded = {g: s for g, s in reports.folding(project).items() if g != s}
    linked = next(g for g in folded if len(members[g]) > 1)
    study = folded[linked]
    at = open_tab(open_page(demo_project, PAGE), "Merged studies")
    at.selectbox(key="group_pick").set_value(study).run()
    assert not errors(at)
    shown = next(d.value for d in at.dataframe if "record id" in d.value.columns)
    assert list(shown["record id"]) == members[study] + members[linked]
    reports_shown = dict(zip(shown["record id"], shown["report"], strict=True))
    assert {reports_shown[r] for r in members[study]} == {"main report"}
    assert all(reports_shown[r].startswith("other report") for r in members[linked])
    assert all(group_of[r] == linked for r in members[linked])
    # the linked report's records can be split off their publication too
    offered = {o.split(" · ")[0] for o in at.multiselect(key="split_records").options}
    assert set(members[linked]) | set(members[study]) == offered


def test_a_study_of_one_record_with_a_linked_report_is_listed(traps_project: Path) -> None:  # noqa: F811
    with open_project(traps_project) as project:
        members = duplicates.members(project)
        folded = {g: s for g, s in reports.folding(project).items() if g != s}
    linked, study = next((g, s) for g, s in folded.items() if len(members[s]) == 1)
    at = open_tab(open_page(traps_project, PAGE), "Merged studies")
    picker = at.selectbox(key="group_pick")
    assert (
        f"({1 + len(members[linked])} records)"
        in picker.options[
            list(picker.options).index(picker.format_func(study))  # listed (it was not)
        ]
    )
    picker.set_value(study).run()
    assert not errors(at)
    shown = next(d.value for d in at.dataframe if "record id" in d.value.columns)
    assert list(shown["record id"]) == members[study] + members[linked]


def test_pairs_are_ranked_and_compared_field_by_field(traps_project: Path) -> None:  # noqa: F811
    at = open_page(traps_project, PAGE)
    assert not errors(at)
    pairs = queue_pairs(traps_project)
    assert len(pairs) == 2
    keys = [b.key for b in at.button if b.key.startswith("same|")]
    assert keys == [f"same|{a}|{b}" for a, b in pairs]  # the queue's order: most likely first
    table = comparison(at)
    assert set(table) >= {"Title", "Authors", "Year", "Kind"}
    assert any("-badge[" in row for row in table.values())  # what tells them apart is marked
    assert at.slider(key="bulk_threshold") and at.button(key="bulk_accept")


def test_accepting_a_pair_is_written_to_the_project_at_once(traps_project: Path) -> None:  # noqa: F811
    at = open_page(traps_project, PAGE)
    at.button(key="same|j1|j3").click().run()
    assert not errors(at)
    assert active_decisions(traps_project) == [("same", ["j1", "j3"])]
    with open_project(traps_project) as project:
        assert duplicates.members_of(project)["j1"] == duplicates.members_of(project)["j3"]
    assert "same|j1|j3" not in [b.key for b in at.button]
    assert as_shown(at.success[0].value).startswith("Merged j1 and j3")
    assert as_shown(at.success[0].value).endswith("28 studies became 27 (-1).")
    open_tab(at, "Your decisions")
    assert at.button(key="undo_1")


def test_rejecting_and_linking_are_kinds_of_decision(traps_project: Path) -> None:  # noqa: F811
    at = open_page(traps_project, PAGE)
    at.button(key="different|j1|j3").click().run()
    at.button(key="other|n1|n2").click().run()
    assert not errors(at)
    assert active_decisions(traps_project) == [
        ("different", ["j1", "j3"]),
        ("other-report", ["n1", "n2"]),
    ]
    assert at.success[-1].value == "No possible duplicates left to review."
    with open_project(traps_project) as project:
        assert any({link.a, link.b} == {"n1", "n2"} for link in duplicates.links(project))


def test_undo_takes_a_decision_back(traps_project: Path) -> None:  # noqa: F811
    at = open_page(traps_project, PAGE)
    at.button(key="same|j1|j3").click().run()
    open_tab(at, "Your decisions")
    at.button(key="undo_1").click().run()
    assert not errors(at)
    assert at.session_state["duplicates_tab"] == "Your decisions"  # no jump to another tab
    assert as_shown(at.success[0].value).startswith("Undid decision #1")
    open_tab(at, "Review pairs")
    assert active_decisions(traps_project) == []
    with open_project(traps_project) as project:
        undone = duplicates.decisions(project, include_undone=True)
        assert [(d["decision_id"], d["undone_at"] is not None) for d in undone] == [(1, True)]
    assert "same|j1|j3" in [b.key for b in at.button]  # back in the queue


def test_bulk_accept_asks_once_then_accepts_every_pair_above_the_score(
    traps_project: Path,  # noqa: F811
) -> None:
    at = open_page(traps_project, PAGE)
    at.slider(key="bulk_threshold").set_value(0.5).run()
    at.button(key="bulk_accept").click().run()
    assert active_decisions(traps_project) == []  # nothing yet: one confirm step
    assert at.button(key="bulk_confirm")
    at.button(key="bulk_confirm").click().run()
    assert not errors(at)
    made = active_decisions(traps_project)
    assert sorted(ids for _, ids in made) == sorted([a, b] for a, b in [("j1", "j3"), ("n1", "n2")])
    assert {kind for kind, _ in made} == {"same"}
    assert queue_pairs(traps_project) == []


def test_bulk_accept_can_be_cancelled(traps_project: Path) -> None:  # noqa: F811
    at = open_page(traps_project, PAGE)
    at.slider(key="bulk_threshold").set_value(0.5).run()
    at.button(key="bulk_accept").click().run()
    at.button(key="bulk_cancel").click().run()
    assert not errors(at)
    assert active_decisions(traps_project) == []
    assert not [b for b in at.button if b.key == "bulk_confirm"]


def test_a_merged_study_can_be_split(traps_project: Path) -> None:  # noqa: F811
    with open_project(traps_project) as project:
        groups = duplicates.members(project)
    study, members = next((sid, ids) for sid, ids in groups.items() if len(ids) >= 3)
    at = open_tab(open_page(traps_project, PAGE), "Merged studies")
    at.selectbox(key="group_pick").set_value(study).run()
    shown = next(d.value for d in at.dataframe if "record id" in d.value.columns)
    assert list(shown["record id"]) == members
    assert at.button(key="split").disabled
    at.multiselect(key="split_records").set_value([members[-1]]).run()
    at.button(key="split").click().run()
    assert not errors(at)
    assert active_decisions(traps_project) == [("split", [members[-1]])]
    with open_project(traps_project) as project:
        after = duplicates.members_of(project)
    assert after[members[-1]] != after[members[0]]


def test_every_other_report_link_is_listed_with_its_reason(traps_project: Path) -> None:  # noqa: F811
    with open_project(traps_project) as project:
        links = duplicates.links(project)
    assert links
    at = open_tab(open_page(traps_project, PAGE), "Merged studies")
    every = next(d.value for d in at.dataframe if "record A" in d.value.columns)
    assert len(every) == len(links)
    for link, (_, row) in zip(links, every.iterrows(), strict=True):
        assert row["record A"].startswith(f"{link.a} · ")
        assert row["record B"].startswith(f"{link.b} · ")
        assert row["why"] == link.reason and row["by"] == "the matcher"


def test_a_different_inside_one_study_asks_which_record_leaves(traps_project: Path) -> None:  # noqa: F811
    """Another session merged j1 and j3 meanwhile; "Different" on this page's pair then
    contradicts a study: the page asks which record leaves before recording anything."""
    at = open_page(traps_project, PAGE)
    with open_project(traps_project) as project:
        duplicates.decide(project, "same", ["j1", "j3"])
        studies = duplicates.count_studies(project)
    at.button(key="different|j1|j3").click().run()
    assert not errors(at)
    assert active_decisions(traps_project) == [("same", ["j1", "j3"])]  # nothing yet
    assert "Which one leaves?" in as_shown(at.warning[0].value)
    at.radio(key="ask_leaving").set_value("j3").run()
    at.button(key="ask_yes").click().run()
    assert not errors(at)
    assert active_decisions(traps_project)[-1] == ("different", ["j1", "j3"])
    with open_project(traps_project) as project:
        assert duplicates.members_of(project)["j3"] == "j3"
        assert duplicates.count_studies(project) == studies + 1
    assert "j3 left the study" in as_shown(at.success[0].value)


def test_a_same_over_an_earlier_different_asks_first(traps_project: Path) -> None:  # noqa: F811
    at = open_page(traps_project, PAGE)
    with open_project(traps_project) as project:
        duplicates.decide(project, "different", ["j2", "j3"])
    at.button(key="same|j1|j3").click().run()
    assert active_decisions(traps_project) == [("different", ["j2", "j3"])]
    assert "declared different publications" in as_shown(at.warning[0].value)
    at.button(key="ask_no").click().run()
    assert not at.warning and active_decisions(traps_project) == [("different", ["j2", "j3"])]
    at.button(key="same|j1|j3").click().run()
    at.button(key="ask_yes").click().run()
    assert not errors(at)
    assert active_decisions(traps_project)[-1] == ("same", ["j1", "j3"])
