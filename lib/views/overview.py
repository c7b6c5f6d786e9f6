"""What the Overview draws, read straight from the project file with a few queries.

The Overview is the app's first page: it must be drawn within a few seconds of the
server starting, also on a 50k-study project opened for the first time. Its headline and
charts need four columns of the studies table (study, year, method, population), while
the whole table (`lib.views.studies`: merged text, keywords, every facet, 400k code rows)
takes seconds to build. `overview_table` reads only those four, with the same meaning:
one row per study (other reports folded into their main report,
`lib.project.reports`), the codes in force (a reviewer's correction, else the coder's),
a correction made on another report carried over where the main report has none. The
app uses the whole table instead whenever it is already built.
"""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
import pandas as pd

from lib.gcpause import gc_paused
from lib.project import Project, reports
from lib.textsafe import escape_markdown

__all__ = ["OVERVIEW_COLUMNS", "markdown_table", "overview_table"]

OVERVIEW_COLUMNS = ("study_id", "year", "method", "population")
_FACETS = {"method": False, "population": True}  # facet -> holds many values
_FALLBACK = "unclear"  # a study with no method code (as the studies table has it)


def overview_table(project: Project) -> pd.DataFrame:
    """The `OVERVIEW_COLUMNS` of the studies table, in the file's order of the studies
    (counts need no other; sort by ``study_id`` to compare). Reads only: the caller
    refreshes groups and codes first. Builds 100k small lists at 50k studies and no
    cycle, so the cyclic collector is paused (`lib.gcpause`: a third of its time)."""
    with gc_paused():
        return _overview_table(project)


def _overview_table(project: Project) -> pd.DataFrame:
    conn = project.conn
    rows = conn.execute("SELECT study_id, COALESCE(year, -1) FROM dedupe_studies").fetchall()
    ids = {sid for sid, _ in rows}
    auto = conn.execute(
        "SELECT study_id, facet, codes FROM auto_codes WHERE facet IN ('method', 'population')"
    ).fetchall()
    parsed = json.loads("[" + ",".join(r[2] for r in auto) + "]") if auto else []
    values: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for (sid, facet, _), codes in zip(auto, parsed, strict=True):
        values[facet][sid] = codes
    coded = set(values["method"]) | set(values["population"])
    overridden: dict[str, set[str]] = defaultdict(set)
    for sid, facet, codes in conn.execute(
        "SELECT study_id, facet, codes FROM code_overrides "
        "WHERE undone_at IS NULL AND facet IN ('method', 'population') ORDER BY override_id"
    ):
        if sid in coded:
            values[facet][sid] = json.loads(codes)
            overridden[sid].add(facet)
    # other reports: folded into their study, whose row keeps the main report's codes
    # except for a facet corrected on another report and not on the main one (the first
    # such report in arrival order, as `lib.views.studies` folds them)
    folded = {g: s for g, s in reports.folding(project).items() if g != s and g in ids and s in ids}
    arrival = _arrival(project, sorted(folded))
    for group in sorted(folded, key=arrival.__getitem__):
        study = folded[group]
        for facet in sorted(overridden.get(group, ())):
            if facet not in overridden[study]:
                overridden[study].add(facet)
                values[facet][study] = values[facet][group]
    kept = [(sid, year) for sid, year in rows if sid not in folded]
    method = values["method"]
    population = values["population"]
    years = np.fromiter((year for _, year in kept), np.int64, len(kept))
    table = pd.DataFrame(
        {
            "study_id": pd.Series([sid for sid, _ in kept], dtype=object),
            "year": pd.arrays.IntegerArray(years, years == -1),  # -1: no year
            "method": [(m[0] if (m := method.get(sid)) else _FALLBACK) for sid, _ in kept],
            "population": [population.get(sid) or [] for sid, _ in kept],
        },
        columns=list(OVERVIEW_COLUMNS),
    )
    return table


def _arrival(project: Project, group_ids: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(group_ids), 500):
        chunk = group_ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT record_id, rid FROM records WHERE record_id IN ({marks})"
        out.update(project.conn.execute(sql, chunk).fetchall())
    return out


def markdown_table(frame: pd.DataFrame) -> str:
    """A small table as Markdown, every cell escaped (shown as text), numbers right-aligned
    with thousands separators. For a few rows drawn at once (``st.dataframe``'s grid is
    fetched and compiled by the browser on first use: seconds of a cold start)."""
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    head = "| " + " | ".join(escape_markdown(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---:" if n else "---" for n in numeric) + "|"
    rows = [
        "| "
        + " | ".join(
            f"{int(v):,}" if n and pd.notna(v) else escape_markdown(v)
            for v, n in zip(row, numeric, strict=True)
        )
        + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *rows])
