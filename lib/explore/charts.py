"""The Explore page's linked charts, and what a click on one of them means as a filter.

Every bar carries its meaning in Plotly's ``customdata`` as field/value pairs, e.g.
``["year", 2015, "method", "rct"]``; `selection_to_filters` reads those pairs back from
what ``st.plotly_chart(..., on_select=...)`` returns, so one function serves every chart
(the evidence map's cells too) and is tested on hand-built selection dicts.

Charts count like a cross-filter: each chart counts the studies matching every filter
*except* its own fields, so its bars stay visible when one is selected (the selected
bars are drawn solid, the rest faded), and a bar's height is the number of studies the
table shows after clicking it. A click replaces that field's selection with the clicked
values; box or lasso selections take every value selected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib.explore.counts import cross_counts
from lib.explore.filters import FILTER_FACETS, Filters, mask
from lib.explore.index import StudyIndex
from lib.explore.labels import (
    CODE_LABELS,
    NOT_CODED,
    code_label,
    count_text,
    facet_label,
    order_values,
    plot_text,
    wrap_label,
)
from lib.explore.palette import colour

__all__ = [
    "FADED",
    "base_layout",
    "category_axis",
    "count_axis",
    "customdata",
    "direction_theme_figure",
    "empty_figure",
    "facet_bar_figure",
    "figure",
    "selection_to_filters",
    "year_dtick",
    "year_method_figure",
]

FADED = 0.3  # opacity of bars outside the current selection
_FONT = {"size": 12}


def _index(studies: pd.DataFrame, index: StudyIndex | None) -> StudyIndex:
    if index is None:
        return StudyIndex(studies)
    index.check(studies)
    return index


def year_dtick(first: int, last: int) -> int:
    """Whole-year tick spacing that keeps ten ticks or fewer on the axis."""
    span = max(last - first, 0)
    for step in (1, 2, 5, 10, 20, 25, 50):
        if span / step <= 10:
            return step
    return 100


def count_axis(largest: int, title: str = "Studies") -> dict[str, Any]:
    """An axis of study counts with whole-number ticks only (no "0.5 studies")."""
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        step = candidate
        if largest / candidate <= 8:
            break
    return {
        "title": {"text": title},
        "rangemode": "tozero",
        "tick0": 0,
        "dtick": step,
        "tickformat": ",d",
    }


def figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> go.Figure:
    """A figure from plain dicts, not checked property by property.

    Plotly checks every property as a figure is built, which took two thirds of a filter
    change's time on the Explore page (tens of ms per chart); these figures are built from
    fixed code, and the tests build each one again with checking on
    (``go.Figure(fig.to_dict())``), so the check is skipped here (``_validate=False``,
    plotly's own switch for this).
    """
    return go.Figure(data=data, layout=layout, _validate=False)


def customdata(*columns: tuple[str, Sequence[object]]) -> np.ndarray:
    """Per point ``[field, value, field, value, ...]`` as one object array (Plotly checks
    a numpy array many times faster than a list of lists)."""
    length = len(columns[0][1]) if columns else 0
    out = np.empty((length, 2 * len(columns)), dtype=object)
    for i, (field, values) in enumerate(columns):
        out[:, 2 * i] = field
        out[:, 2 * i + 1] = list(values)
    return out


def empty_figure(message: str) -> go.Figure:
    """A blank chart that says why it is blank (plot-safe)."""
    return figure(
        [],
        {
            "annotations": [
                {"text": plot_text(message), "showarrow": False, "x": 0.5, "y": 0.5,
                 "xref": "paper", "yref": "paper", "font": {"size": 14}}
            ],
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "height": 260,
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        }
    )  # fmt: skip


def _selected(values: Sequence[str], chosen: Sequence[str]) -> np.ndarray:
    """Opacity per value: solid when nothing is chosen or the value is chosen."""
    if not chosen:
        return np.ones(len(values))
    wanted = set(chosen)
    return np.asarray([1.0 if v in wanted else FADED for v in values])


def base_layout(title: str, height: int, **more: Any) -> dict[str, Any]:
    """The layout every chart here shares (plot-safe title, click selects)."""
    layout: dict[str, Any] = {
        "title": {"text": plot_text(title), "font": {"size": 15}},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "font": _FONT,
        "legend": {"title": {"text": ""}, "traceorder": "normal"},
        # a click selects a bar; no "dragmode": "select" here: with it, plotly reads a
        # click as an empty box selection and Streamlit receives no point (seen in
        # Chromium). Box selection stays one click away in the chart's toolbar.
        "clickmode": "event+select",
    }
    layout.update(more)
    return layout


def category_axis(facet: str, order: Sequence[str], width: int = 24) -> dict[str, Any]:
    """A category axis in ``order`` whose tick labels are wrapped, plot-safe labels.

    The data keep the values (unique, safe to click); only the ticks show labels.
    """
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": list(order),
        "tickvals": list(order),
        "ticktext": [wrap_label(code_label(facet, v), width) for v in order],
        "automargin": True,  # the margin grows to fit the labels: none is cut off
    }


def year_method_figure(
    studies: pd.DataFrame, filters: Filters, index: StudyIndex | None = None
) -> go.Figure:
    """Studies per year, stacked by method; a click selects that year and method."""
    index = _index(studies, index)
    chosen = mask(studies, filters.without("year", "method"), index)
    table = cross_counts(index, chosen, "year", "method")
    if table.empty:
        return empty_figure("No studies with a year match the other filters")
    table["year"] = table["year"].astype(int)
    first, last = int(table["year"].min()), int(table["year"].max())
    year_filtered = filters.year_min is not None or filters.year_max is not None
    lo = filters.year_min if filters.year_min is not None else first
    hi = filters.year_max if filters.year_max is not None else last
    traces = []
    for method in order_values("method", table["method"].unique()):
        part = table[table["method"] == method]
        years = part["year"].to_numpy()
        label = plot_text(code_label("method", method))
        in_year = (years >= lo) & (years <= hi) if year_filtered else np.ones(len(years), bool)
        in_method = not filters.method or method in filters.method
        traces.append(
            {
                "type": "bar",
                "x": years,
                "y": part["count"].to_numpy(),
                "name": label,
                "marker": {
                    "color": colour("method", method),
                    "opacity": np.where(in_year & in_method, 1.0, FADED),
                },
                "customdata": customdata(
                    ("year", years.tolist()), ("method", [method] * len(years))
                ),
                "hovertemplate": f"%{{x}} · {label}<br>studies: %{{y}}<extra></extra>",
            }
        )
    step = year_dtick(first, last)
    # The legend goes under the chart, in rows: at its side, a dozen methods took more
    # than half of a half-width column and squeezed the bars into a sliver.
    layout = base_layout(
        "Studies per year, by method",
        330 + 20 * -(-len(traces) // 2),
        barmode="stack",
        bargap=0.1,
        legend={
            "title": {"text": ""},
            "traceorder": "normal",
            "orientation": "h",
            "entrywidth": 0.5,
            "entrywidthmode": "fraction",
            "font": {"size": 11},
            "x": 0,
            "xanchor": "left",
            "y": -0.22,
            "yanchor": "top",
        },
        xaxis={
            "title": {"text": "Year"},
            "tickmode": "linear",
            "tick0": first - first % step,
            "dtick": step,
            "tickformat": "d",
            "range": [first - 0.6, last + 0.6],
        },
        yaxis=count_axis(int(table.groupby("year")["count"].sum().max())),
    )
    missing = int((np.isnan(index.years) & chosen).sum())
    if missing:
        layout["annotations"] = [
            {"text": f"{count_text(missing)} without a year not shown", "xref": "paper",
             "yref": "paper", "x": 1, "y": 1.08, "showarrow": False, "font": {"size": 11}}
        ]  # fmt: skip
    return figure(traces, layout)


def facet_bar_figure(
    studies: pd.DataFrame,
    facet: str,
    filters: Filters,
    index: StudyIndex | None = None,
    *,
    top: int | None = None,
) -> go.Figure:
    """Horizontal bars: studies per value of ``facet``; a click selects that value.

    ``top`` keeps the values with most studies (for facets with many, such as country).
    """
    index = _index(studies, index)
    own = filters.without(facet) if facet in FILTER_FACETS else filters
    chosen = mask(studies, own, index)
    values = index.facet(facet)
    table = pd.DataFrame({"value": list(values.categories), "count": values.count(chosen)})
    table = table[table["count"] > 0]
    uncoded = int((chosen & ~index.present(facet)).sum())
    if table.empty and not uncoded:
        return empty_figure("No studies match the other filters")
    if facet not in CODE_LABELS:  # names (countries, databases): most studies first
        table = table.sort_values("count", ascending=False, kind="stable")
    hidden = 0
    if top is not None and len(table) > top:
        kept = table.sort_values("count", ascending=False, kind="stable").head(top)
        hidden = len(table) - len(kept)
        table = kept
    if uncoded:  # studies without a code get a bar of their own, last, never dropped
        extra = pd.DataFrame({"value": [NOT_CODED], "count": [uncoded]})
        table = pd.concat([table, extra], ignore_index=True)
    order = list(table["value"])
    selected = filters.values(facet) if facet in FILTER_FACETS else ()
    trace = {
        "type": "bar",
        "orientation": "h",
        "y": np.asarray(order, dtype=object),
        "x": table["count"].to_numpy(),
        "marker": {
            "color": [colour(facet, v) for v in order],
            "opacity": _selected(order, selected),
        },
        "customdata": customdata((facet, order)),
        "text": np.asarray([plot_text(code_label(facet, v)) for v in order], dtype=object),
        "hovertemplate": "%{text}<br>studies: %{x}<extra></extra>",
        "textposition": "none",
    }
    title = f"Studies per {facet_label(facet).lower()}"
    if hidden:
        title += f" (top {len(order)}; {hidden} more not shown)"
    layout = base_layout(
        title,
        max(260, 60 + 34 * len(order)),
        showlegend=False,
        yaxis={**category_axis(facet, order), "autorange": "reversed"},
        xaxis=count_axis(int(table["count"].max())),
    )
    return figure([trace], layout)


def direction_theme_figure(
    studies: pd.DataFrame, filters: Filters, index: StudyIndex | None = None
) -> go.Figure:
    """Per theme, its studies stacked by direction of findings; a click selects both."""
    index = _index(studies, index)
    chosen = mask(studies, filters.without("themes", "direction"), index)
    table = cross_counts(index, chosen, "themes", "direction", missing=("themes",))
    if table.empty:
        return empty_figure("No themes coded among the matching studies")
    themes = order_values("themes", table["themes"].unique())
    traces = []
    for direction in order_values("direction", table["direction"].unique()):
        part = table[table["direction"] == direction]
        label = plot_text(code_label("direction", direction))
        in_dir = not filters.direction or direction in filters.direction
        part_themes = part["themes"].tolist()
        opacity = [
            1.0 if in_dir and (not filters.themes or t in filters.themes) else FADED
            for t in part_themes
        ]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": np.asarray(part_themes, dtype=object),
                "x": part["count"].to_numpy(),
                "name": label,
                "marker": {"color": colour("direction", direction), "opacity": np.asarray(opacity)},
                "customdata": customdata(
                    ("themes", part_themes), ("direction", [direction] * len(part_themes))
                ),
                "text": np.asarray(
                    [plot_text(code_label("themes", t)) for t in part_themes], dtype=object
                ),
                "hovertemplate": f"%{{text}} · {label}<br>studies: %{{x}}<extra></extra>",
                "textposition": "none",
            }
        )
    layout = base_layout(
        "Direction of findings by theme",
        max(300, 80 + 34 * len(themes)),
        barmode="stack",
        yaxis={**category_axis("themes", themes), "autorange": "reversed"},
        xaxis=count_axis(int(table.groupby("themes")["count"].sum().max())),
    )
    return figure(traces, layout)


# -- selections ------------------------------------------------------------------------------
def _points(selection: object) -> list[Mapping[str, Any]]:
    """The selected points of a Plotly event, however much of the event was passed."""
    if not isinstance(selection, Mapping):
        return []
    inner = selection.get("selection", selection)
    if not isinstance(inner, Mapping):
        return []
    points = inner.get("points", [])
    if not isinstance(points, Sequence) or isinstance(points, str | bytes):
        return []
    return [p for p in points if isinstance(p, Mapping)]


def _pairs(customdata: object) -> list[tuple[str, object]]:
    if not isinstance(customdata, Sequence) or isinstance(customdata, str | bytes):
        return []
    items = list(customdata)
    return [
        (items[i], items[i + 1]) for i in range(0, len(items) - 1, 2) if isinstance(items[i], str)
    ]


def _as_year(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer) or (isinstance(value, float) and value.is_integer()):
        year = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        year = int(value.strip())
    else:
        return None
    return year if 0 <= year <= 9999 else None


def selection_to_filters(selection: object, current: Filters) -> Filters:
    """The filter after a chart selection: each field in the selected points' customdata
    replaces that field's selection (years become a range from first to last).

    An empty selection (a click on the background, a double-click to clear) or points
    without readable customdata leave ``current`` unchanged; so does a click on a "Not
    coded" bar (`NOT_CODED` is not a value a filter can hold).
    """
    chosen: dict[str, list[str]] = {}
    years: list[int] = []
    for point in _points(selection):
        for field, value in _pairs(point.get("customdata")):
            if field == "year":
                year = _as_year(value)
                if year is not None:
                    years.append(year)
            elif (
                field in FILTER_FACETS
                and isinstance(value, str)
                and value.strip()
                and value != NOT_CODED  # no filter selects "no code"; see evidence_map.cell_of
            ):
                chosen.setdefault(field, []).append(value)
    changes: dict[str, Any] = dict(chosen)
    if years:
        changes.update(year_min=min(years), year_max=max(years))
    return current.replace(**changes) if changes else current
