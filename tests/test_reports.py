"""Other reports of one study (an erratum, a conference abstract, a preprint) count as one
study everywhere: in the studies table every page reads, in PRISMA, in "coded %", and in
the record -> study mapping screening decisions are keyed through."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.explore.filters import Filters, apply
from lib.explore.index import StudyIndex
from lib.ingest import read_bytes
from lib.pipeline import refresh
from lib.project import Project, coding, duplicates, open_project
from lib.project.reports import MAIN_RANK, fold, study_count, study_of, study_of_group
from lib.views.studies import STUDY_COLUMNS, study_table


def ris(*entries: dict[str, str]) -> bytes:
    """A RIS file written for the test: one record per dict of tags."""
    lines = []
    for entry in entries:
        lines.append(f"TY  - {entry.get('TY', 'JOUR')}")
        for tag, value in entry.items():
            if tag != "TY":
                for part in value.split("|"):
                    lines.append(f"{tag}  - {part}")
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines).encode()


ABSTRACT = (
    "Semi-structured interviews with 24 Listeners in three English prisons explored how "
    "peer support shaped their identity and desistance; most described benefits."
)
CONFERENCE = {
    "TY": "CONF",
    "ID": "conf1",
    "TI": "Listeners and desistance: early findings from an interview study",
    "AU": "Perrin, Chris|Blagden, Nicholas",
    "PY": "2016",
    "T2": "British Society of Criminology Annual Conference",
    "AB": ABSTRACT,
}
ARTICLE = {
    "ID": "art1",
    "TI": "Becoming a Listener: peer support, identity and desistance in prison",
    "AU": "Perrin, Chris|Blagden, Nicholas",
    "PY": "2017",
    "JO": "Journal of Offender Rehabilitation",
    "VL": "56",
    "SP": "120",
    "EP": "140",
    "DO": "10.1080/test.2017.1",
    "AB": ABSTRACT,
}
ARTICLE_AGAIN = {**ARTICLE, "ID": "art2", "TI": ARTICLE["TI"].upper()}  # a duplicate
ERRATUM = {
    "ID": "err1",
    "TI": "Correction to: Becoming a Listener",
    "AU": "Perrin, Chris",
    "PY": "2018",
    "JO": "Journal of Offender Rehabilitation",
    "M3": "Erratum",
}
OTHER = {
    "ID": "other1",
    "TI": "Hospice buddies in a men's prison: a mixed-methods evaluation",
    "AU": "Wright, Ann",
    "PY": "2020",
    "JO": "Prison Journal",
    "DO": "10.1177/test.2020.9",
}


def _project(tmp_path: Path, *files: tuple[str, bytes, str]) -> Project:
    project = open_project(tmp_path / "review.sqlite")
    for name, data, database in files:
        project.add_import(read_bytes(data, name, database=database))
    refresh(project)
    return project


@pytest.fixture()
def linked(tmp_path: Path):
    """Conference abstract first (Scopus), then the article twice, an erratum and another
    study (Web of Science); a reviewer links the abstract, the article and the erratum."""
    project = _project(
        tmp_path,
        ("scopus.ris", ris(CONFERENCE), "Scopus"),
        ("wos.ris", ris(ARTICLE, ARTICLE_AGAIN, ERRATUM, OTHER), "Web of Science"),
    )
    members = duplicates.members_of(project)
    assert members["art1"] == members["art2"]  # one publication, found twice
    duplicates.decide(project, "other-report", ["conf1", "art1"])
    duplicates.decide(project, "other-report", ["err1", "art2"])
    refresh(project)
    yield project
    project.close()


def test_linked_reports_are_one_study_in_the_studies_table(linked: Project) -> None:
    table = study_table(linked)
    assert list(table.columns) == list(STUDY_COLUMNS)
    assert len(table) == 2  # the Listener study (4 records, 3 reports) and the other one
    row = table.set_index("study_id").loc["art1"]  # the article is the main report
    assert row["entrytype"] == "article" and row["title"].startswith("Becoming a Listener")
    assert row["record_ids"] == ["art1", "art2"] and row["n_records"] == 2
    assert row["other_reports"] == ["conf1", "err1"]
    assert row["other_record_ids"] == ["conf1", "err1"]
    assert row["databases"] == ["Scopus", "Web of Science"]


def test_prisma_counts_studies_after_linking(linked: Project) -> None:
    counts = duplicates.prisma_counts(linked)
    assert counts["records_identified"] == 5
    assert counts["duplicates_removed"] == 1  # art2 is art1
    assert counts["reports"] == 4
    assert counts["studies"] == 2
    assert study_count(linked) == (4, 2)


def test_every_record_maps_to_its_study(linked: Project) -> None:
    mapping = study_of(linked)
    assert mapping == {
        "conf1": "art1",
        "art1": "art1",
        "art2": "art1",
        "err1": "art1",
        "other1": "other1",
    }
    assert study_of_group(linked) == {
        "conf1": "art1",
        "art1": "art1",
        "err1": "art1",
        "other1": "other1",
    }
    assert set(mapping.values()) == set(study_table(linked)["study_id"])


def test_explore_counts_and_coded_share_count_a_study_once(linked: Project) -> None:
    table = study_table(linked)
    index = StudyIndex(table).prepare()
    assert len(apply(table, Filters(), index)) == 2
    found = apply(table, Filters(query="listener"), index)
    assert list(found["study_id"]) == ["art1"]  # not the abstract and erratum again


def test_codes_come_from_the_main_report(linked: Project) -> None:
    codes = coding.effective_codes(linked).set_index("study_id")
    row = study_table(linked).set_index("study_id").loc["art1"]
    assert row["method"] == codes.loc["art1", "method"]
    assert row["population"] == codes.loc["art1", "population"]


def test_a_correction_on_another_report_is_kept_unless_the_main_report_has_one(
    linked: Project,
) -> None:
    coding.set_override(linked, "conf1", "method", ["survey"])  # made before the link
    coding.set_override(linked, "conf1", "direction", ["challenge"])
    coding.set_override(linked, "art1", "direction", ["benefit"])
    row = study_table(linked).set_index("study_id").loc["art1"]
    assert row["method"] == "survey"  # kept: the main report has no correction of it
    assert row["direction"] == "benefit"  # the main report's own correction wins
    assert row["overridden"] == ["method", "direction"]


def test_undoing_the_link_gives_the_reports_back_as_studies(linked: Project) -> None:
    decision = duplicates.decisions(linked)[-1]["decision_id"]
    duplicates.undo(linked, decision)
    refresh(linked)
    table = study_table(linked)
    assert set(table["study_id"]) == {"art1", "err1", "other1"}
    assert duplicates.prisma_counts(linked)["studies"] == 3


def test_a_conference_abstract_is_not_the_main_report_even_when_imported_first(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path, ("all.ris", ris(CONFERENCE, ARTICLE), "Scopus"))
    duplicates.decide(project, "other-report", ["conf1", "art1"])
    refresh(project)
    assert list(study_table(project)["study_id"]) == ["art1"]
    project.close()


def test_the_demo_has_its_41_studies_after_linking(tmp_path: Path) -> None:
    """The demo corpus is made from 41 studies (data/demo/studies.csv); its errata and
    conference abstracts are linked by the matcher, not merged."""
    from lib.demo import build_demo_project

    project = build_demo_project(tmp_path / "demo.sqlite")
    counts = duplicates.prisma_counts(project)
    assert counts["reports"] == 43 and counts["studies"] == 41
    table = study_table(project)
    assert len(table) == 41
    assert sorted(len(x) for x in table["other_reports"] if x) == [1, 1]
    assert len(study_of(project)) == project.count_records() == 97
    project.close()


# -- the folding rule on its own --------------------------------------------------------------
_TYPES = sorted(MAIN_RANK)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(_TYPES), min_size=1, max_size=12),
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=20),
    st.randoms(use_true_random=False),
)
def test_folding_is_the_closure_of_links_with_the_fullest_report_main(
    types: list[str], raw_links: list[tuple[int, int]], rnd
) -> None:
    n = len(types)
    groups = [f"g{i}" for i in range(n)]
    group_of = {f"r{i}": g for i, g in enumerate(groups)}  # one record per group
    links = [(f"r{a % n}", f"r{b % n}") for a, b in raw_links]
    entrytype = dict(zip(groups, types, strict=True))
    arrival = {g: i for i, g in enumerate(groups)}
    folded = fold(group_of, links, entrytype, arrival)
    # the same whatever the order of the links
    shuffled = list(links)
    rnd.shuffle(shuffled)
    assert fold(group_of, shuffled, entrytype, arrival) == folded
    # the components of the link graph, by a plain search
    neighbours: dict[str, set[str]] = {g: set() for g in groups}
    for a, b in links:
        neighbours[group_of[a]].add(group_of[b])
        neighbours[group_of[b]].add(group_of[a])
    for g in groups:
        seen, todo = {g}, [g]
        while todo:
            for nxt in neighbours[todo.pop()] - seen:
                seen.add(nxt)
                todo.append(nxt)
        if len(seen) == 1:
            assert g not in folded  # untouched groups are their own study
            continue
        study = folded[g]
        assert {folded[x] for x in seen} == {study}
        best = min((MAIN_RANK[entrytype[x]], arrival[x]) for x in seen)
        assert (MAIN_RANK[entrytype[study]], arrival[study]) == best
