"""Two writers, one project: two processes (or two threads, each with its own connection)
making decisions and imports on the same project file at the same time lose none of them.

Each writer makes `DECISIONS` duplicate decisions and `IMPORTS` imports, interleaved, as a
person clicking through the review queue in one browser tab while a colleague does the same
in another. Both start together (the parent releases them with one line on their stdin, or
one `threading.Event`); afterwards every write of both is in the file, in each writer's own
order, the file is sound and the stored groups match the decisions.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from lib.ingest import FileRead
from lib.model import Record
from lib.project import duplicates, open_project
from lib.project.store import Project
from lib.report import ImportReport
from tests.conftest import ROOT

DECISIONS = 25  # per writer
IMPORTS = 4  # per writer
WATCHDOG_S = 180


def _records(prefix: str, n: int) -> list[Record]:
    return [
        Record(
            record_id=f"{prefix}-{i}",
            entrytype="article",
            title=f"Peer mentoring in custody, part {i} ({prefix})",
            authors=[f"Writer{i}, A."],
            year=2000 + i % 20,
            journal="Prison Service Journal",
            volume=str(i),
            pages=f"{i}-{i + 5}",
        )
        for i in range(n)
    ]


def make_project(path: Path) -> list[str]:
    """60 records, deduplicated once; returns their ids."""
    records = _records("base", 60)
    report = ImportReport(file_name="base.ris", sha256="base", records_read=len(records))
    with open_project(path) as project:
        project.add_import(FileRead(records, report))
        duplicates.refresh(project)
    return [r.record_id for r in records]


def writer_steps(name: str, ids: list[str]) -> list[tuple[str, object]]:
    """What writer ``name`` does, in order: decisions with an import every few steps."""
    rng = random.Random(f"writer-{name}")  # str seeds are hashed with SHA-512, not hash()
    steps: list[tuple[str, object]] = []
    for i in range(DECISIONS):
        kind = rng.choice(("same", "different", "other-report"))
        steps.append(("decide", (kind, rng.sample(ids, 2), f"{name} #{i}")))
        if i % (DECISIONS // IMPORTS) == 0 and sum(s[0] == "import" for s in steps) < IMPORTS:
            steps.append(("import", f"{name}-{i}"))
    return steps


def run_steps(project: Project, steps: list[tuple[str, object]]) -> None:
    for what, arg in steps:
        if what == "decide":
            kind, pair, note = arg  # type: ignore[misc]
            duplicates.decide(project, kind, pair, note=note)
        else:
            records = _records(str(arg), 10)
            report = ImportReport(file_name=f"{arg}.ris", sha256=str(arg), records_read=10)
            project.add_import(FileRead(records, report))


def check_project(path: Path, writers: dict[str, list[tuple[str, object]]]) -> None:
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    with open_project(path, create=False) as project:
        made = duplicates.decisions(project)
        notes = [d["note"] for d in made]
        files = [i["file_name"] for i in project.imports()]
        for name, steps in writers.items():
            wanted = [s[1][2] for s in steps if s[0] == "decide"]  # type: ignore[index]
            assert [n for n in notes if n.startswith(f"{name} #")] == wanted, name
            imported = [f"{s[1]}.ris" for s in steps if s[0] == "import"]
            assert [f for f in files if f.startswith(f"{name}-")] == imported, name
        assert len(made) == sum(s[0] == "decide" for st in writers.values() for s in st)
        for item in project.imports():
            stored = project.conn.execute(
                "SELECT COUNT(*) FROM records WHERE import_id = ?", (item["import_id"],)
            ).fetchone()[0]
            assert stored == item["records_read"]
        # every decision and import committed (regroupings add more versions)
        writes = len(made) + len(files) + 1  # + the first run of deduplication
        assert project.version >= writes
        assert not duplicates.is_stale(project)
        grouped = {r for (r,) in project.conn.execute("SELECT record_id FROM dedupe_groups")}
        assert grouped == {r.record_id for r in project.records()}


def child(path: str, name: str) -> None:
    with open_project(path, create=False) as project:
        ids = sorted(r.record_id for r in project.records() if r.record_id.startswith("base-"))
        steps = writer_steps(name, ids)
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            raise SystemExit("expected 'go' on stdin")
        run_steps(project, steps)
    print("done", flush=True)


def test_two_processes_lose_no_write(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    ids = sorted(make_project(path))
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-m", "tests.test_hardening_writers", str(path), name],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("A", "B")
    }
    timers = [threading.Timer(WATCHDOG_S, p.kill) for p in procs.values()]
    for timer in timers:
        timer.start()
    try:
        for proc in procs.values():
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        for proc in procs.values():  # release both at once
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for name, proc in procs.items():
            out, err = proc.communicate()
            assert proc.returncode == 0 and out.strip() == "done", (name, err)
            assert "locked" not in err, err
    finally:
        for timer in timers:
            timer.cancel()
    check_project(path, {name: writer_steps(name, ids) for name in procs})


def test_two_threads_with_own_connections_lose_no_write(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    ids = sorted(make_project(path))
    writers = {name: writer_steps(name, ids) for name in ("T1", "T2")}
    go = threading.Event()
    errors: list[BaseException] = []

    def work(steps: list[tuple[str, object]]) -> None:
        try:
            with open_project(path, create=False) as project:
                go.wait()
                run_steps(project, steps)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(steps,)) for steps in writers.values()]
    for thread in threads:
        thread.start()
    go.set()
    for thread in threads:
        thread.join(WATCHDOG_S)
    assert not errors, errors
    check_project(path, writers)


def test_two_writers_opening_a_new_project_at_once(tmp_path: Path) -> None:
    """Two sessions opening the same new file at the same moment both get a project (the
    race is tried ten times: each try hits it about half the time)."""
    for attempt in range(10):
        path = tmp_path / f"new-{attempt}.sqlite"
        go = threading.Barrier(2)
        errors: list[BaseException] = []

        def open_it(path: Path = path, go: threading.Barrier = go, errors: list = errors) -> None:
            try:
                go.wait()
                with open_project(path) as project:
                    project.set_meta(f"opened-{threading.get_ident()}", "yes")
            except BaseException as exc:  # reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=open_it) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WATCHDOG_S)
        assert not errors, errors
        with open_project(path, create=False) as project:
            opened = project.conn.execute("SELECT COUNT(*) FROM meta WHERE key LIKE 'opened-%'")
            assert opened.fetchone()[0] == 2
            assert project.meta("schema_version") is not None and project.version == 2


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2])
