"""The evidence map: where studies are (facet × facet bubbles), who found them, and where.

- `bubble_matrix` / `bubble_figure`: one bubble per cell of two facets (method ×
  population by default), its area the number of studies, its colour the share of
  those studies whose findings go one way (benefit by default; the hover gives every
  direction). A click on a bubble gives, through `charts.selection_to_filters`, the
  filter for the studies in that cell.
- `overlap_combinations` / `upset_figure` and `overlap_matrix` / `overlap_figure`:
  which databases found which studies (an UpSet-style chart: one bar per exact set of
  databases, dots below saying which; and a database × database matrix).
- `lib.explore.countries`: studies per country, on a world map.

A study with several values in a facet sits in several cells (see `lib.explore.counts`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lib.explore.charts import (
    base_layout,
    category_axis,
    count_axis,
    customdata,
    empty_figure,
    figure,
    selection_to_filters,
)
from lib.explore.counts import NOT_CODED, cross_counts, membership
from lib.explore.filters import FILTER_FACETS, Filters, mask
from lib.explore.index import StudyIndex
from lib.explore.labels import code_label, count_text, facet_label, order_values, plot_text
from lib.explore.palette import colour, direction_scale, mix, text_on

__all__ = [
    "AXES",
    "DIRECTIONS",
    "bubble_figure",
    "bubble_matrix",
    "cell_mask",
    "cell_of",
    "overlap_combinations",
    "overlap_figure",
    "overlap_matrix",
    "upset_figure",
]

# Facets a map axis can show (databases too: "which source found which method").
AXES: tuple[str, ...] = FILTER_FACETS
DIRECTIONS: tuple[str, ...] = ("benefit", "mixed", "challenge", "null", "unclear")
_MAX_BUBBLE_PX = 46
_MIN_BUBBLE_PX = 18


def _index(studies: pd.DataFrame, index: StudyIndex | None) -> StudyIndex:
    if index is None:
        return StudyIndex(studies)
    index.check(studies)
    return index


def bubble_matrix(
    studies: pd.DataFrame,
    filters: Filters,
    x: str = "method",
    y: str = "population",
    index: StudyIndex | None = None,
) -> pd.DataFrame:
    """One row per non-empty cell: ``x``, ``y`` (values), ``n`` (studies) and one
    ``share_<direction>`` column per direction (0..1, of the cell's studies).

    Studies with no code in ``x`` or ``y`` are in the `NOT_CODED` column or row, so every
    matching study is on the map."""
    if x == y:
        raise ValueError(f"choose two different facets for the axes (both are {x!r})")
    for axis in (x, y):
        if axis not in AXES:
            raise ValueError(f"{axis!r} cannot be a map axis; choose one of {', '.join(AXES)}")
    index = _index(studies, index)
    chosen = mask(studies, filters, index)
    cells = cross_counts(index, chosen, x, y, missing=(x, y)).rename(columns={"count": "n"})
    columns = [x, y, "n", *(f"share_{d}" for d in DIRECTIONS)]
    if cells.empty:
        return pd.DataFrame(columns=columns)
    keys = [x, y]
    if "direction" in keys:  # the direction is an axis: each cell is all one direction
        by_dir = cells.rename(columns={"n": "k"})
        by_dir["direction_"] = cells["direction"]
    else:
        by_dir = cross_counts(index, chosen, x, y, "direction", missing=(x, y))
        by_dir = by_dir.rename(columns={"count": "k", "direction": "direction_"})
    wide = by_dir.pivot_table(index=keys, columns="direction_", values="k", aggfunc="sum")
    wide = wide.reindex(columns=list(DIRECTIONS), fill_value=0).fillna(0)
    out = cells.merge(wide.reset_index(), on=keys, how="left").fillna(0)
    for d in DIRECTIONS:
        out[f"share_{d}"] = out[d].astype(float) / out["n"].astype(float)
    return out[columns].reset_index(drop=True)


def cell_of(selection: object, current: Filters) -> tuple[Filters, tuple[str, ...]]:
    """What a click on a bubble selects: the filter of its cell, and the facets whose
    value there is `NOT_CODED` (studies with no code in that facet, which no filter
    value can select: `cell_mask` applies them)."""
    uncoded: list[str] = []
    points = selection.get("selection", selection) if isinstance(selection, dict) else None
    for point in (points or {}).get("points", []) if isinstance(points, dict) else []:
        data = point.get("customdata") if isinstance(point, dict) else None
        if isinstance(data, list | tuple):
            pairs = zip(data[::2], data[1::2], strict=False)
            uncoded += [f for f, v in pairs if v == NOT_CODED and f in FILTER_FACETS]
    cell = selection_to_filters(selection, current)
    return (cell.without(*uncoded) if uncoded else cell), tuple(dict.fromkeys(uncoded))


def cell_mask(
    studies: pd.DataFrame,
    cell: tuple[Filters, tuple[str, ...]],
    index: StudyIndex | None = None,
) -> np.ndarray:
    """The studies of a `cell_of` selection."""
    index = _index(studies, index)
    filters, uncoded = cell
    out = mask(studies, filters, index).copy()
    for facet in uncoded:
        out &= ~index.present(facet)
    return out


def _hover(row: pd.Series, x: str, y: str) -> str:
    shares = ", ".join(
        f"{plot_text(code_label('direction', d))} {row[f'share_{d}']:.0%}"
        for d in DIRECTIONS
        if row[f"share_{d}"] > 0
    )
    return (
        f"{plot_text(facet_label(x))}: {plot_text(code_label(x, row[x]))}<br>"
        f"{plot_text(facet_label(y))}: {plot_text(code_label(y, row[y]))}<br>"
        f"{count_text(int(row['n']))}<br>{shares}"
    )


def _one_line(name: str, limit: int = 40) -> str:
    """A database name on one line (long ones shortened; the hover has them whole)."""
    text = name if len(name) <= limit else name[: limit - 1].rstrip() + "…"
    return plot_text(text)


def _x_axis(facet: str, order: list[str]) -> dict[str, Any]:
    """The map's column labels, below it: wrapped when there are few columns, else one
    line each at an angle, so that neighbours never overlap (long labels are shortened;
    the hover gives them whole). Below, not on top, where long labels ran into the title."""
    axis = {**category_axis(facet, order, 14), "side": "bottom"}
    if len(order) <= 5:
        return {**axis, "tickangle": 0}
    labels = [code_label(facet, v) for v in order]
    short = [t if len(t) <= 26 else t[:25].rstrip() + "…" for t in labels]
    return {**axis, "ticktext": [plot_text(t) for t in short], "tickangle": -40}


def bubble_figure(matrix: pd.DataFrame, x: str, y: str, colour_by: str = "benefit") -> go.Figure:
    """The bubble chart of a `bubble_matrix`: area = studies (the count is written in
    each bubble), colour = share of ``colour_by`` findings."""
    if colour_by not in DIRECTIONS:
        raise ValueError(f"colour by one of {', '.join(DIRECTIONS)}, not {colour_by!r}")
    if matrix.empty:
        return empty_figure("No studies match: clear a filter")
    x_order = order_values(x, matrix[x].unique())
    y_order = order_values(y, matrix[y].unique())
    n = matrix["n"].to_numpy()
    shares = matrix[f"share_{colour_by}"].to_numpy()
    scale = direction_scale(colour_by)
    label = code_label("direction", colour_by)
    trace: dict[str, Any] = {
        "type": "scatter",
        "mode": "markers+text",
        "x": matrix[x].to_numpy(dtype=object),
        "y": matrix[y].to_numpy(dtype=object),
        "marker": {
            "size": n,
            "sizemode": "area",
            "sizeref": 2.0 * max(int(n.max()), 1) / _MAX_BUBBLE_PX**2,
            "sizemin": _MIN_BUBBLE_PX,  # room for a two-digit count
            "color": shares,
            "cmin": 0,
            "cmax": 1,
            "colorscale": scale,
            "line": {"width": 1, "color": "#555555"},
            "colorbar": {
                "title": {"text": plot_text(f"Share {label.lower()}")},
                "tickformat": ".0%",
                "outlinewidth": 1,
                "outlinecolor": "#555555",
            },
        },
        "text": np.asarray([f"{int(v):,}" for v in n], dtype=object),
        "textposition": "middle center",
        "textfont": {"size": 11, "color": [text_on(mix(scale, s)) for s in shares]},
        "customdata": customdata((x, matrix[x].tolist()), (y, matrix[y].tolist())),
        "hovertext": np.asarray([_hover(row, x, y) for _, row in matrix.iterrows()], dtype=object),
        "hovertemplate": "%{hovertext}<extra></extra>",
    }
    layout = base_layout(
        f"{facet_label(x)} × {facet_label(y)}: "
        f"bubble area = studies, colour = share {label.lower()}",
        max(380, 140 + 48 * len(y_order)),
        showlegend=False,
        xaxis=_x_axis(x, x_order),
        # no axis titles: the chart's title names both facets (a title beside long row
        # labels ran into them)
        yaxis={**category_axis(y, y_order, 24), "autorange": "reversed"},
    )  # fmt: skip
    return figure([trace], layout)


# -- sources ---------------------------------------------------------------------------------
def overlap_combinations(
    studies: pd.DataFrame, filters: Filters | None = None, index: StudyIndex | None = None
) -> pd.DataFrame:
    """Studies per exact set of databases that found them: columns ``databases`` (a
    tuple), ``label`` ("PubMed + Scopus"), ``size`` (how many databases), ``count``;
    most studies first."""
    index = _index(studies, index)
    chosen = mask(studies, filters or Filters(), index)
    found = membership(index, "databases")[chosen]
    names = index.facet("databases").categories
    columns = ["databases", "label", "size", "count"]
    if not len(found) or not names:
        return pd.DataFrame(columns=columns)
    patterns, counts = np.unique(found, axis=0, return_counts=True)
    rows = []
    for pattern, count in zip(patterns, counts, strict=True):
        dbs = tuple(names[i] for i in np.flatnonzero(pattern))
        rows.append((dbs, " + ".join(dbs) or "(no database)", len(dbs), int(count)))
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["count", "size"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def upset_figure(combinations: pd.DataFrame, top: int = 20) -> go.Figure:
    """UpSet-style: bars of studies per exact database set, dots below naming the set."""
    if combinations.empty:
        return empty_figure("No studies match: clear a filter")
    shown = combinations.head(top).reset_index(drop=True)
    dbs = order_values("databases", {d for combo in combinations["databases"] for d in combo})
    dots_px = 26 * len(dbs)  # a row of dots per database, a line of text apart
    bars_px = 260
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[bars_px / (bars_px + dots_px), dots_px / (bars_px + dots_px)],
        vertical_spacing=0.03,
    )
    xs = list(range(len(shown)))
    fig.add_trace(
        go.Bar(
            x=xs,
            y=shown["count"].to_numpy(),
            marker={"color": "#5D69B1"},
            text=np.asarray([plot_text(v) for v in shown["label"]], dtype=object),
            hovertemplate="%{text}<br>studies: %{y}<extra></extra>",
            textposition="none",
        ),
        row=1,
        col=1,
    )
    dot_x, dot_y, dot_c = [], [], []
    for i, combo in enumerate(shown["databases"]):
        for db in dbs:
            dot_x.append(i)
            dot_y.append(db)
            dot_c.append(colour("databases", db) if db in combo else "#E0E0E0")
    fig.add_trace(
        go.Scatter(
            x=dot_x,
            y=np.asarray(dot_y, dtype=object),
            mode="markers",
            marker={"size": 12, "color": dot_c},
            hoverinfo="skip",
        ),
        row=2,
        col=1,
    )
    fig.update_layout(
        **base_layout(
            "Which databases found which studies (one bar per exact set of databases)",
            bars_px + dots_px + 90,
            showlegend=False,
        )
    )
    fig.update_xaxes(showticklabels=False, row=1, col=1)
    fig.update_xaxes(showticklabels=False, title={"text": ""}, row=2, col=1)
    fig.update_yaxes(**count_axis(int(shown["count"].max())), row=1, col=1)
    names = {**category_axis("databases", dbs), "ticktext": [_one_line(d) for d in dbs]}
    fig.update_yaxes(**names, autorange="reversed", row=2, col=1)
    return fig


def overlap_matrix(
    studies: pd.DataFrame, filters: Filters | None = None, index: StudyIndex | None = None
) -> pd.DataFrame:
    """Database × database: studies found by both (the diagonal: found by that one)."""
    index = _index(studies, index)
    chosen = mask(studies, filters or Filters(), index)
    found = membership(index, "databases")[chosen].astype(np.int64)
    names = list(index.facet("databases").categories)
    return pd.DataFrame(found.T @ found, index=names, columns=names)


def overlap_figure(matrix: pd.DataFrame) -> go.Figure:
    """The database × database matrix as a heatmap with counts written in."""
    if matrix.empty or not matrix.to_numpy().any():
        return empty_figure("No studies match: clear a filter")
    names = list(matrix.index)
    values = matrix.to_numpy()
    trace = {
        "type": "heatmap",
        "z": values,
        "x": np.asarray(names, dtype=object),
        "y": np.asarray(names, dtype=object),
        "colorscale": [[0.0, "#F7FBFF"], [1.0, "#08519C"]],
        "text": values.astype(str),
        "texttemplate": "%{text}",
        # names as plot-safe text (the axis values themselves are raw, for the ticks' sake)
        "hovertext": np.asarray(
            [
                [
                    f"{plot_text(a)} and {plot_text(b)}<br>studies: {values[i, j]}"
                    for j, b in enumerate(names)
                ]
                for i, a in enumerate(names)
            ],
            dtype=object,
        ),
        "hovertemplate": "%{hovertext}<extra></extra>",
        "showscale": False,
    }
    layout = base_layout(
        "Studies found by both databases (diagonal: by that database)",
        max(320, 120 + 50 * len(names)),
        xaxis=_x_axis("databases", names),
        yaxis={**category_axis("databases", names, 20), "autorange": "reversed"},
    )
    return figure([trace], layout)
