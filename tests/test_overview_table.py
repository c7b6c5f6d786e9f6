"""The Overview's four columns read with a few queries (`lib.views.overview`) say the
same as the whole studies table: after links, corrections on the main report and on an
other report, undone corrections and a reviewer's merge."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib import pipeline
from lib.project import coding, open_project
from lib.project import duplicates as dup
from lib.views.overview import OVERVIEW_COLUMNS, markdown_table, overview_table
from lib.views.overview_charts import population_svg, year_method_svg
from lib.views.studies import study_table
from tests.apptest_helpers import build_trap_project, copy_of


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("overview")
    return build_trap_project(folder, folder / "template.sqlite")


@pytest.fixture
def project(template: Path, tmp_path: Path):
    with copy_of(template, tmp_path) as opened:
        yield opened


def assert_same(project) -> None:
    whole = study_table(project)[list(OVERVIEW_COLUMNS)]
    quick = overview_table(project)
    pd.testing.assert_frame_equal(
        quick.sort_values("study_id", ignore_index=True),
        whole.sort_values("study_id", ignore_index=True),
    )


def test_the_overview_columns_equal_the_studies_table(project) -> None:
    assert_same(project)
    studies = list(study_table(project)["study_id"])
    assert len(studies) > 10
    main, other, third = studies[0], studies[-1], studies[-2]
    coding.set_override(project, other, "method", ["survey"])  # before the link: kept
    coding.set_override(project, other, "population", ["staff"])
    coding.set_override(project, main, "population", ["women"])  # the main report's wins
    assert_same(project)
    dup.decide(project, "other-report", [main, other])
    pipeline.refresh(project)
    assert_same(project)
    shown = overview_table(project).set_index("study_id")
    assert other not in shown.index
    assert shown.at[main, "method"] == "survey"  # carried from the other report
    assert shown.at[main, "population"] == ["women"]
    coding.set_override(project, third, "method", ["rct"])
    coding.undo_override(project, third, "method")
    dup.decide(project, "same", [studies[1], studies[2]])
    pipeline.refresh(project)
    assert_same(project)


def test_an_empty_project_has_no_rows(tmp_path: Path) -> None:
    with open_project(tmp_path / "empty.sqlite") as project:
        table = overview_table(project)
    assert list(table.columns) == list(OVERVIEW_COLUMNS) and table.empty


def test_the_charts_count_every_study_and_say_what_they_leave_out() -> None:
    table = pd.DataFrame(
        {
            "study_id": ["a", "b", "c", "d"],
            "year": pd.array([2001, 2001, None, 2003], dtype="Int64"),
            "method": ["rct", "survey", "rct", "unclear"],
            "population": [["women"], ["women", "<b>staff</b>"], [], []],
        }
    )
    years = year_method_svg(table)
    assert "1 study without a year not shown." in years
    assert years.count("<rect") == 3 + 3  # three bars (2001 twice, 2003), three legend keys
    assert "2001 · Randomised controlled trial: 1 study" in years
    bars = population_svg(table)
    assert "Women: 2 studies" in bars
    assert "Not coded: 2 studies" in bars  # the studies with no population: a bar of their own
    assert "&lt;b&gt;staff&lt;/b&gt;" in bars and "<b>" not in bars  # labels are text


def test_a_markdown_table_shows_its_cells_as_text() -> None:
    frame = pd.DataFrame({"detail": ["Records from *Scopus* | x"], "n": [12345]})
    text = markdown_table(frame)
    assert text.splitlines()[1] == "|---|---:|"
    assert "\\*Scopus\\* \\| x" in text and "| 12,345 |" in text
