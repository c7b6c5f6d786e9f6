"""The scope the pages work on (`lib.views.scope`): which rows of the studies table each
scope holds, the fallback to every study before any include, the index restricted to a
scope (`StudyIndex.within`), and the Overview's headline."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.explore.filters import Filters, apply, facet_counts, mask
from lib.explore.index import StudyIndex
from lib.ingest import read_bytes, read_path
from lib.pipeline import refresh
from lib.project import open_project
from lib.screening import decisions as dec
from lib.screening.scope import SCOPES, studies_in_scope
from lib.views import scope as scopes
from lib.views.studies import study_table
from tests.apptest_helpers import write_trap_exports
from tests.factories import make_studies


@pytest.fixture()
def project(tmp_path: Path):
    rows = "\n".join(
        f"s{i},Study number {i} of peer support,Author {i},{2010 + i}" for i in range(8)
    )
    data = f"record_id,title,authors,year\n{rows}\n".encode()
    with open_project(tmp_path / "review.sqlite") as opened:
        opened.add_import(read_bytes(data, "search.csv", database="Scopus"))
        refresh(opened)
        yield opened


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight unscreened studies, built once; copy it, never open it."""
    rows = "\n".join(f"s{i},Study number {i} of peer support,Author {i},201{i}" for i in range(8))
    path = tmp_path_factory.mktemp("scope") / "template.sqlite"
    with open_project(path) as opened:
        opened.add_import(read_bytes(f"record_id,title,authors,year\n{rows}\n".encode(),
                                     "search.csv", database="Scopus"))  # fmt: skip
        refresh(opened)
    return path


def ids(table, rows) -> list[str]:
    return sorted(table["study_id"][rows].tolist())


def test_each_scope_holds_its_studies_rows(project) -> None:
    table = study_table(project)
    dec.decide(project, "s0", "include")
    dec.decide(project, "s1", "maybe")
    dec.decide(project, "s2", "exclude", reason="Wrong setting")
    dec.decide(project, "s3", "include")
    dec.decide(project, "s3", "exclude", stage="full-text", reason="Wrong study design")
    masks = scopes.scope_masks(project, table)
    assert ids(table, masks["included"]) == ["s0"]
    assert ids(table, masks["included+maybe"]) == ["s0", "s1"]
    assert masks["all"] is None


def test_a_decision_changes_the_rows_a_filter_change_does_not_read_them_again(project) -> None:
    table = study_table(project)
    dec.decide(project, "s0", "include")
    first = scopes.scope_masks(project, table)
    assert scopes.scope_masks(project, table) is first  # same version: not read again
    dec.decide(project, "s5", "include")
    assert ids(table, scopes.scope_masks(project, table)["included"]) == ["s0", "s5"]


def test_included_is_the_default_and_shows_all_with_a_message_before_any_include(
    project,
) -> None:
    table = study_table(project)
    index = StudyIndex(table)
    before = scopes.choose(project, table, index, None)
    assert (before.chosen, before.shown, before.total) == ("included", "all", 8)
    assert before.message == (
        "No study has been included yet: showing all 8 studies. Screen them on the Screen page."
    )
    assert before.param == {}  # the default is not written into the URL
    dec.decide(project, "s4", "exclude", reason="Wrong setting")  # screened, none included
    assert scopes.choose(project, table, index, "included").shown == "all"
    dec.decide(project, "s6", "include")
    after = scopes.choose(project, table, index, None)
    assert (after.shown, after.total, after.message) == ("included", 1, "")
    assert ids(table, apply(table, Filters(), after.index).index) == ["s6"]
    everything = scopes.choose(project, table, index, "all")
    assert everything.total == 8 and everything.param == {"scope": "all"}
    assert len(apply(table, Filters(), everything.index)) == 8
    assert scopes.choose(project, table, index, "nonsense").chosen == "included"


def test_a_decision_on_another_report_puts_its_main_study_in_scope(tmp_path: Path) -> None:
    """c2 is linked to c1 as another report of one study: the table has one row, c1's, and
    a decision made on c2 puts that row in scope."""
    first, second = write_trap_exports(tmp_path)
    with open_project(tmp_path / "traps.sqlite") as project:
        project.add_import(read_path(first, database="Scopus"))
        project.add_import(read_path(second, database="PubMed"))
        refresh(project)
        table = study_table(project)
        assert "c2" not in set(table["study_id"])
        dec.decide(project, "c2", "include")
        scoped = scopes.choose(project, table, StudyIndex(table), "included")
        assert ids(table, scoped.index.base) == ["c1"]


def test_a_restricted_index_filters_and_counts_within_its_rows_and_shares_the_rest() -> None:
    table = make_studies(200, seed=3)
    index = StudyIndex(table).prepare()
    rows = np.zeros(len(table), dtype=bool)
    rows[::4] = True
    part = index.within(rows)
    filters = Filters(year_min=2000)
    assert (mask(table, filters, part) == (mask(table, filters, index) & rows)).all()
    whole = facet_counts(table, "method", None, index=index)["count"].sum()
    within = facet_counts(table, "method", None, index=part)["count"].sum()
    expected = facet_counts(table.iloc[np.flatnonzero(rows)], "method")["count"].sum()
    assert within == expected < whole
    assert part.facet("method") is index.facet("method")  # built once, for both
    assert part.within(None) is index  # back to every row
    with pytest.raises(ValueError, match="flags"):
        index.within(rows[:10])


@pytest.mark.parametrize(
    ("counts", "screened", "chosen", "expected"),
    [
        ({"included": 0, "included+maybe": 0, "all": 41}, 0, None,
         "No study screened yet: 41 studies (97 records)"),
        ({"included": 0, "included+maybe": 0, "all": 41}, 3, None,
         "No study has been included yet (3 screened): 41 studies (97 records)"),
        ({"included": 12, "included+maybe": 15, "all": 41}, 30, "included",
         "12 included studies of 41 studies (97 records)"),
        ({"included": 12, "included+maybe": 15, "all": 41}, 30, "included+maybe",
         "15 studies included or maybe of 41 studies (97 records)"),
        ({"included": 1, "included+maybe": 1, "all": 41}, 1, "all",
         "All 41 studies (97 records), screened or not"),
    ],
)  # fmt: skip
def test_the_headline_says_which_scope_it_counts(counts, screened, chosen, expected) -> None:
    assert scopes.headline(counts, 97, screened, chosen) == expected


def test_the_headline_says_how_many_included_studies_await_full_text() -> None:
    """The Overview counted 4 included studies where PRISMA said 3: one was included at
    title/abstract and not assessed at full text yet. The headline now says so."""
    counts = {"included": 4, "included+maybe": 4, "all": 41}
    text = scopes.headline(counts, 97, 10, "included", awaiting=1)
    assert text.startswith("4 included studies of 41 studies (97 records); 1 of them")
    assert "awaiting full-text assessment" in text


decision_runs = st.lists(
    st.tuples(
        st.integers(0, 7),
        st.sampled_from(dec.VERDICTS),
        st.sampled_from(dec.STAGES),
        st.booleans(),  # undo the last decision afterwards
    ),
    max_size=14,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(runs=decision_runs)
def test_the_rows_of_each_scope_are_the_studies_in_it_whatever_was_decided(
    template: Path, tmp_path_factory: pytest.TempPathFactory, runs
) -> None:
    """Any sequence of decisions and undos: each scope's rows are exactly the studies
    `studies_in_scope` names, and every study is shown (with a message) exactly when the
    chosen scope holds none."""
    path = tmp_path_factory.mktemp("run") / "review.sqlite"
    shutil.copyfile(template, path)
    with open_project(path) as project:
        table = study_table(project)
        index = StudyIndex(table)
        for study, verdict, stage, undo in runs:
            reason = "Wrong setting" if verdict == "exclude" else ""
            made = dec.decide(project, f"s{study}", verdict, stage=stage, reason=reason)
            if undo:
                dec.undo(project, made)
            masks = scopes.scope_masks(project, table)
            for scope in SCOPES:
                expected = sorted(studies_in_scope(project, scope))
                rows = masks[scope]
                assert (ids(table, rows) if rows is not None else sorted(table["study_id"])) == (
                    expected
                )
                scoped = scopes.choose(project, table, index, scope)
                assert (scoped.shown == "all") == (scope == "all" or not expected)
                assert bool(scoped.message) == (scope != "all" and not expected)
