"""The project file: one import is all of a file's records or none, and nothing is lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from lib.ingest import read_path
from lib.project import AlreadyImported, ProjectError, open_project
from lib.project.schema import SCHEMA_VERSION
from tests.conftest import DATA

RIS = DATA / "readers" / "ris"


def test_import_stores_records_and_report(tmp_path: Path) -> None:
    with open_project(tmp_path / "p.sqlite") as project:
        read = read_path(RIS / "ovid_numbered.ris", database="Ovid MEDLINE")
        import_id = project.add_import(read)
        stored = project.records()
        assert [r.record_id for r in stored] == ["555001", "555002"]
        assert stored[0] == read.records[0]  # every field, original included
        (imp,) = project.imports()
        assert imp["import_id"] == import_id and imp["database"] == "Ovid MEDLINE"
        assert imp["report"].records_read == 2
        assert project.events("import")[0]["records_read"] == 2


def test_reopened_project_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    with open_project(path) as project:
        project.add_import(read_path(RIS / "scopus.ris"))
        version = project.version
    with open_project(path, create=False) as project:
        assert project.count_records() == 3
        assert project.version == version
        assert project.meta("schema_version") == str(SCHEMA_VERSION)


def test_same_file_twice_is_detected(tmp_path: Path) -> None:
    with open_project(tmp_path / "p.sqlite") as project:
        project.add_import(read_path(RIS / "scopus.ris"))
        with pytest.raises(AlreadyImported, match="already imported as import 1"):
            project.add_import(read_path(RIS / "scopus.ris"))
        assert project.count_records() == 3


def test_ids_already_in_project_are_renamed(tmp_path: Path) -> None:
    with open_project(tmp_path / "p.sqlite") as project:
        project.add_import(read_path(RIS / "ovid_numbered.ris"))
        second = read_path(RIS / "ovid_numbered.ris")
        project.add_import(second, allow_repeat=True)
        ids = [r.record_id for r in project.records()]
        assert ids == ["555001", "555002", "555001~2", "555002~2"]
        assert project.imports()[1]["report"].renamed_ids == [
            ("555001", "555001~2"),
            ("555002", "555002~2"),
        ]


def test_a_failing_import_leaves_nothing(tmp_path: Path) -> None:
    with open_project(tmp_path / "p.sqlite") as project:
        read = read_path(RIS / "scopus.ris")
        read.records[1].authors = [object()]  # type: ignore[list-item]  # cannot be stored
        before = project.version
        with pytest.raises(TypeError):
            project.add_import(read)
        assert project.count_records() == 0
        assert project.imports() == []
        assert project.version == before


def test_not_a_project_file_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(ProjectError, match="not a project file"):
        open_project(text)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(ProjectError, match="not a project file"):
        open_project(other)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    open_project(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="newer version"):
        open_project(path)


def test_wal_and_busy_timeout(tmp_path: Path) -> None:
    with open_project(tmp_path / "p.sqlite") as project:
        assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert project.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


_OPEN_AND_CLOSE = (
    "import sys; from lib.project import open_project; open_project(sys.argv[1]).close()"
)


def test_reopening_while_other_processes_come_and_go(tmp_path: Path) -> None:
    """The app keeps connections open and opens the project on every rerun while the
    command line or another session opens and closes it. Reading the file from Python
    once dropped this process's SQLite locks, and another process's close then deleted
    the WAL under the open connections ("disk I/O error")."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = tmp_path / "p.sqlite"
    keep = [open_project(path)]
    keep[0].add_import(read_path(RIS / "scopus.ris"))
    for round_ in range(5):
        subprocess.run([sys.executable, "-c", _OPEN_AND_CLOSE, str(path)], cwd=ROOT, check=True)
        keep.append(open_project(path))
        for project in keep:  # the connections opened before still work, and see everything
            assert project.count_records() == 3 * (round_ + 1)
        keep[0].add_import(read_path(RIS / "scopus.ris"), allow_repeat=True)
    for project in keep:
        project.close()


def test_an_empty_project_has_an_empty_studies_table(tmp_path: Path) -> None:
    from lib.pipeline import refresh
    from lib.views.studies import STUDY_COLUMNS, study_table

    with open_project(tmp_path / "empty.sqlite") as project:
        refresh(project)
        table = study_table(project)
        assert table.empty and list(table.columns) == list(STUDY_COLUMNS)
