"""The results table the Explore and Evidence map pages show: a few readable columns.

Only the rows shown are formatted (at most a few thousand), in the order chosen; the sort
orders of the whole table are computed once per project version. Record text stays
text: the page shows it with ``st.dataframe``, which never reads Markdown or HTML; only
`safe_links.study_link` targets (``https://`` and DOIs) become links.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.explore.labels import code_label
from lib.safe_links import study_link

__all__ = ["DISPLAY_COLUMNS", "SHOWN_COLUMNS", "SORTS", "Results", "cite", "display_table",
           "sorted_rows"]  # fmt: skip

# In the order shown: who and when, what, then the codes a reviewer scans for (method,
# findings, population: visible at 1280 px), then the rest. ``study_id`` is kept for the
# page (to open a study) but not shown.
DISPLAY_COLUMNS: dict[str, str] = {
    "cite": "Author, year",
    "title": "Title",
    "method": "Method",
    "direction": "Findings",
    "population": "Population",
    "year": "Year",
    "first_author": "First author",
    "journal": "Journal",
    "databases": "Databases",
    "checked": "Checked",
    "link": "Link",
    "study_id": "Study id",
}
SHOWN_COLUMNS: tuple[str, ...] = tuple(c for c in DISPLAY_COLUMNS if c != "study_id")
# Sort orders offered: label -> (columns, ascending); missing values last.
SORTS: dict[str, tuple[tuple[str, ...], tuple[bool, ...]]] = {
    "Newest first": (("year", "first_author", "title"), (False, True, True)),
    "Oldest first": (("year", "first_author", "title"), (True, True, True)),
    "First author A–Z": (("first_author", "year", "title"), (True, True, True)),
    "Title A–Z": (("title", "year"), (True, True)),
}


def _labels(facet: str, cells: pd.Series) -> list[str]:
    out = []
    for cell in cells.to_numpy(dtype=object):
        if isinstance(cell, str):
            out.append(code_label(facet, cell) if cell else "")
        elif cell is None or (isinstance(cell, float) and cell != cell):
            out.append("")
        else:
            out.append(", ".join(code_label(facet, v) for v in cell))
    return out


def cite(first_author: object, authors: object, year: object) -> str:
    """ "Smith 2019", "Smith & Jones 2019", "Smith et al. 2019"; "(no author)" and "n.d."
    where missing: how a reviewer names a study."""
    first = "" if first_author is None or first_author != first_author else str(first_author)
    names = [a for a in str(authors or "").split("; ") if a.strip()] if authors == authors else []
    if len(names) == 2:
        second = names[1].split(",")[0].strip()
        who = f"{first} & {second}" if first and second else first
    elif len(names) > 2:
        who = f"{first} et al."
    else:
        who = first
    when = "n.d." if year is None or year is pd.NA or year != year else str(int(year))
    return f"{who or '(no author)'} {when}"


def display_table(studies: pd.DataFrame) -> pd.DataFrame:
    """One row per study (same order as ``studies``), columns of `DISPLAY_COLUMNS`."""
    n = len(studies)

    def text(name: str) -> pd.Series:
        if name not in studies:
            return pd.Series([""] * n, dtype="str")
        return studies[name].astype("str").fillna("").reset_index(drop=True)

    years = (
        studies["year"].astype("Int64").reset_index(drop=True)
        if "year" in studies
        else pd.Series(pd.array([pd.NA] * n, dtype="Int64"))
    )
    out = pd.DataFrame(
        {
            "cite": [
                cite(f, a, y)
                for f, a, y in zip(text("first_author"), text("authors"), years, strict=True)
            ],
            "title": text("title"),
        }
    )
    for facet in ("method", "direction", "population"):
        out[facet] = _labels(facet, studies[facet]) if facet in studies else [""] * n
    out["year"] = years
    out["first_author"] = text("first_author")
    out["journal"] = text("journal")
    out["databases"] = (
        _labels("databases", studies["databases"]) if "databases" in studies else [""] * n
    )
    out["checked"] = (
        studies["checked"].fillna(False).astype(bool).to_numpy()
        if "checked" in studies
        else np.zeros(n, dtype=bool)
    )
    dois = studies["doi"].to_numpy(dtype=object) if "doi" in studies else [None] * n
    out["link"] = [study_link(d) for d in dois]
    out["study_id"] = text("study_id")
    return out[list(DISPLAY_COLUMNS)]


def _sort_keys(studies: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    keys = {}
    for column in columns:
        if column == "year":
            keys[column] = (
                studies["year"].astype("Int64").reset_index(drop=True)
                if "year" in studies
                else pd.array([pd.NA] * len(studies), dtype="Int64")
            )
        elif column in studies:
            keys[column] = studies[column].astype("str").fillna("").str.casefold()
            keys[column] = keys[column].reset_index(drop=True)
        else:
            keys[column] = pd.Series([""] * len(studies), dtype="str")
    return pd.DataFrame(keys)


def sorted_rows(studies: pd.DataFrame, sort: str) -> np.ndarray:
    """Row positions of ``studies`` in the named `SORTS` order (text without case)."""
    columns, ascending = SORTS.get(sort, SORTS["Newest first"])
    frame = _sort_keys(studies, columns)
    order = frame.sort_values(list(columns), ascending=list(ascending), na_position="last",
                              kind="stable")  # fmt: skip
    return order.index.to_numpy()


class Results:
    """The rows a page shows of one studies table: sort orders computed once each, and
    only the rows shown formatted (joining labels for 50k studies at every project
    version would cost more than a filter change may)."""

    def __init__(self, studies: pd.DataFrame) -> None:
        self.studies = studies
        self._orders: dict[str, np.ndarray] = {}

    def rows(self, mask: np.ndarray, sort: str, limit: int | None = None) -> np.ndarray:
        """Positions of the rows where ``mask`` holds, in ``sort`` order, at most ``limit``."""
        if sort not in self._orders:
            self._orders[sort] = sorted_rows(self.studies, sort)
        order = self._orders[sort]
        chosen = order[mask[order]]
        return chosen if limit is None else chosen[:limit]

    def view(self, mask: np.ndarray, sort: str, limit: int | None = None) -> pd.DataFrame:
        """The rows to show, formatted (`display_table`), indexed by their positions."""
        rows = self.rows(mask, sort, limit)
        table = display_table(self.studies.iloc[rows])
        table.index = rows
        return table
