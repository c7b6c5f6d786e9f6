"""AppTest of the Overview (``app.py``): what the project holds, and the project switcher."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import paths
from lib.project import open_project
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    ROOT,
    TIMEOUT,
    app_home,
    as_shown,
    demo_project,
    demo_template,
    errors,
    open_page,
)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_the_demo_project_is_summed_up(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project)
    assert not errors(at)
    shown = metrics(at)
    with open_project(demo_project) as project:
        n_records = project.count_records()
    assert shown["Records imported"] == str(n_records) == "97"
    assert shown["Studies"] == "41"  # 43 publications: an erratum and an abstract are linked
    assert shown["Duplicates removed"] == str(97 - 43)
    # and the page says so, so that 97 less 54 making 41 studies is not a puzzle
    assert any("43 publications after duplicates are removed; 2 of them are other reports "
               "of a study" in c.value for c in at.caption)  # fmt: skip
    assert at.title[0].value.startswith("Demo")
    assert at.radio(key="project_choice").value == "The demo project"
    assert at.button(key="open_demo")
    # the PRISMA flow diagram, studies per year and per population: SVG images, no Plotly
    # (its browser bundle cost seconds of every cold start)
    assert len(at.get("image")) == 3 and not at.get("plotly_chart")
    prisma = next(m.value for m in at.markdown if m.value.startswith("| stage"))
    assert "| Records identified \\(all databases\\) | 97 |" in prisma
    unscreened = "Records not screened yet \\(no screening decision made\\)"
    assert f"| Screening | {unscreened} | 43 |" in prisma
    downloads = {b.proto.label: b.proto for b in at.get("download_button")}
    assert set(downloads) == {"PRISMA counts (CSV)", "PRISMA diagram (SVG)", "PRISMA diagram (PNG)"}


def test_the_navigation_names_the_first_page_overview(demo_project: Path) -> None:  # noqa: F811
    """Streamlit names a main script's page after its file ("app"); app.py lists the pages
    itself so that the first one is called Overview, and every page file is listed.
    (The browser test sees the same names in the sidebar.)"""
    at = open_page(demo_project)
    pages = list(at._registered_pages.values())  # what st.navigation registered
    assert pages[0]["page_name"] == "Overview" and pages[0]["url_pathname"] == ""
    files = sorted(p.name for p in (ROOT / "app_pages").glob("[0-9]*.py"))
    assert sorted(Path(p["script_path"]).name for p in pages) == files
    names = [p["page_name"] for p in pages]
    assert names[1:6] == ["Import", "Duplicates", "Screen", "Check codes", "Explore"]


def test_first_start_builds_and_opens_the_demo(app_home: Path) -> None:  # noqa: F811
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT * 2)
    at.run()  # no project chosen, none remembered: the demo is built in the data folder
    assert not errors(at)
    assert Path(at.session_state["project_path"]) == paths.demo_project_path()
    assert paths.demo_project_path().exists()
    assert metrics(at)["Studies"] == "41"


def test_the_command_line_project_is_opened_and_created(
    app_home: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = app_home / "from-the-command-line.sqlite"
    monkeypatch.setattr(sys, "argv", ["app.py", "--project", str(target)])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not errors(at)
    assert target.exists()
    assert Path(at.session_state["project_path"]) == target
    assert any("This project is empty" in i.value for i in at.info)
    assert paths.last_project() == target.resolve()


def test_a_new_project_is_created_opened_and_remembered(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project)
    at.radio(key="project_choice").set_value("A new project").run()
    target = demo_project.parent / "my-review.sqlite"
    at.text_input(key="project_file").set_value(str(target)).run()
    at.button(key="open_project").click().run()
    assert not errors(at)
    assert target.exists()
    assert at.session_state["project_path"] == str(target)
    assert metrics(at)["Records imported"] == "0"
    assert paths.last_project() == target.resolve()


def test_a_missing_project_file_is_refused_with_its_path(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project)
    at.radio(key="project_choice").set_value("An existing project file").run()
    missing = demo_project.parent / "nowhere.sqlite"
    at.text_input(key="project_file").set_value(str(missing)).run()
    at.button(key="open_project").click().run()
    assert [as_shown(e.value) for e in at.error] == [
        f"{missing}: no such file. Check the path, or create a new project."
    ]
    assert not missing.exists()
    assert at.session_state["project_path"] == str(demo_project)


def test_a_file_that_is_not_a_project_is_refused(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project)
    at.radio(key="project_choice").set_value("An existing project file").run()
    bogus = demo_project.parent / "notes.sqlite"
    bogus.write_text("not a database", encoding="utf-8")
    at.text_input(key="project_file").set_value(str(bogus)).run()
    at.button(key="open_project").click().run()
    assert len(at.error) == 1 and str(bogus) in as_shown(at.error[0].value)
    assert not at.exception
    assert at.session_state["project_path"] == str(demo_project)


def test_back_to_the_demo_from_another_project(demo_project: Path, app_home: Path) -> None:  # noqa: F811
    other = app_home / "other.sqlite"
    open_project(other).close()
    at = open_page(other)
    assert metrics(at)["Studies"] == "0"
    at.button(key="open_demo").click().run()
    assert not errors(at)
    assert at.session_state["project_path"] == str(demo_project)
    assert metrics(at)["Studies"] == "41"


def test_a_hostile_project_name_is_shown_as_text(app_home: Path) -> None:  # noqa: F811
    markdown_it = pytest.importorskip("markdown_it", reason="pip install markdown-it-py")
    path = app_home / "review.sqlite"
    name = "**Bold** [click](javascript:alert(1)) :red[x] $y$ <b>b</b>"
    with open_project(path) as project:
        project.set_meta("name", name)
    at = open_page(path)
    assert not errors(at)
    rendered = markdown_it.MarkdownIt("commonmark").render(at.title[0].value)
    assert "<strong>" not in rendered and "<a " not in rendered and "<b>" not in rendered
    assert not re.search(r"(?<!\\)[:$\[\]]", at.title[0].value)  # Streamlit's own syntax too


def test_a_backup_restores_into_a_new_project_with_every_decision(
    demo_project: Path,  # noqa: F811
    app_home: Path,  # noqa: F811
) -> None:
    from lib.project import coding, duplicates
    from lib.project.bundle import export_bundle

    with open_project(demo_project) as project:
        study = coding.effective_codes(project)["study_id"].iloc[0]
        coding.set_override(project, study, "method", ["rct"], note="checked the paper")
        backup = export_bundle(project)
        decisions = duplicates.decisions(project)
    at = open_page(demo_project)
    at.radio(key="project_choice").set_value("A backup").run()
    assert not errors(at)
    target = app_home / "restored.sqlite"
    at.text_input(key="restore_file").set_value(str(target))
    assert at.button(key="restore").disabled  # nothing uploaded yet
    uploader = next(u for u in at.get("file_uploader") if u.key == "backup_file")
    uploader.set_value(("backup.json", backup, "application/json"))
    at.run()
    at.button(key="restore").click().run()
    assert not errors(at)
    assert Path(at.session_state["project_path"]) == target  # the restored project is open
    with open_project(target, create=False) as restored:
        codes = coding.effective_codes(restored).set_index("study_id")
        assert codes.loc[study, "method"] == "rct"
        assert duplicates.decisions(restored) == decisions
    assert metrics(at)["Studies"] == "41"


def test_a_broken_backup_is_refused_with_a_message(
    demo_project: Path,  # noqa: F811
    app_home: Path,  # noqa: F811
) -> None:
    at = open_page(demo_project)
    at.radio(key="project_choice").set_value("A backup").run()
    target = app_home / "restored.sqlite"
    at.text_input(key="restore_file").set_value(str(target))
    uploader = next(u for u in at.get("file_uploader") if u.key == "backup_file")
    uploader.set_value(("backup.json", b'{"format": "something else"}', "application/json"))
    at.run()
    at.button(key="restore").click().run()
    assert any("backup.json" in as_shown(e) for e in errors(at))
    assert not target.exists()


@pytest.mark.parametrize(
    "page", ["app_pages/0_Overview.py", "app_pages/5_Explore.py", "app_pages/6_Evidence_map.py"]
)
def test_page_icons_are_material_icons_not_emoji(demo_project: Path, page: str) -> None:  # noqa: F811
    """Emoji icons drew as empty boxes in Debian's Chromium (no emoji font), and the first
    emoji made Streamlit compile its emoji catalogue's pattern (0.1-0.2 s of a cold start)."""
    at = open_page(demo_project, page)
    assert not errors(at)
    icons = [link.proto.icon for link in at.get("page_link")]
    assert icons and all(icon.startswith(":material/") for icon in icons), icons
