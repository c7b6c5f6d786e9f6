"""AppTest of the Import page: files uploaded through the page's uploader reach the project.

AppTest (Streamlit 1.67) can put files in ``st.file_uploader``, so these tests go
through the page's own widgets: upload, label, click Import.
"""

from __future__ import annotations

from pathlib import Path

from lib.project import duplicates, open_project
from lib.textsafe import escape_markdown
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    app_home,
    demo_project,
    demo_template,
    errors,
    open_page,
    write_trap_exports,
)
from tests.conftest import DATA

IMPORT = "app_pages/1_Import.py"
CSV_DATA = DATA / "readers" / "csv"
FAMILIES = DATA / "families"


def imports_of(path: Path) -> list[tuple[str, str, int]]:
    with open_project(path) as project:
        return [(i["file_name"], i["database"], i["records_read"]) for i in project.imports()]


def test_the_page_lists_the_imports_of_the_project(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, IMPORT)
    assert not errors(at)
    assert at.button(key="import").disabled  # nothing uploaded yet
    assert len(at.get("file_uploader")) == 1
    table = next(d.value for d in at.dataframe if "file" in d.value.columns)
    assert list(table["file"]) == [name for name, _, _ in imports_of(demo_project)]
    assert list(table["read"]) == [27, 21, 20, 18, 11]
    assert len(at.expander) == 5  # one report per import


def test_two_exports_uploaded_and_labelled_are_imported_and_deduplicated(
    demo_project: Path,  # noqa: F811
    app_home: Path,  # noqa: F811
) -> None:
    first, second = write_trap_exports(app_home)
    at = open_page(demo_project, IMPORT)
    at.get("file_uploader")[0].set_value(
        [
            (first.name, first.read_bytes(), "text/csv"),
            (second.name, second.read_bytes(), "text/csv"),
        ]
    )
    at.run()
    labels = [t for t in at.text_input if t.key.startswith("label_")]
    assert [t.label for t in labels] == ["Database label, file 1", "Database label, file 2"]
    assert [t.value for t in at.text][:2] == [first.name, second.name]  # names as text
    labels[0].set_value("Scopus (mine)")
    labels[1].set_value("PubMed (mine)")
    at.button(key="import").click().run()
    assert not errors(at)
    assert [s.value for s in at.success] == [
        f"{escape_markdown(first.name)}: imported",
        f"{escape_markdown(second.name)}: imported",
    ]
    rows = [len(f.read_text(encoding="utf-8").splitlines()) - 1 for f in (first, second)]
    stored = imports_of(demo_project)
    assert stored[-2:] == [
        (first.name, "Scopus (mine)", rows[0]),
        (second.name, "PubMed (mine)", rows[1]),
    ]
    with open_project(demo_project) as project:
        assert project.count_records() == 97 + sum(rows)
        assert not duplicates.is_stale(project)  # grouped at once
        assert {"j1", "j3"} <= {r for item in duplicates.review_queue(project)
                                for r in (item.a.record_id, item.b.record_id)}  # fmt: skip


def test_a_file_that_cannot_be_read_is_reported_and_nothing_is_stored(
    demo_project: Path,  # noqa: F811
) -> None:
    at = open_page(demo_project, IMPORT)
    at.get("file_uploader")[0].set_value(("notes.txt", b"\x00\x01\x02 not an export", "text/plain"))
    at.run()
    at.button(key="import").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [escape_markdown("notes.txt") + ": not imported"]
    reports = [t.value for t in at.text if t.value != "notes.txt"]  # not the name beside its box
    assert any(r.startswith("notes.txt: ") for r in reports)  # the reason names the file
    assert len(imports_of(demo_project)) == 5


def test_the_same_file_twice_is_refused_the_second_time(
    demo_project: Path,  # noqa: F811
    app_home: Path,  # noqa: F811
) -> None:
    first, _ = write_trap_exports(app_home)
    upload = (first.name, first.read_bytes(), "text/csv")
    at = open_page(demo_project, IMPORT)
    at.get("file_uploader")[0].set_value(upload)
    at.run()
    at.button(key="import").click().run()
    assert [s.value for s in at.success] == [f"{escape_markdown(first.name)}: imported"]
    at.button(key="import").click().run()
    assert [w.value for w in at.warning] == [f"{escape_markdown(first.name)}: not imported"]
    assert any("already imported" in t.value.lower() for t in at.text)
    assert len(imports_of(demo_project)) == 6


def _upload_and_import(at, path: Path):  # type: ignore[no-untyped-def]
    at.get("file_uploader")[0].set_value((path.name, path.read_bytes(), "text/plain"))
    at.run()
    at.button(key="import").click().run()
    return at


def test_an_import_with_skipped_or_incomplete_records_is_a_warning(
    demo_project: Path,  # noqa: F811
) -> None:
    at = _upload_and_import(open_page(demo_project, IMPORT), CSV_DATA / "bad_row.csv")
    assert not errors(at)
    assert at.success == []
    assert [w.value for w in at.warning] == [
        f"{escape_markdown('bad_row.csv')}: imported, but 1 record(s) skipped and 1 "
        "incomplete record(s) kept: see the report"
    ]
    assert len(imports_of(demo_project)) == 6


def test_the_sidebar_count_follows_the_import_at_once(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, IMPORT)
    assert any("· 97 records" in c.value for c in at.sidebar.caption)
    _upload_and_import(at, FAMILIES / "3-endnote-broken-entries.bib")
    assert any("· 101 records" in c.value for c in at.sidebar.caption), [
        c.value for c in at.sidebar.caption
    ]


def test_incomplete_records_are_listed_on_the_page(demo_project: Path) -> None:  # noqa: F811
    at = _upload_and_import(
        open_page(demo_project, IMPORT), FAMILIES / "3-endnote-broken-entries.bib"
    )
    table = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert list(table["record"]) == ["RN13", "RN14"]
    assert list(table["line"]) == [12, 17]
    assert set(table["why"]) == {"has no title, author or DOI"}
    imports = next(d.value for d in at.dataframe if "incomplete" in d.value.columns)
    assert list(imports["incomplete"])[-1] == 2


def test_an_import_is_removed_with_confirmation_and_the_removal_undone(
    demo_project: Path,  # noqa: F811
) -> None:
    at = open_page(demo_project, IMPORT)
    last = imports_of(demo_project)[-1]
    with open_project(demo_project) as project:
        before = duplicates.prisma_counts(project)
    at.selectbox(key="remove_choice").set_value(5).run()
    assert at.button(key="remove_import").disabled  # not before "Yes, remove" is ticked
    at.checkbox(key="remove_confirm_5").check().run()
    at.button(key="remove_import").click().run()
    assert not errors(at)
    with open_project(demo_project) as project:
        counts = duplicates.prisma_counts(project)
        assert counts["records_identified"] == before["records_identified"] - last[2]
        assert [e["import_id"] for e in project.events("remove_import")] == [5]
    assert any(f"· {97 - last[2]} records" in c.value for c in at.sidebar.caption)
    table = next(d.value for d in at.dataframe if "status" in d.value.columns)
    assert list(table["status"])[-1].startswith("removed ")
    assert table["status"].iloc[0].startswith("imported 20")
    # eight columns, the encoding beside the format: all in view at 1280 px (ten did not fit)
    assert list(table.columns) == ["import", "file", "database", "format", "read",
                                   "incomplete", "skipped", "status"]  # fmt: skip
    assert table["format"].iloc[0].endswith("(utf-8)")
    at.button(key="undo_removal").click().run()
    assert not errors(at)
    with open_project(demo_project) as project:
        assert duplicates.prisma_counts(project) == before
    assert any("· 97 records" in c.value for c in at.sidebar.caption)
