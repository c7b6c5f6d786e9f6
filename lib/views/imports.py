"""What the Import page shows: how each upload went, the imports, the incomplete records.

Pure functions over reports and the project, so the page stays widgets and rendering and
these can be tested without Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from lib.ingest import read_bytes
from lib.project import AlreadyImported, Project, ProjectError
from lib.readers.base import ReadError
from lib.report import ImportReport

__all__ = [
    "Outcome",
    "import_file",
    "imports_table",
    "incomplete_table",
    "outcome_of",
]


@dataclass(slots=True)
class Outcome:
    """How one uploaded file went: ``kind`` is success, warning or error."""

    kind: str
    file_name: str
    headline: str
    lines: list[str] = field(default_factory=list)
    imported: bool = False


def outcome_of(report: ImportReport) -> Outcome:
    """A stored import's outcome: a success only when every record came in whole.

    Skipped records mean the project holds fewer records than the export (a warning a
    reviewer must act on to reconcile counts); incomplete records were kept but need a
    look (a warning too).
    """
    problems = []
    if report.records_skipped:
        problems.append(f"{report.records_skipped} record(s) skipped")
    if report.records_incomplete:
        problems.append(f"{report.records_incomplete} incomplete record(s) kept")
    if problems:
        headline = f"imported, but {' and '.join(problems)}: see the report"
        return Outcome("warning", report.file_name, headline, report.lines(), imported=True)
    return Outcome("success", report.file_name, "imported", report.lines(), imported=True)


def import_file(
    project: Project,
    data: bytes,
    file_name: str,
    database: str,
    *,
    on_wait: Callable[[str], None] | None = None,
) -> Outcome:
    """Read one uploaded file and store it as one import; the outcome says how it went."""
    try:
        read = read_bytes(data, file_name, database=database)
        project.add_import(read, on_wait=on_wait)
    except ReadError as exc:
        return Outcome("error", file_name, "not imported", [exc.message()])
    except AlreadyImported as exc:
        return Outcome("warning", file_name, "not imported", [str(exc)])
    except ProjectError as exc:  # another session writing for too long, or unwritable
        return Outcome("error", file_name, "not imported", [str(exc)])
    return outcome_of(read.report)


def imports_table(imports: Sequence[dict[str, object]]) -> pd.DataFrame:
    """One row per import (removed ones included, marked), for the page's table."""
    rows = []
    for item in imports:
        report = item["report"]
        assert isinstance(report, ImportReport)
        when = str(item["imported_at"])[:10]  # the day: the report has the time
        removed = str(item.get("removed_at") or "")[:10]
        rows.append(  # eight columns: all in view at 1280 px
            {
                "import": item["import_id"],
                "file": item["file_name"],
                "database": item["database"],
                "format": f"{report.format_label or item['format']} ({item['encoding']})",
                "read": item["records_read"],
                "incomplete": report.records_incomplete,
                "skipped": item["records_skipped"],
                "status": f"removed {removed}" if removed else f"imported {when}",
            }
        )
    return pd.DataFrame(rows)


def incomplete_table(project: Project) -> pd.DataFrame:
    """The records kept but marked incomplete, with where they are and why."""
    rows = [
        {
            "import": rec.import_id,
            "file": rec.source_file,
            "line": rec.line,
            "record": rec.record_id,
            "title": rec.title,
            "year": rec.year,
            "why": rec.incomplete,
        }
        for rec in project.incomplete_records()
    ]
    columns = ["import", "file", "line", "record", "title", "year", "why"]
    return pd.DataFrame(rows, columns=columns)
