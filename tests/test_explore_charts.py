"""The linked charts: what a click means, whole years, one colour per code, safe labels.

AppTest cannot click a chart, so selections are hand-built in the shape
``st.plotly_chart(..., on_select=...)`` returns (points with their ``customdata``).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.explore import charts, evidence_map
from lib.explore.filters import Filters, apply
from lib.explore.index import StudyIndex
from lib.explore.labels import NOT_CODED, plot_text, wrap_label
from lib.explore.palette import FIXED, PALETTE, colour
from tests.factories import make_studies

TABLE = make_studies(300, seed=21)
INDEX = StudyIndex(TABLE)


def click(*customdata: list[object]) -> dict[str, object]:
    """A selection event as Streamlit hands it over."""
    points = [
        {"curve_number": 0, "point_number": i, "point_index": i, "customdata": list(cd)}
        for i, cd in enumerate(customdata)
    ]
    return {"selection": {"points": points, "point_indices": list(range(len(points))),
                          "box": [], "lasso": []}}  # fmt: skip


def points_of(fig) -> list[tuple[float, list[object]]]:
    """Every bar of a figure: (its length, its customdata)."""
    out = []
    for trace in fig.data:
        lengths = trace.y if trace.orientation != "h" else trace.x
        for length, cd in zip(lengths, trace.customdata, strict=True):
            out.append((float(length), list(cd)))
    return out


# -- selections -> filters ---------------------------------------------------------------------
def test_a_click_on_a_year_method_bar_selects_that_year_and_method() -> None:
    current = Filters(population=("women",), method=("survey",))
    f = charts.selection_to_filters(click(["year", 2015, "method", "rct"]), current)
    assert f == Filters(population=("women",), method=("rct",), year_min=2015, year_max=2015)


def test_a_box_over_several_bars_takes_every_value_and_the_year_span() -> None:
    sel = click(["year", 2014, "method", "rct"], ["year", 2010, "method", "survey"],
                ["year", 2012, "method", "rct"])  # fmt: skip
    f = charts.selection_to_filters(sel, Filters())
    assert f == Filters(method=("rct", "survey"), year_min=2010, year_max=2014)


def test_a_click_on_a_facet_bar_replaces_that_facets_selection_only() -> None:
    current = Filters(population=("women", "staff"), themes=("wellbeing",), query="peer")
    f = charts.selection_to_filters(click(["population", "reentry"]), current)
    assert f == Filters(population=("reentry",), themes=("wellbeing",), query="peer")


def test_the_inner_selection_dict_works_too() -> None:
    inner = click(["direction", "benefit"])["selection"]
    assert charts.selection_to_filters(inner, Filters()).direction == ("benefit",)


@pytest.mark.parametrize(
    "selection",
    [
        None,
        "population",
        {},
        {"selection": None},
        {"selection": {"points": []}},
        {"selection": {"points": "abc"}},
        {"selection": {"points": [None, 3, {"x": 1}]}},
        click(["population"]),  # a field without a value
        click([3, "women"]),  # a field that is not a name
        click(["nonsense", "x"]),  # a field no filter has
        click(["year", "twenty"], ["year", 1e9], ["year", True]),
        click(["population", ""], ["population", 7]),
    ],
)
def test_an_empty_or_unreadable_selection_leaves_the_filter_alone(selection: object) -> None:
    current = Filters(population=("women",), year_min=2000)
    assert charts.selection_to_filters(selection, current) == current


_JSONISH = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)


@settings(max_examples=300)
@given(st.one_of(_JSONISH, st.builds(lambda pts: {"selection": {"points": pts}},
                                     st.lists(_JSONISH, max_size=4))))  # fmt: skip
def test_no_selection_shape_makes_it_raise(selection: object) -> None:
    assert isinstance(charts.selection_to_filters(selection, Filters()), Filters)


# -- a bar's height is what clicking it shows ---------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda f: charts.year_method_figure(TABLE, f, INDEX),
        lambda f: charts.facet_bar_figure(TABLE, "population", f, INDEX),
        lambda f: charts.direction_theme_figure(TABLE, f, INDEX),
        lambda f: charts.facet_bar_figure(TABLE, "country", f, INDEX, top=5),
    ],
)
@pytest.mark.parametrize(
    "current", [Filters(), Filters(population=("women",), databases=("Scopus",))]
)
def test_clicking_a_bar_shows_as_many_studies_as_the_bar_is_long(make, current) -> None:
    fig = make(current)
    bars = points_of(fig)
    assert bars
    for length, customdata in bars:
        if NOT_CODED in customdata:  # the studies with no code: what the map lists for it
            cell = evidence_map.cell_of(click(customdata), current)
            assert evidence_map.cell_mask(TABLE, cell, INDEX).sum() == length
            continue
        chosen = charts.selection_to_filters(click(customdata), current)
        assert len(apply(TABLE, chosen, INDEX)) == length


def test_bars_outside_the_selection_are_faded() -> None:
    fig = charts.facet_bar_figure(TABLE, "population", Filters(population=("women",)), INDEX)
    trace = fig.data[0]
    opacity = dict(zip(trace.y, trace.marker.opacity, strict=True))
    assert opacity["women"] == 1.0
    assert {v for k, v in opacity.items() if k != "women"} == {charts.FADED}


# -- whole years -----------------------------------------------------------------------------
@pytest.mark.parametrize("first, last", [(2019, 2021), (2000, 2010), (1975, 2025), (1900, 2025)])
def test_the_year_axis_shows_whole_years_and_not_too_many(first: int, last: int) -> None:
    table = make_studies(60, seed=3)
    table["year"] = np.linspace(first, last, 60).round().astype(int)
    fig = charts.year_method_figure(table, Filters())
    axis = fig.layout.xaxis
    assert axis.tickformat == "d" and axis.tickmode == "linear"
    assert isinstance(axis.dtick, int) and axis.dtick >= 1 and float(axis.tick0).is_integer()
    assert (last - first) / axis.dtick <= 14
    for trace in fig.data:
        assert all(float(x).is_integer() for x in trace.x)


def test_studies_without_a_year_are_counted_in_a_note() -> None:
    table = make_studies(20, seed=3)
    table.loc[:4, "year"] = None
    fig = charts.year_method_figure(table, Filters())
    assert sum(sum(t.y) for t in fig.data) == 15
    assert "5 studies without a year" in fig.layout.annotations[0].text


def test_studies_without_a_population_get_a_not_coded_bar() -> None:
    """Issue 12, wrong result 6: uncoded studies vanished from the population chart."""
    uncoded = int((TABLE["population"].map(len) == 0).sum())
    assert uncoded > 0
    fig = charts.facet_bar_figure(TABLE, "population", Filters(), INDEX)
    trace = fig.data[0]
    assert list(trace.y)[-1] == NOT_CODED and list(trace.x)[-1] == uncoded
    assert fig.layout.yaxis.ticktext[-1] == "Not coded"
    assert trace.marker.color[-1] == colour("population", NOT_CODED)
    # a click on it cannot become a filter (no filter selects "no code"): nothing changes
    click_it = click(list(trace.customdata[-1]))
    assert charts.selection_to_filters(click_it, Filters(method=("rct",))) == Filters(
        method=("rct",)
    )
    # with top, the not-coded bar is kept beside the largest values
    top = charts.facet_bar_figure(TABLE, "country", Filters(), INDEX, top=3).data[0]
    assert len(top.y) == 4 and list(top.y)[-1] == NOT_CODED


def test_studies_without_a_theme_are_counted_by_direction_too() -> None:
    fig = charts.direction_theme_figure(TABLE, Filters(), INDEX)
    shown = sum(
        n for trace in fig.data for t, n in zip(trace.y, trace.x, strict=True) if t == NOT_CODED
    )
    assert shown == int((TABLE["themes"].map(len) == 0).sum())


def test_no_matching_studies_gives_a_chart_that_says_so() -> None:
    fig = charts.facet_bar_figure(TABLE, "population", Filters(query="zzzz-nothing"), INDEX)
    assert not fig.data and "No studies match" in fig.layout.annotations[0].text


# -- colours and labels ----------------------------------------------------------------------
def test_one_code_has_one_colour_in_every_chart() -> None:
    year = charts.year_method_figure(TABLE, Filters(), INDEX)
    other = charts.year_method_figure(make_studies(50, seed=9), Filters(population=("women",)))
    for fig in (year, other):
        for trace in fig.data:
            method = trace.customdata[0][3]
            assert trace.marker.color == colour("method", method) == FIXED["method"][method]
    themes = charts.direction_theme_figure(TABLE, Filters(), INDEX)
    for trace in themes.data:
        assert trace.marker.color == colour("direction", trace.customdata[0][3])
    bars = charts.facet_bar_figure(TABLE, "population", Filters(), INDEX).data[0]
    assert list(bars.marker.color) == [colour("population", v) for v in bars.y]


def test_values_outside_the_codebook_keep_one_colour_too() -> None:
    assert colour("country", "Côte d'Ivoire") == colour("country", "Côte d'Ivoire")
    assert colour("country", "Côte d'Ivoire") in PALETTE
    assert colour("direction", "benefit") != colour("direction", "challenge")


def test_record_text_in_a_chart_is_drawn_as_text() -> None:
    table = make_studies(10, seed=4)
    evil = "<a href='javascript:alert(1)'>x</a><b>bold</b>"
    table["country"] = [[evil]] * 10
    fig = charts.facet_bar_figure(table, "country", Filters())
    drawn = json.dumps([fig.layout.yaxis.ticktext, list(fig.data[0].text), fig.layout.title.text])
    assert "<a href" not in drawn and "<b>" not in drawn
    assert "&lt;a href=" in drawn
    assert list(fig.data[0].customdata[0]) == ["country", evil]  # the click still says it


def test_long_labels_wrap_and_stay_escaped() -> None:
    label = "Institutional barriers to peer support <in> high-security prisons"
    wrapped = wrap_label(label, 18)
    lines = wrapped.split("<br>")
    assert len(lines) == 3 and all(len(line) <= 22 for line in lines)
    assert "&lt;in&gt;" in wrapped and "<in>" not in wrapped
    assert wrapped.endswith("…")
    assert wrap_label("Short", 18) == "Short"
    assert plot_text("a & b <c>") == "a &amp; b &lt;c&gt;"


def test_every_chart_is_a_valid_plotly_figure() -> None:
    """Figures are built without plotly's per-property check (for speed); check them here."""
    import plotly.graph_objects as go

    from lib.explore import countries, evidence_map

    f = Filters(population=("women",), year_min=2000)
    matrix = evidence_map.bubble_matrix(TABLE, f, "method", "population", INDEX)
    combos = evidence_map.overlap_combinations(TABLE, f, INDEX)
    figures = [
        charts.year_method_figure(TABLE, f, INDEX),
        charts.facet_bar_figure(TABLE, "population", f, INDEX),
        charts.facet_bar_figure(TABLE, "country", f, INDEX, top=3),
        charts.direction_theme_figure(TABLE, f, INDEX),
        charts.empty_figure("nothing"),
        evidence_map.bubble_figure(matrix, "method", "population"),
        evidence_map.upset_figure(combos),
        evidence_map.overlap_figure(evidence_map.overlap_matrix(TABLE, f, INDEX)),
        countries.country_map(countries.country_table(TABLE, Filters(), INDEX)),
    ]
    for fig in figures:
        go.Figure(fig.to_dict())  # raises on any property plotly does not know


def test_a_click_selects_a_bar_in_the_browser() -> None:
    """With dragmode "select", plotly turns a click into an empty box selection, and the
    page never hears of the click (found driving the app in Chromium)."""
    fig = charts.facet_bar_figure(TABLE, "population", Filters(), INDEX)
    assert fig.layout.clickmode == "event+select"
    assert fig.layout.dragmode in (None, "zoom", "pan")
