"""The evidence map: bubbles count the right studies, a cell click lists them, sources overlap."""

from __future__ import annotations

from collections import Counter
from itertools import product

import numpy as np
import pytest

from lib.explore import charts, countries, evidence_map
from lib.explore.filters import Filters, apply
from lib.explore.index import StudyIndex
from lib.explore.labels import NOT_CODED
from tests.factories import make_studies

TABLE = make_studies(250, seed=31)
INDEX = StudyIndex(TABLE)


def values(cell: object) -> list[str]:
    return [cell] if isinstance(cell, str) else list(cell)


def brute_cells(table, x: str, y: str) -> Counter[tuple[str, str]]:
    """Studies per cell, counted row by row; a study with no code is in the "not coded"
    column or row."""
    cells: Counter[tuple[str, str]] = Counter()
    for _, row in table.iterrows():
        xs = set(values(row[x])) or {NOT_CODED}
        ys = set(values(row[y])) or {NOT_CODED}
        for a, b in product(xs, ys):
            cells[(a, b)] += 1
    return cells


@pytest.mark.parametrize(("x", "y"), [("method", "population"), ("themes", "country"),
                                      ("databases", "direction")])  # fmt: skip
def test_each_bubble_counts_the_studies_in_its_cell(x: str, y: str) -> None:
    f = Filters(setting=("prison",))
    matrix = evidence_map.bubble_matrix(TABLE, f, x, y, INDEX)
    got = {(r[x], r[y]): r["n"] for _, r in matrix.iterrows()}
    assert got == dict(brute_cells(apply(TABLE, f), x, y))


def test_studies_without_a_code_are_on_the_map_in_a_not_coded_row() -> None:
    """Issue 12, wrong result 6: a study with no population code vanished from the map."""
    uncoded = TABLE[TABLE["population"].map(len) == 0]
    assert len(uncoded) > 0
    matrix = evidence_map.bubble_matrix(TABLE, Filters(), "method", "population", INDEX)
    row = matrix[matrix["population"] == NOT_CODED]
    assert row["n"].sum() == len(uncoded)
    assert dict(zip(row["method"], row["n"], strict=True)) == dict(uncoded["method"].value_counts())
    # every study is in at least one cell of every column: none vanishes
    per_method = matrix.groupby("method")["n"].sum()
    assert (per_method >= TABLE["method"].value_counts().reindex(per_method.index)).all()
    fig = evidence_map.bubble_figure(matrix, "method", "population")
    assert fig.layout.yaxis.ticktext[-1] == "Not coded"  # the last row, in words


def test_clicking_a_not_coded_bubble_lists_exactly_its_studies() -> None:
    current = Filters(databases=("Scopus",))
    matrix = evidence_map.bubble_matrix(TABLE, current, "population", "country", INDEX)
    trace = evidence_map.bubble_figure(matrix, "population", "country").data[0]
    seen = 0
    for n, data in zip(matrix["n"], trace.customdata, strict=True):
        selection = {"selection": {"points": [{"customdata": list(data)}]}}
        cell = evidence_map.cell_of(selection, current)
        in_cell = evidence_map.cell_mask(TABLE, cell, INDEX)
        assert in_cell.sum() == n
        if NOT_CODED in list(data):
            seen += 1
            assert cell[1] and NOT_CODED not in str(cell[0])  # the filter holds no sentinel
            for facet in cell[1]:
                assert (TABLE.loc[in_cell, facet].map(len) == 0).all()
    assert seen >= 3  # population, country and both not coded


def test_shares_by_direction_are_the_cells_own() -> None:
    matrix = evidence_map.bubble_matrix(TABLE, Filters(), "method", "population", INDEX)
    shares = matrix[[f"share_{d}" for d in evidence_map.DIRECTIONS]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    row = matrix.iloc[0]
    in_cell = TABLE[(TABLE["method"] == row["method"])
                    & TABLE["population"].map(lambda p: row["population"] in p)]  # fmt: skip
    benefit = (in_cell["direction"] == "benefit").mean()
    assert row["share_benefit"] == pytest.approx(benefit)


def test_direction_as_an_axis_gives_whole_shares() -> None:
    matrix = evidence_map.bubble_matrix(TABLE, Filters(), "direction", "themes", INDEX)
    for _, row in matrix.iterrows():
        assert row[f"share_{row['direction']}"] == 1.0


def test_clicking_a_bubble_lists_exactly_its_studies() -> None:
    current = Filters(databases=("Scopus",))
    matrix = evidence_map.bubble_matrix(TABLE, current, "method", "population", INDEX)
    fig = evidence_map.bubble_figure(matrix, "method", "population")
    trace = fig.data[0]
    for n, customdata in zip(trace.marker.size, trace.customdata, strict=True):
        selection = {"selection": {"points": [{"customdata": list(customdata)}]}}
        cell = evidence_map.cell_of(selection, current)
        assert cell[0].databases == ("Scopus",)  # the page's filter still holds
        assert evidence_map.cell_mask(TABLE, cell, INDEX).sum() == n
        if not cell[1]:  # a coded cell is a filter Explore can show
            assert cell[0] == charts.selection_to_filters(selection, current)
            assert len(apply(TABLE, cell[0], INDEX)) == n


def test_bubbles_grow_with_studies_and_colour_by_the_chosen_direction() -> None:
    matrix = evidence_map.bubble_matrix(TABLE, Filters(), "method", "setting", INDEX)
    fig = evidence_map.bubble_figure(matrix, "method", "setting", colour_by="challenge")
    marker = fig.data[0].marker
    assert marker.sizemode == "area"
    assert list(marker.size) == list(matrix["n"])
    assert list(marker.color) == pytest.approx(list(matrix["share_challenge"]))
    assert (marker.cmin, marker.cmax) == (0, 1)


@pytest.mark.parametrize(
    ("x", "y", "message"),
    [("method", "method", "two different"), ("title", "method", "cannot be a map axis")],
)
def test_impossible_axes_are_refused_with_a_reason(x: str, y: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        evidence_map.bubble_matrix(TABLE, Filters(), x, y, INDEX)


def test_an_empty_map_says_what_to_do() -> None:
    matrix = evidence_map.bubble_matrix(TABLE, Filters(query="zzz-none"), "method", "population")
    assert matrix.empty
    fig = evidence_map.bubble_figure(matrix, "method", "population")
    assert "clear a filter" in fig.layout.annotations[0].text
    with pytest.raises(ValueError, match="colour by"):
        evidence_map.bubble_figure(matrix, "method", "population", colour_by="purple")


# -- sources ---------------------------------------------------------------------------------
def test_each_study_is_in_exactly_one_database_combination() -> None:
    combos = evidence_map.overlap_combinations(TABLE, Filters(method=("qualitative",)), INDEX)
    chosen = apply(TABLE, Filters(method=("qualitative",)))
    expected = Counter(tuple(sorted(dbs)) for dbs in chosen["databases"])
    assert {c: n for c, n in zip(combos["databases"], combos["count"], strict=True)} == expected
    assert list(combos["count"]) == sorted(combos["count"], reverse=True)
    assert combos["count"].sum() == len(chosen)
    assert all(label == " + ".join(c) for c, label in zip(combos["databases"], combos["label"],
                                                          strict=True))  # fmt: skip


def test_the_overlap_matrix_counts_studies_found_by_both() -> None:
    matrix = evidence_map.overlap_matrix(TABLE, Filters(), INDEX)
    assert (matrix.to_numpy() == matrix.to_numpy().T).all()
    for a in matrix.index:
        for b in matrix.columns:
            both = sum(1 for dbs in TABLE["databases"] if a in dbs and b in dbs)
            assert matrix.loc[a, b] == both


def test_source_figures_draw_every_database_in_its_colour() -> None:
    combos = evidence_map.overlap_combinations(TABLE, Filters(), INDEX)
    fig = evidence_map.upset_figure(combos, top=5)
    bars, dots = fig.data
    assert len(bars.x) == 5 and list(bars.y) == list(combos["count"][:5])
    assert set(dots.y) == {d for c in combos["databases"] for d in c}
    heat = evidence_map.overlap_figure(evidence_map.overlap_matrix(TABLE, Filters(), INDEX))
    assert heat.data[0].type == "heatmap"


def test_the_country_map_counts_each_study_once_per_country_with_uk_nations_rolled_up() -> None:
    table = make_studies(60, seed=3)
    table["country"] = [["England", "United Kingdom"], ["Wales", "Scotland"], ["Malta"],
                        ["Atlantis"], ["USA"], []] * 10  # fmt: skip
    places = countries.country_table(table, Filters())
    rows = {r.country: r for r in places.itertuples()}
    assert rows["United Kingdom"].studies == 20  # each study once, whichever nation
    assert rows["United Kingdom"].iso3 == "GBR"
    assert sorted(rows["United Kingdom"].names) == ["England", "Scotland", "United Kingdom",
                                                    "Wales"]  # fmt: skip
    assert rows["USA"].iso3 == "USA" and rows["USA"].studies == 10
    # not on the map, but listed (Malta is too small at 1:110m; Atlantis has no code)
    assert {r.country for r in places.itertuples() if not r.iso3} == {"Malta", "Atlantis"}
    assert list(places["iso3"][:2]) == ["GBR", "USA"]  # mapped countries first, most first
    fig = countries.country_map(places)
    trace = fig.data[0]
    assert list(trace.locations) == ["GBR", "USA"] and list(trace.z) == [20, 10]
    assert "coded as England" in trace.hovertext[0]
    # a click on the United Kingdom selects every name counted there
    click = {"selection": {"points": [{"customdata": list(trace.customdata[0])}]}}
    chosen = charts.selection_to_filters(click, Filters())
    assert set(chosen.country) == {"England", "Scotland", "United Kingdom", "Wales"}
    assert len(apply(table, chosen)) == 20


def test_every_country_of_the_codebook_has_a_code_or_is_a_uk_nation() -> None:
    from lib.coding import default_codebook_path, load_codebook

    names = load_codebook(default_codebook_path()).facet("country").codes
    assert [n for n in names if countries.iso3(n) is None] == []
    assert {countries.iso3(n) for n in countries.UK_NATIONS} == {"GBR"}
    drawn = countries.on_the_map()
    assert {"GBR", "USA", "AUS", "NOR"} <= drawn and "MLT" not in drawn


def test_database_names_are_drawn_as_text_in_every_source_view() -> None:
    """What plotly draws (tick labels, titles, bar and hover texts) holds no markup from
    the data; the raw names stay only in the values a click reports."""
    table = make_studies(20, seed=5)
    evil = "<a href='javascript:alert(1)'>db</a>"
    table["databases"] = [[evil, "Scopus"]] * 10 + [["Scopus"]] * 10
    combos = evidence_map.overlap_combinations(table)
    matrix = evidence_map.overlap_matrix(table)
    for fig in (evidence_map.upset_figure(combos), evidence_map.overlap_figure(matrix)):
        drawn: list[str] = [fig.layout.title.text or ""]
        for name in dir(fig.layout):
            if name.startswith(("xaxis", "yaxis")):
                drawn += [str(t) for t in (getattr(fig.layout, name).ticktext or ())]
        for trace in fig.data:
            template = getattr(trace, "hovertemplate", None) or ""
            for axis in ("x", "y"):  # a raw name dropped into the hover box is drawn as markup
                values = getattr(trace, axis, None)
                if values is not None and any(isinstance(v, str) for v in values):
                    assert f"%{{{axis}}}" not in template
            for field in ("text", "hovertext", "name"):
                value = getattr(trace, field, None)
                if value is not None:
                    drawn += [str(v) for v in np.asarray(value, dtype=object).ravel()]
        joined = " ".join(drawn)
        assert "<a href" not in joined and "&lt;a" in joined
