"""The studies table: one row per study, with its codes.

A study is a publication group (records that are one publication) together with the
groups linked to it as other reports of the same study (an erratum, a conference
abstract, a preprint: `lib.project.reports`). The study takes its main report's row and
id; the other reports are listed on it and counted once. Every page of the app reads
this one table, so its columns are a contract:

| column | type | what |
|---|---|---|
| ``study_id`` | str | the main report's group id: record id of its first-imported member |
| ``title``, ``journal``, ``doi``, ``abstract``, ``entrytype`` | str | main report, merged |
| ``authors`` | str | ``"; "``-joined "Family, Given" |
| ``first_author`` | str | family name of the first author |
| ``year`` | Int64 | may be missing |
| ``volume``, ``issue``, ``pages`` | str | merged values |
| ``n_records`` | int | records of the main report (its publication group) |
| ``record_ids`` | list[str] | the main report's records, in arrival order |
| ``databases`` | list[str] | the database labels of every report's records, sorted, unique |
| ``keywords`` | list[str] | the main report's merged keywords |
| ``other_reports`` | list[str] | group ids of the study's other reports, in arrival order |
| ``other_record_ids`` | list[str] | the records of those other reports |
| ``method``, ``direction`` | str | one slug each (effective: override, else automatic) |
| ``population``, ``perspective``, ``themes``, | list[str] | slugs |
| ``setting``, ``country``, ``peer_role`` | list[str] | slugs |
| ``overridden`` | list[str] | facets whose value a reviewer set by hand |
| ``checked`` | bool | a reviewer marked the study checked |

Codes come from the main report. A reviewer's correction made on another report (coded
as a study of its own before the link) is kept for every facet the main report has no
correction of: linking never drops a reviewer's decision. ``checked`` is the main
report's. `FACETS` lists the coded facets with whether they hold one value or many.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from lib.project import Project
from lib.project.duplicates import GROUP_COLUMNS

__all__ = [
    "FACETS",
    "LIST_COLUMNS",
    "MULTI_FACETS",
    "SINGLE_FACETS",
    "STUDY_COLUMNS",
    "combine",
    "study_table",
]

# facet -> True when it holds many values (a list), False for exactly one (a string)
FACETS: dict[str, bool] = {
    "method": False,
    "population": True,
    "perspective": True,
    "direction": False,
    "themes": True,
    "setting": True,
    "country": True,
    "peer_role": True,
}
SINGLE_FACETS = tuple(f for f, many in FACETS.items() if not many)
MULTI_FACETS = tuple(f for f, many in FACETS.items() if many)

STUDY_COLUMNS: tuple[str, ...] = (
    *GROUP_COLUMNS,  # what deduplication gives: the merged record of each group
    "other_reports",
    "other_record_ids",
    *FACETS,
    "overridden",
    "checked",
)
LIST_COLUMNS: tuple[str, ...] = (
    "record_ids",
    "databases",
    "keywords",
    "other_reports",
    "other_record_ids",
    *MULTI_FACETS,
    "overridden",
)


def study_table(project: Project, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """The studies table of a project (see the module docstring for the columns).

    Reads only: call `lib.pipeline.refresh` first so groups and codes are current.
    ``groups`` may be given when the caller holds them already (the app caches them).
    """
    from lib.project import coding, duplicates, reports

    if groups is None:
        groups = duplicates.groups(project, refresh_first=False)
    return combine(groups, coding.effective_codes(project), reports.fold_groups(project, groups))


def combine(
    groups: pd.DataFrame, codes: pd.DataFrame, folded: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The studies table from the publication groups, the effective codes and the folding
    of linked groups (group id -> study id, `lib.project.reports.fold_groups`).

    Kept apart so a cache can rebuild only the codes after a correction: groups change
    with records and duplicate decisions, codes with any coding decision.
    Studies not coded yet (never, once refreshed) get the empty codes.
    """
    # an empty project's frames have no values to give study_id a type: make it the same
    groups = groups.astype({"study_id": object})
    codes = codes.astype({"study_id": object})
    table = groups.merge(codes, on="study_id", how="left")
    for facet, many in FACETS.items():
        if many:
            table[facet] = [v if isinstance(v, list) else [] for v in table[facet]]
        else:
            table[facet] = table[facet].fillna("unclear").astype(str)
    table["overridden"] = [v if isinstance(v, list) else [] for v in table["overridden"]]
    table["checked"] = table["checked"].fillna(False).astype(bool)
    table["other_reports"] = [[] for _ in range(len(table))]
    table["other_record_ids"] = [[] for _ in range(len(table))]
    if folded:
        table = _fold(table, folded)
    return table[list(STUDY_COLUMNS)].reset_index(drop=True)


def _fold(table: pd.DataFrame, folded: Mapping[str, str]) -> pd.DataFrame:
    """Other reports' rows folded into their main report's row (only linked rows change)."""
    position = {sid: i for i, sid in enumerate(table["study_id"].tolist())}
    others: dict[str, list[str]] = {}
    for group, study in folded.items():  # arrival order within a study comes from `position`
        if group != study and group in position and study in position:
            others.setdefault(study, []).append(group)
    if not others:
        return table
    table = table.copy()
    column = {name: table.columns.get_loc(name) for name in table.columns}
    drop: list[int] = []
    for study, groups in others.items():
        i = position[study]
        rows = [position[g] for g in sorted(groups, key=position.__getitem__)]
        drop += rows
        table.iat[i, column["other_reports"]] = [table.iat[r, column["study_id"]] for r in rows]
        table.iat[i, column["other_record_ids"]] = [
            rid for r in rows for rid in table.iat[r, column["record_ids"]]
        ]
        databases = set(table.iat[i, column["databases"]])
        for r in rows:
            databases.update(table.iat[r, column["databases"]])
        table.iat[i, column["databases"]] = sorted(databases)
        overridden = list(table.iat[i, column["overridden"]])
        for r in rows:  # a correction made on another report, where the main has none
            for facet in table.iat[r, column["overridden"]]:
                if facet not in overridden:
                    overridden.append(facet)
                    table.iat[i, column[facet]] = table.iat[r, column[facet]]
        order = {facet: n for n, facet in enumerate(FACETS)}
        table.iat[i, column["overridden"]] = sorted(overridden, key=lambda f: order.get(f, 99))
    return table.drop(index=table.index[drop])
