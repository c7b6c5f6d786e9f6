"""The screening part of a PRISMA 2020 flow, counted from the project's decisions.

PRISMA 2020 (flow diagram for new systematic reviews, databases and registers) counts
*records* until full texts are sought, then *reports*, and at the end *studies*:

    records screened -> records excluded
    reports sought for retrieval -> reports not retrieved
    reports assessed for eligibility -> reports excluded, with a count per reason
    studies included in review (and reports of included studies)

Here a record after duplicate removal is a publication group (`lib.project.duplicates`),
which is also a report; a study folds its reports together (`lib.project.reports`).
Decisions are made on the screening units of `lib.screening.studies` and counted for
every report they cover, so the boxes add up whatever a unit is (one publication today,
a whole study if linked reports are screened together later).

Each screening unit takes one path, from its decisions in force (`lib.screening.queue`):

1. a full-text decision (any): its reports were **sought**;
2. else included at title/abstract: **sought**, awaiting the full-text decision;
3. else excluded at title/abstract: **records excluded**;
4. else maybe or conflicting decisions at title/abstract: **screened, undecided**;
5. else not screened yet.

So ``records_screened = records_excluded + undecided + reports_sought``. Of the sought:

- included at full text: **assessed**, counted in the included studies;
- excluded at full text for a reason saying the full text could not be had (the default
  reason "Full text not available", or any reason naming a report not retrieved, not
  available or unavailable): **reports not retrieved** (PRISMA keeps them apart from
  the exclusions);
- excluded at full text for another reason: **assessed, excluded**, per reason;
- maybe, conflicting or no full-text decision yet: **awaiting full-text assessment**.

So ``reports_sought = reports_not_retrieved + reports_assessed + awaiting_full_text``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from lib.project import Project, duplicates, reports
from lib.screening.decisions import FULL_TEXT, TITLE_ABSTRACT
from lib.screening.queue import Screening, current

__all__ = ["ScreeningFlow", "flow_counts", "not_retrieved"]

_NOT_RETRIEVED = re.compile(
    r"\b(not\s+(be\s+)?retrieved|not\s+available|unavailable|could\s+not\s+(be\s+)?"
    r"(obtained|found|retrieved|accessed)|no\s+full[\s-]?text)\b",
    re.I,
)


def not_retrieved(reason: str) -> bool:
    """Whether a full-text exclusion's reason says the report could not be had."""
    return bool(_NOT_RETRIEVED.search(reason))


@dataclass(frozen=True, slots=True)
class ScreeningFlow:
    """The screening boxes of a PRISMA 2020 flow (see the module docstring)."""

    records: int  # records after duplicates removed (reports), screened or not
    records_screened: int = 0
    records_excluded: int = 0
    undecided: int = 0  # screened, maybe or conflicting at title/abstract
    reports_sought: int = 0
    reports_not_retrieved: int = 0
    reports_assessed: int = 0
    awaiting_full_text: int = 0
    excluded_full_text: dict[str, int] = field(default_factory=dict)  # reason -> reports
    studies_included: int = 0
    reports_of_included: int = 0
    decisions: int = 0  # decisions in force (none: screening has not started)

    @property
    def awaiting_screening(self) -> int:
        return self.records - self.records_screened

    @property
    def reports_excluded(self) -> int:
        return sum(self.excluded_full_text.values())

    @property
    def started(self) -> bool:
        return self.decisions > 0


def flow_counts(project: Project, screening: Screening | None = None) -> ScreeningFlow:
    """Count the project's screening into PRISMA 2020 boxes (see the module docstring)."""
    if screening is None and not _any_decision(project):
        # nothing screened: every report is awaiting screening. Counted, not walked: the
        # walk reads every record's group (over a second at 50k studies), and the
        # Overview draws this on a cold start.
        (groups,) = project.conn.execute(
            "SELECT COUNT(DISTINCT cluster_id) FROM dedupe_groups"
        ).fetchone()
        return ScreeningFlow(records=int(groups))
    screening = screening or current(project)
    group_of = duplicates.members_of(project)
    study_of_group = reports.folding(project)  # only groups that links touch; others: own
    first = screening.status[TITLE_ABSTRACT]
    full = screening.status[FULL_TEXT]
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    included_studies: set[str] = set()
    for unit, records in screening.studies.members.items():
        groups = {group_of.get(r, r) for r in records}
        n = len(groups)
        counts["records"] += n
        ft, ta = full.get(unit), first.get(unit)
        if ft is None and ta is None:
            continue
        counts["screened"] += n
        if ft is None and ta is not None and ta.verdict != "include":
            counts["excluded" if ta.verdict == "exclude" else "undecided"] += n
            continue
        counts["sought"] += n
        if ft is None or ft.verdict not in ("include", "exclude"):
            counts["awaiting"] += n
        elif ft.verdict == "include":
            counts["assessed"] += n
            counts["included_reports"] += n
            included_studies.update(study_of_group.get(g, g) for g in groups)
        elif not_retrieved(ft.reason):
            counts["not_retrieved"] += n
        else:
            counts["assessed"] += n
            reasons[ft.reason or "(no reason given)"] += n
    return ScreeningFlow(
        records=counts["records"],
        records_screened=counts["screened"],
        records_excluded=counts["excluded"],
        undecided=counts["undecided"],
        reports_sought=counts["sought"],
        reports_not_retrieved=counts["not_retrieved"],
        reports_assessed=counts["assessed"],
        awaiting_full_text=counts["awaiting"],
        excluded_full_text=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        studies_included=len(included_studies),
        reports_of_included=counts["included_reports"],
        decisions=len(first) + len(full),
    )


def _any_decision(project: Project) -> bool:
    """Whether any screening decision was ever made (undone ones too: they change what
    the resolved state holds, so the full count decides then)."""
    return project.conn.execute("SELECT 1 FROM screen_decisions LIMIT 1").fetchone() is not None
