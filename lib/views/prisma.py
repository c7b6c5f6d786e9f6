"""The PRISMA 2020 identification flow: records per database → duplicates → studies.

The counts come from the project (`from_project` takes those of
`lib.project.duplicates.prisma_counts`) or any plain dict::

    {"identified": {"Scopus": 120, "PubMed": 80}, "duplicates_removed": 70, "studies": 125}

`prisma_counts` checks it (a count that cannot be right is a `ValueError` saying which),
`prisma_table` gives the rows a reviewer copies into a report, and `prisma_figure` draws
the identification part of the PRISMA 2020 flow diagram. When several reports of one
study were grouped, records after duplicate removal exceed studies, and the figure says
how many reports were grouped (PRISMA 2020 counts studies and reports apart).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from lib.explore.charts import figure
from lib.explore.labels import plot_text
from lib.spreadsheet import safe_cell

__all__ = [
    "PrismaCounts",
    "from_project",
    "prisma_counts",
    "prisma_csv",
    "prisma_figure",
    "prisma_table",
]


@dataclass(frozen=True, slots=True)
class PrismaCounts:
    """Checked PRISMA identification counts."""

    identified: dict[str, int]
    duplicates_removed: int
    studies: int

    @property
    def total_identified(self) -> int:
        return sum(self.identified.values())

    @property
    def after_duplicates(self) -> int:
        """Records left once duplicates are removed (each a report of some study)."""
        return self.total_identified - self.duplicates_removed

    @property
    def reports_grouped(self) -> int:
        """Reports that joined another report's study (other reports of the same study)."""
        return self.after_duplicates - self.studies


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            as_float = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{what} must be a whole number, not {value!r}") from None
        if not as_float.is_integer():
            raise ValueError(f"{what} must be a whole number, not {value!r}")
        value = int(as_float)
    if value < 0:
        raise ValueError(f"{what} cannot be negative ({value})")
    return value


def prisma_counts(counts: Mapping[str, Any]) -> PrismaCounts:
    """Check a counts dict (see the module docstring); `ValueError` names what is wrong."""
    identified_raw = counts.get("identified")
    if not isinstance(identified_raw, Mapping):
        raise ValueError("'identified' must map each database to its number of records")
    identified = {
        str(db) or "(no database label)": _count(n, f"records identified from {db!r}")
        for db, n in identified_raw.items()
    }
    duplicates = _count(counts.get("duplicates_removed", 0), "duplicates removed")
    studies = _count(counts.get("studies", 0), "studies")
    result = PrismaCounts(identified, duplicates, studies)
    if duplicates > result.total_identified:
        raise ValueError(
            f"{duplicates} duplicates removed but only {result.total_identified} records "
            "identified; the counts disagree"
        )
    if studies > result.after_duplicates:
        raise ValueError(
            f"{studies} studies from only {result.after_duplicates} records left after "
            "removing duplicates; the counts disagree"
        )
    return result


def from_project(counts: Mapping[str, Any]) -> PrismaCounts:
    """The flow from a project's counts (`lib.project.duplicates.prisma_counts`: records
    per database label, duplicates removed, studies)."""
    return prisma_counts(
        {
            "identified": counts["by_database"],
            "duplicates_removed": counts["duplicates_removed"],
            "studies": counts["studies"],
        }
    )


def prisma_table(counts: PrismaCounts | Mapping[str, Any]) -> pd.DataFrame:
    """Rows ``stage``, ``detail``, ``n`` in the order of the flow diagram."""
    c = counts if isinstance(counts, PrismaCounts) else prisma_counts(counts)
    rows: list[tuple[str, str, int]] = [
        ("Identification", f"Records identified from {db}", n) for db, n in c.identified.items()
    ]
    rows.append(("Identification", "Records identified (all databases)", c.total_identified))
    rows.append(("Identification", "Duplicate records removed", c.duplicates_removed))
    rows.append(("Identification", "Records after duplicates removed", c.after_duplicates))
    if c.reports_grouped:
        rows.append(("Identification", "Reports grouped with another report of the same study",
                     c.reports_grouped))  # fmt: skip
    rows.append(("Studies", "Studies", c.studies))
    return pd.DataFrame(rows, columns=["stage", "detail", "n"])


def _box(x0: float, y0: float, x1: float, y1: float, colour: str = "#FFFFFF") -> dict[str, Any]:
    return {
        "type": "rect", "xref": "x", "yref": "y", "x0": x0, "y0": y0, "x1": x1, "y1": y1,
        "line": {"color": "#333333", "width": 1.2}, "fillcolor": colour, "layer": "below",
    }  # fmt: skip


def _text(x: float, y: float, text: str, **more: Any) -> dict[str, Any]:
    return {
        "x": x, "y": y, "xref": "x", "yref": "y", "text": text, "showarrow": False,
        "align": "center", "font": {"size": 13, "color": "#222222"}, **more,
    }  # fmt: skip


def _arrow(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {
        "x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x",
        "ayref": "y", "showarrow": True, "arrowhead": 2, "arrowsize": 1.2, "arrowwidth": 1.4,
        "arrowcolor": "#333333", "text": "",
    }  # fmt: skip


def prisma_figure(counts: PrismaCounts | Mapping[str, Any]) -> go.Figure:
    """The identification part of the PRISMA 2020 flow diagram (database labels escaped)."""
    c = counts if isinstance(counts, PrismaCounts) else prisma_counts(counts)
    sources = "<br>".join(f"{plot_text(db)} (n = {n:,})" for db, n in c.identified.items())
    n_lines = max(len(c.identified), 1)
    top_h = 0.7 + 0.22 * n_lines  # the sources box grows with the number of databases
    y_top = 2.6 + top_h
    shapes = [
        _box(0.0, 0.0, 0.45, y_top, "#DCE6F2"),  # the "Identification" band
        _box(0.7, 2.6, 5.3, y_top),  # records identified
        _box(6.0, 2.6 + top_h / 2 - 0.55, 10.0, 2.6 + top_h / 2 + 0.55),  # removed
        _box(0.7, 1.4, 5.3, 2.2),  # after duplicates
        _box(0.7, 0.1, 5.3, 1.0, "#E8F3E8"),  # studies
    ]
    studies_text = f"<b>Studies</b> (n = {c.studies:,})"
    if c.reports_grouped:
        studies_text += f"<br>{c.reports_grouped:,} reports grouped with another report"
    annotations = [
        _text(0.225, y_top / 2, "<b>Identification</b>", textangle=-90),
        _text(
            3.0,
            2.6 + top_h / 2,
            f"<b>Records identified from databases</b> (n = {c.total_identified:,})<br>{sources}",
        ),
        _text(
            8.0,
            2.6 + top_h / 2,
            "<b>Records removed before screening</b><br>"
            f"Duplicate records removed (n = {c.duplicates_removed:,})",
        ),
        _text(3.0, 1.8, f"<b>Records after duplicates removed</b> (n = {c.after_duplicates:,})"),
        _text(3.0, 0.55, studies_text),
        _arrow(5.3, 2.6 + top_h / 2, 6.0, 2.6 + top_h / 2),
        _arrow(3.0, 2.6, 3.0, 2.2),
        _arrow(3.0, 1.4, 3.0, 1.0),
    ]
    return figure(
        [],
        {
            "shapes": shapes,
            "annotations": annotations,
            "xaxis": {"range": [-0.1, 10.1], "visible": False, "fixedrange": True},
            "yaxis": {"range": [-0.1, y_top + 0.1], "visible": False, "fixedrange": True},
            "height": int(120 + 80 * (y_top + 0.2)),
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
            "title": {"text": "PRISMA 2020: identification of studies", "font": {"size": 15}},
            "plot_bgcolor": "rgba(0,0,0,0)",
            "paper_bgcolor": "rgba(0,0,0,0)",
            "showlegend": False,
        },
    )


def prisma_csv(counts: PrismaCounts | Mapping[str, Any]) -> bytes:
    """The `prisma_table` as UTF-8 CSV, cells neutralised (database labels are user text)."""
    table = prisma_table(counts)
    safe = table.astype(str).map(safe_cell)
    return ("\ufeff" + safe.to_csv(index=False, lineterminator="\r\n")).encode("utf-8")
