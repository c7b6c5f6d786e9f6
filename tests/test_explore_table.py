"""The results table: readable labels, the chosen order, only safe links."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.explore.table import SHOWN_COLUMNS, SORTS, Results, display_table
from tests.factories import make_studies


def test_rows_show_labels_not_slugs_and_link_only_to_dois() -> None:
    table = make_studies(3, seed=1)
    table["population"] = [["women", "young-people"], [], ["staff"]]
    table["method"] = ["rct", "mixed-methods", "brand-new-code"]
    table["doi"] = ["10.1000/a", "", "javascript:alert(1)"]
    shown = display_table(table)
    assert list(shown["population"]) == ["Women, Young people", "", "Staff"]
    assert list(shown["method"]) == ["Randomised controlled trial", "Mixed methods",
                                     "Brand new code"]  # fmt: skip
    assert shown["link"].iloc[0] == "https://doi.org/10.1000/a"
    assert shown["link"].iloc[1:].isna().all()


def test_each_order_sorts_the_whole_table_before_cutting() -> None:
    table = make_studies(50, seed=2)
    table.loc[7, "year"] = None
    results = Results(table)
    everything = np.ones(len(table), dtype=bool)
    newest = results.view(everything, "Newest first", limit=5)
    assert list(newest["year"]) == sorted(table["year"].dropna(), reverse=True)[:5]
    oldest = results.view(everything, "Oldest first")
    assert pd.isna(oldest["year"].iloc[-1])  # no year: last either way
    titles = results.view(everything, "Title A–Z")["title"].str.casefold().tolist()
    assert titles == sorted(titles)
    assert set(SORTS) == {"Newest first", "Oldest first", "First author A–Z", "Title A–Z"}


def test_a_view_keeps_the_rows_positions_and_the_filter() -> None:
    table = make_studies(30, seed=3)
    chosen = np.zeros(len(table), dtype=bool)
    chosen[[3, 9, 20]] = True
    view = Results(table).view(chosen, "First author A–Z")
    assert sorted(view.index) == [3, 9, 20]
    assert list(view["study_id"]) == list(table["study_id"].iloc[view.index])


def test_rows_start_with_author_and_year_then_title_and_hide_the_internal_id() -> None:
    table = make_studies(4, seed=5)
    table["authors"] = ["Smith, J.", "Smith, J.; Jones, M.", "Smith, J.; Jones, M.; Lee, K.", ""]
    table["first_author"] = ["Smith", "Smith", "Smith", ""]
    table["year"] = pd.array([2019, 2020, None, 2001], dtype="Int64")
    shown = display_table(table)
    assert list(shown.columns[:5]) == ["cite", "title", "method", "direction", "population"]
    assert list(shown["cite"]) == ["Smith 2019", "Smith & Jones 2020", "Smith et al. n.d.",
                                   "(no author) 2001"]  # fmt: skip
    assert "study_id" not in SHOWN_COLUMNS and "study_id" in shown  # kept to open a study
