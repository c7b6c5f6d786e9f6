"""The PRISMA 2020 identification flow: records per database → duplicates → studies.

The counts come from the project (`from_project` takes those of
`lib.project.duplicates.prisma_counts`) or any plain dict::

    {"identified": {"Scopus": 120, "PubMed": 80}, "duplicates_removed": 70, "studies": 125}

`prisma_counts` checks it (a count that cannot be right is a `ValueError` saying which),
`prisma_table` gives the rows a reviewer copies into a report, and `prisma_svg` draws
the identification part of the PRISMA 2020 flow diagram (`lib.views.flow`). When several
reports of one study were grouped, records after duplicate removal exceed studies, and
the figure says how many reports were grouped (PRISMA 2020 counts studies and reports apart).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lib.spreadsheet import safe_cell
from lib.views.flow import Box, Stage, flow_svg

__all__ = [
    "PrismaCounts",
    "from_project",
    "identification_stages",
    "prisma_counts",
    "prisma_csv",
    "prisma_file_name",
    "prisma_svg",
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


def identification_stages(counts: PrismaCounts | Mapping[str, Any]) -> list[Stage]:
    """The identification part of the PRISMA 2020 flow as `lib.views.flow` stages.

    Screening and inclusion add their stages after these (same shape: a main box and a
    side box of what left the flow, with their phase).
    """
    c = counts if isinstance(counts, PrismaCounts) else prisma_counts(counts)
    studies = [f"{c.reports_grouped:,} reports grouped with another report of the same study"]
    return [
        Stage(
            "Identification",
            Box(
                f"Records identified from databases (n = {c.total_identified:,})",
                tuple(f"{db} (n = {n:,})" for db, n in c.identified.items()),
            ),
            Box(
                "Records removed before screening",
                (f"Duplicate records removed (n = {c.duplicates_removed:,})",),
            ),
        ),
        Stage(
            "Identification",
            Box(f"Records after duplicates removed (n = {c.after_duplicates:,})"),
        ),
        Stage(
            "Identification",
            Box(
                f"Studies (n = {c.studies:,})",
                tuple(studies) if c.reports_grouped else (),
                fill="#E8F3E8",
            ),
        ),
    ]


def prisma_svg(counts: PrismaCounts | Mapping[str, Any]) -> str:
    """The identification part of the PRISMA 2020 flow diagram as SVG (labels escaped)."""
    return flow_svg(identification_stages(counts), title="PRISMA 2020 flow diagram")


def prisma_file_name(project_name: str, suffix: str = "csv") -> str:
    """``demo-peer-support-in-prisons-prisma.csv``: the project's name, safe on every system."""
    folded = unicodedata.normalize("NFKD", project_name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", folded).strip("-_").lower()[:60] or "project"
    return f"{stem}-prisma.{suffix}"


def prisma_csv(counts: PrismaCounts | Mapping[str, Any]) -> bytes:
    """The `prisma_table` as UTF-8 CSV, cells neutralised (database labels are user text)."""
    table = prisma_table(counts)
    safe = table.astype(str).map(safe_cell)
    return ("\ufeff" + safe.to_csv(index=False, lineterminator="\r\n")).encode("utf-8")
