"""What the Export page writes: the filtered studies, one entry per study or per record.

One entry per study is what a reference manager or a reader wants (the studies table as
it is, `lib.exporting` writes it). One entry per record carries everything needed to
rebuild the review in another project: each record as its database gave it, with its
study, its duplicate group, its database, the study's codes and checks, and the
reviewer's deduplication decisions that name it (`lib.exchange` states the layout;
`lib.project.restore` reads it back). Both carry the screening decisions in force at
each stage (`screening_fields`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from lib import exporting
from lib.exchange import FIELDS, SCREENING_FIELDS, SCREENING_STAGES, join
from lib.model import Record
from lib.project import Project, open_project

__all__ = [
    "LAYOUTS",
    "decision_tokens",
    "entries",
    "entry_count",
    "export_file",
    "record_entries",
    "screening_fields",
]

# layout -> what the page says
LAYOUTS: dict[str, str] = {
    "study": "One entry per study (for reference managers and reading)",
    "record": "Every record, with its study, group and decisions (to move the review)",
}


# the fields that differ between the records of one study
_RECORD_FIELDS = frozenset({"layout", "report_id", "duplicate_decisions", *SCREENING_FIELDS})


def screening_fields(project: Project) -> dict[str, dict[str, str]]:
    """record id -> the screening fields of `lib.exchange` for the study (screening unit)
    the record is in, for every record whose study has a decision in force."""
    from lib.screening.decisions import CONFLICT
    from lib.screening.queue import current

    screening = current(project)
    by_unit: dict[str, dict[str, str]] = {}
    for stage, name in SCREENING_STAGES.items():
        for unit, status in screening.status[stage].items():
            fields = by_unit.setdefault(unit, {})
            fields[name] = status.verdict
            if status.verdict == CONFLICT:  # no reason or note in force: say what clashed
                said = join(f"{d.verdict} ({d.made_at[:10]})" for d in status.decisions)
                fields[f"{name}_note"] = f"decisions in conflict: {said}"
            else:
                fields[f"{name}_reason"] = status.reason
                fields[f"{name}_note"] = status.note
    members = screening.studies.members
    return {rid: fields for unit, fields in by_unit.items() for rid in members.get(unit, ())}


def _with_screening(studies: pd.DataFrame, screening: Mapping[str, Mapping[str, str]]):
    """The studies with the screening fields of each one's main report (its first record,
    whose id is the study id)."""
    out = studies.copy()
    for name in SCREENING_FIELDS:
        out[name] = [screening.get(sid, {}).get(name, "") for sid in studies["study_id"]]
    return out


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
    screening: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """One row per record of the given studies, in arrival order (the order of
    ``records``), as text in the columns of `lib.exporting.EXPORT_COLUMNS`.

    ``records`` holds every record by id in arrival order; ``group_of`` maps record ids
    to their publication group; ``decisions`` are `lib.project.duplicates.decisions`;
    ``screening`` maps record ids to their screening fields (`screening_fields`).
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
    screening = screening or {}
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
        row.update(screening.get(rid, {}))
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
    holds them; read from the project otherwise), with their screening decisions."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown export layout {layout!r}; choose {', '.join(LAYOUTS)}")
    screening = screening_fields(project)
    if layout == "study":
        return _with_screening(studies, screening)
    from lib.project import duplicates

    if records is None:
        records = {rec.record_id: rec for rec in project.records()}
    return record_entries(
        studies,
        records,
        duplicates.members_of(project),
        duplicates.decisions(project),
        screening,
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
    page's run and its connection). ``about`` goes to the Excel workbook's About sheet;
    the workbook also has a "PRISMA" sheet, the project's PRISMA 2020 counts.
    """
    with open_project(path, create=False) as project:
        table = entries(project, studies, layout)
        sheets = []
        if format_name == "xlsx":  # the workbook also holds the project's PRISMA counts
            from lib.views.prisma import prisma_table, project_flow

            # counts that disagree: the page says why, and the studies still go
            with contextlib.suppress(ValueError):
                sheets.append(("PRISMA", prisma_table(project_flow(project))))
    if format_name == "xlsx":
        return exporting.to_excel(table, about=about, sheets=sheets)
    return exporting.export(table, format_name)
