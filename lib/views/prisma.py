"""The PRISMA 2020 flow: identification, screening and the included studies.

Identification counts come from the project (`from_project` takes those of
`lib.project.duplicates.prisma_counts`) or any plain dict::

    {"identified": {"Scopus": 120, "PubMed": 80}, "duplicates_removed": 70, "studies": 125}

`prisma_counts` checks it (a count that cannot be right is a `ValueError` saying which).
`full_flow` adds the screening boxes counted from the project's decisions
(`lib.screening.prisma.flow_counts`), giving the whole flow diagram for new systematic
reviews (databases and registers): records identified per database, duplicates
removed, records screened and excluded, reports sought and not retrieved, reports
assessed and excluded per reason, studies included and their reports. Before any
screening decision the flow says so instead of drawing boxes of zeros.

`prisma_table` gives the rows a reviewer copies into a report (CSV: `prisma_csv`),
`prisma_svg` draws the diagram (`lib.views.flow`) and `prisma_png` rasterises it. With
identification counts alone, the flow ends at the studies: when several reports of one
study were grouped, records after duplicate removal exceed studies, and the figure says
how many reports were grouped (PRISMA 2020 counts studies and reports apart).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lib.project import Project
from lib.screening.prisma import ScreeningFlow
from lib.spreadsheet import safe_cell
from lib.views.flow import Box, Stage, flow_svg

__all__ = [
    "Flow",
    "PrismaCounts",
    "from_project",
    "full_flow",
    "identification_stages",
    "prisma_counts",
    "prisma_csv",
    "prisma_file_name",
    "prisma_png",
    "prisma_svg",
    "prisma_table",
    "project_flow",
    "screening_stages",
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


@dataclass(frozen=True, slots=True)
class Flow:
    """The whole PRISMA 2020 flow: identification and screening counts."""

    identification: PrismaCounts
    screening: ScreeningFlow


def full_flow(counts: PrismaCounts | Mapping[str, Any], screening: ScreeningFlow) -> Flow:
    """The whole flow from identification counts (a `PrismaCounts`, a plain dict, or the
    project's `lib.project.duplicates.prisma_counts`) and the screening counts."""
    if isinstance(counts, PrismaCounts):
        ident = counts
    elif "by_database" in counts:
        ident = from_project(counts)
    else:
        ident = prisma_counts(counts)
    if screening.records != ident.after_duplicates:
        raise ValueError(
            f"{screening.records} records counted for screening but "
            f"{ident.after_duplicates} left after removing duplicates; the counts disagree"
        )
    return Flow(ident, screening)


Counts = Flow | PrismaCounts | Mapping[str, Any]


def _identification(counts: Counts) -> PrismaCounts:
    if isinstance(counts, Flow):
        return counts.identification
    return counts if isinstance(counts, PrismaCounts) else prisma_counts(counts)


def prisma_table(counts: Counts) -> pd.DataFrame:
    """Rows ``stage``, ``detail``, ``n`` in the order of the flow diagram."""
    c = _identification(counts)
    rows: list[tuple[str, str, int]] = [
        ("Identification", f"Records identified from {db}", n) for db, n in c.identified.items()
    ]
    rows.append(("Identification", "Records identified (all databases)", c.total_identified))
    rows.append(("Identification", "Duplicate records removed", c.duplicates_removed))
    rows.append(("Identification", "Records after duplicates removed", c.after_duplicates))
    if isinstance(counts, Flow):
        rows += _screening_rows(counts.screening)
        return pd.DataFrame(rows, columns=["stage", "detail", "n"])
    if c.reports_grouped:
        rows.append(("Identification", "Reports grouped with another report of the same study",
                     c.reports_grouped))  # fmt: skip
    rows.append(("Studies", "Studies", c.studies))
    return pd.DataFrame(rows, columns=["stage", "detail", "n"])


def _screening_rows(s: ScreeningFlow) -> list[tuple[str, str, int]]:
    if not s.started:
        return [("Screening", "Records not screened yet (no screening decision made)", s.records)]
    rows = [("Screening", "Records screened", s.records_screened)]
    if s.awaiting_screening:
        rows.append(("Screening", "Records not screened yet", s.awaiting_screening))
    if s.undecided:
        rows.append(("Screening", "Records screened, undecided (maybe or conflicting)",
                     s.undecided))  # fmt: skip
    rows += [
        ("Screening", "Records excluded", s.records_excluded),
        ("Screening", "Reports sought for retrieval", s.reports_sought),
        ("Screening", "Reports not retrieved", s.reports_not_retrieved),
        ("Screening", "Reports assessed for eligibility", s.reports_assessed),
    ]
    if s.awaiting_full_text:
        rows.append(("Screening", "Reports awaiting full-text assessment", s.awaiting_full_text))
    rows.append(("Screening", "Reports excluded (all reasons)", s.reports_excluded))
    rows += [("Screening", f"Reports excluded: {r}", n) for r, n in s.excluded_full_text.items()]
    rows += [
        ("Included", "Studies included in review", s.studies_included),
        ("Included", "Reports of included studies", s.reports_of_included),
    ]
    return rows


def _n(value: int) -> str:
    return f"(n = {value:,})"


def identification_stages(counts: Counts) -> list[Stage]:
    """The identification part of the PRISMA 2020 flow as `lib.views.flow` stages.

    With identification counts alone it ends at the studies; in a `Flow` the screening
    stages (`screening_stages`) follow the records left after duplicates were removed.
    """
    c = _identification(counts)
    first = Stage(
        "Identification",
        Box(
            f"Records identified from databases {_n(c.total_identified)}",
            tuple(f"{db} {_n(n)}" for db, n in c.identified.items()),
        ),
        Box(
            "Records removed before screening",
            (f"Duplicate records removed {_n(c.duplicates_removed)}",),
        ),
    )
    if isinstance(counts, Flow):
        return [first]
    studies = [f"{c.reports_grouped:,} reports grouped with another report of the same study"]
    return [
        first,
        Stage(
            "Identification",
            Box(f"Records after duplicates removed {_n(c.after_duplicates)}"),
        ),
        Stage(
            "Identification",
            Box(
                f"Studies {_n(c.studies)}",
                tuple(studies) if c.reports_grouped else (),
                fill="#E8F3E8",
            ),
        ),
    ]


_NOT_STARTED = (
    "Not screened yet: no screening decision has been made. Screen titles and abstracts "
    "on the Screen page."
)


def screening_stages(s: ScreeningFlow) -> list[Stage]:
    """Screening and inclusion as `lib.views.flow` stages (see the module docstring)."""
    if not s.started:
        return [
            Stage(
                "Screening",
                Box(
                    f"Records to screen {_n(s.records)}",
                    (_NOT_STARTED,),
                    fill="#FFF6E0",
                ),
            )
        ]
    screened = []
    if s.awaiting_screening:
        screened.append(f"Not screened yet {_n(s.awaiting_screening)}")
    if s.undecided:
        screened.append(f"Undecided: maybe or conflicting decisions {_n(s.undecided)}")
    assessed = [f"Not assessed yet (no full-text decision) {_n(s.awaiting_full_text)}"]
    reasons = [f"{reason} {_n(n)}" for reason, n in s.excluded_full_text.items()]
    return [
        Stage(
            "Screening",
            Box(f"Records screened {_n(s.records_screened)}", tuple(screened)),
            Box(f"Records excluded {_n(s.records_excluded)}"),
        ),
        Stage(
            "Screening",
            Box(f"Reports sought for retrieval {_n(s.reports_sought)}"),
            Box(f"Reports not retrieved {_n(s.reports_not_retrieved)}"),
        ),
        Stage(
            "Screening",
            Box(
                f"Reports assessed for eligibility {_n(s.reports_assessed)}",
                tuple(assessed) if s.awaiting_full_text else (),
            ),
            Box(f"Reports excluded {_n(s.reports_excluded)}", tuple(reasons)),
        ),
        Stage(
            "Included",
            Box(
                f"Studies included in review {_n(s.studies_included)}",
                (f"Reports of included studies {_n(s.reports_of_included)}",),
                fill="#E8F3E8",
            ),
        ),
    ]


def prisma_svg(counts: Counts) -> str:
    """The PRISMA 2020 flow diagram as SVG (labels escaped): the whole flow for a `Flow`,
    the identification part for identification counts alone."""
    stages = identification_stages(counts)
    if isinstance(counts, Flow):
        stages += screening_stages(counts.screening)
    return flow_svg(stages, title="PRISMA 2020 flow diagram")


PNG_SCALE = 2  # pixels per SVG unit: sharp in a report printed or zoomed


def prisma_png(svg: str, scale: float = PNG_SCALE) -> bytes:
    """The diagram as PNG, ``scale`` pixels per unit of the SVG's size.

    vl-convert (a self-contained wheel: resvg with its own fonts) rasterises it; CairoSVG
    would need the system's libcairo, which a fresh machine with only Python lacks.
    """
    import vl_convert  # imported when a PNG is asked for: it is a large library

    return bytes(vl_convert.svg_to_png(svg, scale=scale))


def prisma_file_name(project_name: str, suffix: str = "csv") -> str:
    """``demo-peer-support-in-prisons-prisma.csv``: the project's name, safe on every system."""
    folded = unicodedata.normalize("NFKD", project_name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", folded).strip("-_").lower()[:60] or "project"
    return f"{stem}-prisma.{suffix}"


def prisma_csv(counts: Counts) -> bytes:
    """The `prisma_table` as UTF-8 CSV, cells neutralised (database labels are user text)."""
    table = prisma_table(counts)
    safe = table.astype(str).map(safe_cell)
    return ("\ufeff" + safe.to_csv(index=False, lineterminator="\r\n")).encode("utf-8")


def project_flow(project: Project, counts: Mapping[str, Any] | None = None) -> Flow:
    """The whole flow of a project, from its records, groups and screening decisions
    (``counts``: its `lib.project.duplicates.prisma_counts`, when the caller holds them)."""
    from lib.project import duplicates
    from lib.screening.prisma import flow_counts

    return full_flow(counts or duplicates.prisma_counts(project), flow_counts(project))
