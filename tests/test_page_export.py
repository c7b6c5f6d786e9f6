"""AppTest of the Export page on the demo project: one entry per study or every record,
the filter of Explore, every format offered."""

from __future__ import annotations

from pathlib import Path

from lib.explore.filters import Filters, apply
from lib.project import open_project
from lib.views.exports import entry_count
from lib.views.studies import study_table
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    app_home,
    demo_project,
    demo_template,
    errors,
    open_page,
)

PAGE = "app_pages/9_Export.py"


def caption(at) -> str:
    return next(c.value for c in at.caption if " rows." in c.value)


def test_both_layouts_are_offered_in_every_format(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE)
    assert not errors(at)
    radio = at.radio(key="export_layout")
    assert radio.options == [
        "One entry per study (for reference managers and reading)",
        "Every record, with its study, group and decisions (to move the review)",
    ]
    assert caption(at).startswith("41 rows.")  # 41 studies (97 records, 43 publications)
    keys = {b.key for b in at.get("download_button")}
    assert keys >= {"download_csv", "download_xlsx", "download_ris", "download_bibtex"}
    radio.set_value("record").run()
    assert not errors(at)
    assert caption(at).startswith("97 rows.")


def test_every_record_of_the_filtered_studies(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, PAGE, query={"population": "women"})
    at.radio(key="export_layout").set_value("record").run()
    assert not errors(at)
    with open_project(demo_project) as project:
        chosen = apply(study_table(project), Filters(population=("women",)))
    assert 0 < len(chosen) < 41
    assert caption(at).startswith(f"{entry_count(chosen, 'record')} rows.")
