"""The studies table: one row per study (a duplicate group), with its codes.

Every page of the app reads this one table, so its columns are a contract:

| column | type | what |
|---|---|---|
| ``study_id`` | str | the group's id: record id of its first-imported member (stable) |
| ``title``, ``journal``, ``doi``, ``abstract``, ``entrytype`` | str | merged values |
| ``authors`` | str | ``"; "``-joined "Family, Given" |
| ``first_author`` | str | family name of the first author |
| ``year`` | Int64 | may be missing |
| ``volume``, ``issue``, ``pages`` | str | merged values |
| ``n_records`` | int | records in the group |
| ``record_ids`` | list[str] | every member record id |
| ``databases`` | list[str] | the database labels of the members, sorted, unique |
| ``method``, ``direction`` | str | one slug each (effective: override, else automatic) |
| ``population``, ``perspective``, ``themes``, | list[str] | slugs |
| ``setting``, ``country``, ``peer_role`` | list[str] | slugs |
| ``overridden`` | list[str] | facets whose value a reviewer set by hand |
| ``checked`` | bool | a reviewer marked the study checked |

`FACETS` lists the coded facets with whether they hold one value or many.
"""

from __future__ import annotations

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
    *FACETS,
    "overridden",
    "checked",
)
LIST_COLUMNS: tuple[str, ...] = ("record_ids", "databases", *MULTI_FACETS, "overridden")


def study_table(project: Project, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """The studies table of a project (see the module docstring for the columns).

    Reads only: call `lib.pipeline.refresh` first so groups and codes are current.
    ``groups`` may be given when the caller holds them already (the app caches them).
    """
    from lib.project import coding, duplicates

    if groups is None:
        groups = duplicates.groups(project, refresh_first=False)
    return combine(groups, coding.effective_codes(project))


def combine(groups: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """The studies table from the duplicate groups and the effective codes.

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
    return table[list(STUDY_COLUMNS)].reset_index(drop=True)
