"""AppTest of the scope switch on Explore, the evidence map and Export, on the demo
project: included studies by default, every study with a message before any include,
more studies when switched to all, and the choice kept in the session and the URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.project import open_project
from lib.screening import decisions as dec
from lib.views.studies import study_table
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    app_home,
    demo_project,
    demo_template,
    errors,
    open_page,
)

EXPLORE = "app_pages/5_Explore.py"
MAP = "app_pages/6_Evidence_map.py"
EXPORT = "app_pages/9_Export.py"
PAGES = (EXPLORE, MAP, EXPORT)
SWITCH = "scope_switch"


def include(path: Path, n: int, verdict: str = "include") -> list[str]:
    """Decide the first ``n`` studies of the project (by the table's order)."""
    with open_project(path) as project:
        chosen = study_table(project)["study_id"].tolist()[:n]
        for study in chosen:
            dec.decide(project, study, verdict)
    return chosen


def summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**"))


def shown(at: AppTest) -> int:
    return int(summary(at).split("**")[1].replace(",", ""))


@pytest.mark.parametrize("page", PAGES)
def test_with_no_include_every_study_is_shown_with_a_message(demo_project: Path, page) -> None:  # noqa: F811
    at = open_page(demo_project, page)
    assert not errors(at)
    assert at.radio(key=SWITCH).value == "included"
    assert [i.value for i in at.info if "included yet" in i.value] == [
        "No study has been included yet: showing all 41 studies. Screen them on the Screen page."
    ]
    assert shown(at) == 41 and "of 41 studies" in summary(at)


@pytest.mark.parametrize("page", PAGES)
def test_included_is_the_default_and_all_shows_more(demo_project: Path, page) -> None:  # noqa: F811
    include(demo_project, 3)
    at = open_page(demo_project, page)
    assert not errors(at)
    switch = at.radio(key=SWITCH)
    assert switch.value == "included"
    assert not [i for i in at.info if "included yet" in i.value]
    assert shown(at) == 3 and "of 3 included studies" in summary(at)
    assert "scope" not in at.query_params  # the default is not written into the URL
    switch.set_value("all").run()
    assert not errors(at)
    assert shown(at) == 41
    assert at.session_state["scope"] == "all"
    assert at.query_params["scope"] == ["all"] or at.query_params["scope"] == "all"


def test_maybe_joins_the_included_in_the_middle_scope(demo_project: Path) -> None:  # noqa: F811
    include(demo_project, 2)
    with open_project(demo_project) as project:
        dec.decide(project, study_table(project)["study_id"].tolist()[5], "maybe")
    at = open_page(demo_project, EXPLORE)
    assert shown(at) == 2
    assert at.radio(key=SWITCH).options == [
        "Included studies (2)",
        "Included and maybe (3)",
        "All studies (screened or not) (41)",
    ]
    at.radio(key=SWITCH).set_value("included+maybe").run()
    assert shown(at) == 3


def test_the_scope_is_shared_between_pages_and_read_from_a_link(demo_project: Path) -> None:  # noqa: F811
    include(demo_project, 4)
    at = open_page(demo_project, EXPLORE)
    at.radio(key=SWITCH).set_value("all").run()
    at.switch_page(MAP).run()
    assert not errors(at)
    assert at.radio(key=SWITCH).value == "all" and shown(at) == 41
    linked = open_page(demo_project, EXPORT, query={"scope": "included+maybe"})
    assert linked.radio(key=SWITCH).value == "included+maybe" and shown(linked) == 4
    junk = open_page(demo_project, EXPORT, query={"scope": "everything"})
    assert not errors(junk) and junk.radio(key=SWITCH).value == "included"


def test_the_overview_counts_the_included_studies(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project)
    assert any(c.value.startswith("No study screened yet: 41 studies") for c in at.caption)
    include(demo_project, 3)
    at = open_page(demo_project)
    assert not errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Included studies"] == "3"
    assert any(c.value.startswith("3 included studies of 41 studies") for c in at.caption)
    # included at title/abstract only: PRISMA has none included yet, and the page says why
    assert any("3 of them included at title/abstract, awaiting full-text" in c.value
               for c in at.caption)  # fmt: skip
