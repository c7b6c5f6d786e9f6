"""Imports in the project file (issues 12 and 16): incomplete records stored, a busy
project waited for, the same file imported twice at once stored once, a wrong import
removed and the removal undone, and no stray ``.part`` file from a killed CSV write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from lib.dedupe import deduplicate
from lib.ingest import read_path
from lib.model import Record
from lib.project import ProjectError, duplicates, open_project
from lib.project.bundle import export_bundle, import_bundle
from lib.project.schema import SCHEMA_VERSION
from lib.readers.base import CUT_SHORT, NOTHING_IDENTIFYING
from tests.conftest import DATA, ROOT
from tests.old_projects import downgrade_to_schema_1

FAMILIES = DATA / "families"
RIS = DATA / "readers" / "ris"


def _imported(path: Path, *files: Path) -> list[int]:
    with open_project(path) as project:
        return [project.add_import(read_path(f)) for f in files]


# -- incomplete records ----------------------------------------------------------------------
def test_incomplete_records_are_stored_and_listed(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    _imported(path, FAMILIES / "3-endnote-broken-entries.bib", FAMILIES / "4-ris-no-final-er.ris")
    with open_project(path) as project:
        assert project.count_records() == 6  # every record of both exports
        assert [(r.record_id, r.incomplete) for r in project.incomplete_records()] == [
            ("RN13", NOTHING_IDENTIFYING),
            ("RN14", NOTHING_IDENTIFYING),
            ("ris2", CUT_SHORT),
        ]
        assert [r.record_id for r in project.incomplete_records(2)] == ["ris2"]
        assert project.events("import")[0]["records_incomplete"] == 2


def test_a_project_of_schema_1_gains_the_incomplete_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _imported(path, RIS / "scopus.ris")
    downgrade_to_schema_1(path)  # made as the tool before issue 16 made it
    with open_project(path) as project:
        assert project.meta("schema_version") == str(SCHEMA_VERSION)
        assert [r.incomplete for r in project.records()] == ["", "", ""]
        project.add_import(read_path(FAMILIES / "4-ris-no-final-er.ris"))
        assert [r.record_id for r in project.incomplete_records()] == ["ris2"]


def test_incomplete_records_are_never_merged_on_their_own() -> None:
    whole = Record(
        record_id="a",
        title="Peer support in prison: the Listener scheme",
        authors=["Perrin, Christian"],
        year=2018,
        journal="Prison Journal",
        doi="10.1000/same",
    )
    cut = Record(**{**{f: getattr(whole, f) for f in ("title", "authors", "year", "journal")}})
    cut.record_id, cut.doi, cut.incomplete = "b", "10.1000/same", CUT_SHORT
    twin = Record(**{**{f: getattr(whole, f) for f in ("title", "authors", "year", "journal")}})
    twin.record_id, twin.doi = "c", "10.1000/same"
    result = deduplicate([whole, cut, twin])
    assert result.cluster_of["a"] == result.cluster_of["c"]  # the complete twins merge
    assert result.cluster_of["b"] == "b"  # the incomplete one waits for a person
    pairs = {(p.a, p.b): p for p in result.pairs}
    held = pairs.get(("a", "b")) or pairs[("b", "a")]
    assert held.decision == "possible" and "incomplete" in held.reason


# -- busy project, double import ---------------------------------------------------------------
def _cli(*args: str, wait: str = "120") -> subprocess.Popen[str]:
    env = {**os.environ, "LITREVIEW_BUSY_WAIT_S": wait, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "lib.cli", "ingest", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another session in the middle of a write to the project."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def _read_until(proc: subprocess.Popen[str], needle: str) -> list[str]:
    """Lines of the process's stderr up to one holding ``needle`` (or its end)."""
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if needle in line:
            break
    return lines


def test_an_import_waits_for_another_with_a_message(tmp_path: Path) -> None:
    project = tmp_path / "p.sqlite"
    _imported(project, RIS / "scopus.ris")
    lock = _hold_write_lock(project)
    proc = _cli(str(RIS / "ebsco_crlf.ris"), "--project", str(project))
    try:
        seen = _read_until(proc, "waiting")
        assert "another session is writing to this project" in seen[-1], seen
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    rest = proc.communicate(timeout=120)[1]
    assert proc.returncode == 0, rest
    assert "stored as import 2" in rest and "Traceback" not in rest
    with open_project(project) as opened:
        assert len(opened.imports()) == 2


def test_a_project_busy_for_too_long_ends_with_one_clear_line(tmp_path: Path) -> None:
    project = tmp_path / "p.sqlite"
    _imported(project, RIS / "scopus.ris")
    lock = _hold_write_lock(project)
    try:
        proc = _cli(str(RIS / "ebsco_crlf.ris"), "--project", str(project), wait="1")
        err = proc.communicate(timeout=120)[1]
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert proc.returncode == 1
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "another session kept writing" in errors[0], err


def test_the_same_file_imported_twice_at_once_is_stored_once(tmp_path: Path) -> None:
    project = tmp_path / "p.sqlite"
    _imported(project, RIS / "scopus.ris")
    lock = _hold_write_lock(project)
    both = [_cli(str(RIS / "ebsco_crlf.ris"), "--project", str(project)) for _ in range(2)]
    try:  # both have read the file and wait for the project: neither has stored it yet
        for proc in both:
            assert "waiting" in _read_until(proc, "waiting")[-1]
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    errs = [proc.communicate(timeout=120)[1] for proc in both]
    assert [proc.returncode for proc in both] == [0, 0], errs
    assert sum("stored as import" in e for e in errs) == 1, errs
    assert sum("already imported" in e for e in errs) == 1, errs
    with open_project(project) as opened:
        assert [i["file_name"] for i in opened.imports()] == ["scopus.ris", "ebsco_crlf.ris"]


# -- removing an import ------------------------------------------------------------------------
def _two_imports(path: Path) -> None:
    with open_project(path) as project:
        project.add_import(read_path(RIS / "scopus.ris", database="Scopus"))
        project.add_import(read_path(RIS / "ovid_numbered.ris", database="Ovid"))
        duplicates.refresh(project)


def test_a_removed_import_leaves_the_counts_and_comes_back_on_undo(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    _two_imports(path)
    with open_project(path) as project:
        ovid_ids = [r.record_id for r in project.records(2)]
        decision = duplicates.decide(project, "different", ovid_ids)  # names its records
        before = duplicates.prisma_counts(project)
        project.remove_import(2, note="wrong search")
        assert project.count_records() == 3
        assert {r.import_id for r in project.records()} == {1}
        counts = duplicates.prisma_counts(project)  # regrouped without them
        assert counts["records_identified"] == before["records_identified"] - 2
        assert counts["by_database"] == {"Scopus": 3}
        assert set(duplicates.members_of(project)) == {r.record_id for r in project.records()}
        item = project.imports()[1]
        assert item["removed_at"] and item["records"] == 0
        assert [d["decision_id"] for d in duplicates.decisions(project)] == [decision]
        assert [e["note"] for e in project.events("remove_import")] == ["wrong search"]
        with pytest.raises(ProjectError, match="already removed"):
            project.remove_import(2)

        project.undo_removal(2)
        assert [r.record_id for r in project.records(2)] == ovid_ids  # in arrival order
        assert duplicates.prisma_counts(project) == before  # the decision in force again
        assert (
            duplicates.members_of(project)[ovid_ids[0]]
            != duplicates.members_of(project)[ovid_ids[1]]
        )
        assert project.imports()[1]["removed_at"] is None
        assert project.events("undo_remove_import")[0]["records"] == 2
        with pytest.raises(ProjectError, match="not removed"):
            project.undo_removal(2)


def test_ids_of_a_removed_import_are_not_given_to_a_new_one(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    _two_imports(path)
    with open_project(path) as project:
        project.remove_import(2)
        project.add_import(read_path(RIS / "ovid_numbered.ris"), allow_repeat=True)
        assert [r.record_id for r in project.records(3)] == ["555001~2", "555002~2"]
        # the same file again while the first is removed: the undo would double it
        with pytest.raises(ProjectError, match="imported again as import 3"):
            project.undo_removal(2)
        project.remove_import(3)
        project.undo_removal(2)
        assert [r.record_id for r in project.records()][-2:] == ["555001", "555002"]


def test_a_removed_file_can_be_imported_again(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    _two_imports(path)
    with open_project(path) as project:
        project.remove_import(2)
        assert project.find_import(project.imports()[1]["report"].sha256) is None
        project.add_import(read_path(RIS / "ovid_numbered.ris"))  # not "already imported"
        assert project.count_records() == 5


def test_a_bundle_keeps_removed_imports(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    _two_imports(path)
    with open_project(path) as project:
        project.remove_import(2)
        data = export_bundle(project)
    with import_bundle(data, tmp_path / "copy.sqlite") as copy:
        assert copy.count_records() == 3 and copy.imports()[1]["removed_at"]
        copy.undo_removal(2)
        assert copy.count_records() == 5


def test_text_stored_before_neutralising_is_shown_neutral(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    _imported(path, RIS / "scopus.ris")
    conn = sqlite3.connect(path)  # as an import made before issue 16 stored it
    conn.execute("UPDATE records SET title = 'Peer \u202eroppus\u202c in prison' WHERE rid = 1")
    conn.commit()
    conn.close()
    with open_project(path) as project:
        assert project.records()[0].title == "Peer roppus in prison"


# -- a killed CSV write ------------------------------------------------------------------------
_WRITER = """
import sys
from lib.commands import common

if sys.argv[2] == "named":  # a system without unnamed files: the .part fallback
    common._open_unnamed = lambda folder: None

def rows():
    n = 0
    while True:
        n += 1
        if n == 1000:
            print("writing", flush=True)
        yield {"a": n, "b": "x" * 100}

common.write_csv(sys.argv[1], ["a", "b"], rows())
"""


@pytest.mark.parametrize(
    ("how", "sig"),
    [("unnamed", signal.SIGKILL), ("unnamed", signal.SIGTERM), ("named", signal.SIGTERM)],
    ids=["kill", "term", "term-fallback"],
)
def test_a_killed_csv_write_leaves_no_part_file(tmp_path: Path, how: str, sig: int) -> None:
    out = tmp_path / "out.csv"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(out), how],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_part_file_left_by_a_killed_fallback_write_goes_with_the_next_write(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.csv"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(out), "named"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
    proc.send_signal(signal.SIGKILL)  # nothing can clean up after SIGKILL
    proc.wait(timeout=60)
    assert [p.name for p in tmp_path.iterdir()] == [f"out.csv.{proc.pid}.part"]
    from lib.commands.common import write_csv

    write_csv(str(out), ["a"], [{"a": 1}])
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
