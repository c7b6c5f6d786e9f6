"""What the Export page writes: the filtered studies, one entry per study or per record.

One entry per study is what a reference manager or a reader wants (the studies table as
it is, `lib.exporting` writes it). One entry per record carries everything needed to
rebuild the review in another project: each record as its database gave it, with its
study, its duplicate group, its database, the study's codes and checks, and the
reviewer's deduplication decisions that name it (`lib.exchange` states the layout;
`lib.project.restore` reads it back).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from lib import exporting
from lib.exchange import FIELDS, join
from lib.model import Record
from lib.project import Project, open_project

__all__ = [
    "LAYOUTS",
    "decision_tokens",
    "entries",
    "entry_count",
    "export_file",
    "record_entries",
]

# layout -> what the page says
LAYOUTS: dict[str, str] = {
    "study": "One entry per study (for reference managers and reading)",
    "record": "Every record, with its study, group and decisions (to move the review)",
}


# the fields that differ between the records of one study
_RECORD_FIELDS = frozenset({"layout", "report_id", "duplicate_decisions"})


def entry_count(studies: pd.DataFrame, layout: str) -> int:
    """How many rows (entries) the studies make in ``layout``."""
    if layout == "study":
        return len(studies)
    pairs = zip(studies["record_ids"], studies["other_record_ids"], strict=True)
    return sum(len(own) + len(other) for own, other in pairs)


def decision_tokens(decisions: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """record id -> the ``<kind>:<n>`` tokens of the active decisions that name it (a
    split also marks the rest of its group, ``split-rest:<n>``)."""
    out: dict[str, list[str]] = {}
    for d in decisions:
        if d.get("undone_at"):
            continue
        n = d["decision_id"]
        for rid in d["record_ids"]:
            out.setdefault(rid, []).append(f"{d['kind']}:{n}")
        for rid in d.get("against") or ():
            out.setdefault(rid, []).append(f"split-rest:{n}")
    return out


def record_entries(
    studies: pd.DataFrame,
    records: Mapping[str, Record],
    group_of: Mapping[str, str],
    decisions: Sequence[Mapping[str, Any]] = (),
) -> pd.DataFrame:
    """One row per record of the given studies, in arrival order (the order of
    ``records``), as text in the columns of `lib.exporting.EXPORT_COLUMNS`.

    ``records`` holds every record by id in arrival order; ``group_of`` maps record ids
    to their publication group; ``decisions`` are `lib.project.duplicates.decisions`.
    Arrival order matters: a project that imports the file makes the same first records,
    hence the same group and study ids.
    """
    study_at: dict[str, int] = {}
    for i, (own, other) in enumerate(
        zip(studies["record_ids"].tolist(), studies["other_record_ids"].tolist(), strict=True)
    ):
        for rid in [*own, *other]:
            study_at[rid] = i
    tokens = decision_tokens(decisions)
    # every field of the study (its codes, checks, records; any later field the studies
    # table has) as the one-entry-per-study export writes it; the rest is the record's
    per_study = exporting.export_table(studies)
    shared = [f for f in FIELDS if f not in _RECORD_FIELDS]
    text = {f: per_study[f].tolist() for f in shared}
    rows = []
    for rid, rec in records.items():
        i = study_at.get(rid)
        if i is None:
            continue
        row = rec.to_row()
        row.update({name: column[i] for name, column in text.items()})
        row.update(
            layout="record",
            report_id=group_of.get(rid, rid),
            duplicate_decisions=join(tokens.get(rid, ())),
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(exporting.EXPORT_COLUMNS), dtype=object).fillna("")


def entries(
    project: Project,
    studies: pd.DataFrame,
    layout: str,
    records: Mapping[str, Record] | None = None,
) -> pd.DataFrame:
    """The table to export for ``layout`` (see `LAYOUTS`): the studies themselves, or
    their records (``records``: every record by id in arrival order, when the caller
    holds them; read from the project otherwise)."""
    if layout == "study":
        return studies
    if layout != "record":
        raise ValueError(f"unknown export layout {layout!r}; choose {', '.join(LAYOUTS)}")
    from lib.project import duplicates

    if records is None:
        records = {rec.record_id: rec for rec in project.records()}
    return record_entries(
        studies, records, duplicates.members_of(project), duplicates.decisions(project)
    )


def export_file(
    path: str,
    studies: pd.DataFrame,
    layout: str,
    format_name: str,
    about: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The file to download: ``studies`` in ``layout`` and format ``format_name``.

    Opens the project at ``path`` itself (a download is made when clicked, outside the
    page's run and its connection). ``about`` goes to the Excel workbook's About sheet.
    """
    if layout == "study":
        table = studies
    else:
        with open_project(path, create=False) as project:
            table = entries(project, studies, layout)
    if format_name == "xlsx":
        return exporting.to_excel(table, about=about)
    return exporting.export(table, format_name)
