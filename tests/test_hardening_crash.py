"""Crash safety: SIGKILL in the middle of an import or of a run of duplicate decisions leaves
the project file at its last committed state, openable and consistent.

A child process (this module run with ``python -m``) imports files or makes decisions in a
loop and prints one line after each commit. The parent kills it with SIGKILL at seeded
points: right after it has read the n-th "committed" line, a seeded moment after the
child said it was starting a write, or a seeded moment after it started; then it opens the
file and checks it. The same file goes through several kills in a row, so each check also
covers recovering from the previous crash. Seeds are fixed numbers (no hash
randomisation), so every run kills at the same places in the child's work.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from lib.ingest import FileRead
from lib.model import Record
from lib.project import duplicates, open_project
from lib.project.store import BUSY_TIMEOUT_MS
from lib.report import ImportReport
from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")

IMPORT_SIZE = 1500  # records per import: big enough that most time is spent inside the write
WATCHDOG_S = 120  # a child that hangs is killed and the test fails (never a hung CI job)


# -- the child ------------------------------------------------------------------------------
def synthetic_import(k: int, n: int = IMPORT_SIZE) -> FileRead:
    """Import number ``k``: ``n`` records with long abstracts, distinct ids and content."""
    words = "peer support prison listener mentor wounded healer custody".split()
    records = [
        Record(
            record_id=f"imp{k}-{i}",
            entrytype="article",
            title=f"Study {i} of import {k}: {' '.join(words[(i + j) % 8] for j in range(8))}",
            authors=[f"Author{i}, A.", f"Other{k}, B."],
            year=1990 + i % 35,
            journal="The Prison Journal",
            abstract=" ".join(words[(i * j) % 8] for j in range(150)),
            original={"TI": [f"Study {i}"], "AB": ["..."]},
            line=i * 10 + 1,
        )
        for i in range(n)
    ]
    report = ImportReport(
        file_name=f"part-{k}.ris",
        format="ris",
        format_label="RIS",
        encoding="utf-8",
        database="Synthetic",
        sha256=f"synthetic-{k}",
        size=n * 1000,
        records_read=n,
    )
    return FileRead(records, report)


def planned_decisions(record_ids: list[str], seed: int, count: int) -> list[dict]:
    """The decisions the child will attempt, in order (the same list for a seed)."""
    rng = random.Random(seed)
    kinds = ("same", "different", "other-report")
    return [
        {"kind": rng.choice(kinds), "record_ids": rng.sample(record_ids, 2), "note": f"attempt {i}"}
        for i in range(count)
    ]


class _SlowRecords(list):
    """Records that take a moment to hand over, so an import's write lasts long enough
    (~0.3 s) for the parent's kill after "begin" to land inside it even on a busy machine."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        for n, item in enumerate(super().__iter__()):
            if n % 10 == 0:
                time.sleep(0.001)
            yield item


def child_imports(path: str) -> None:
    with open_project(path, create=False) as project:
        k = len(project.imports()) + 1
        print("ready", flush=True)
        while True:
            read = synthetic_import(k)
            read.records = _SlowRecords(read.records)
            print(f"begin {k}", flush=True)
            project.add_import(read)
            print(f"committed {k}", flush=True)
            k += 1


def child_decisions(path: str, seed: int, count: int) -> None:
    with open_project(path, create=False) as project:
        ids = sorted(r.record_id for r in project.records())
        plan = planned_decisions(ids, seed, count)
        done = len(duplicates.decisions(project, include_undone=True))
        print("ready", flush=True)
        for i in range(done, count):
            step = plan[i]
            print(f"begin {i}", flush=True)
            duplicates.decide(project, step["kind"], step["record_ids"], note=step["note"])
            print(f"committed {i}", flush=True)
        print("finished", flush=True)


# -- the parent -----------------------------------------------------------------------------
class Child:
    """A child process whose stdout lines are awaited one by one."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.test_hardening_crash", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.watchdog = threading.Timer(WATCHDOG_S, self.proc.kill)
        self.watchdog.start()

    def wait_for(self, prefix: str, nth: int = 1) -> None:
        """Read lines until the ``nth`` one starting with ``prefix`` (fails on EOF)."""
        seen = sum(1 for line in self.lines if line.startswith(prefix))
        while seen < nth:
            line = self.proc.stdout.readline()
            if not line:
                self.proc.wait()
                pytest.fail(f"child ended before {prefix!r} #{nth}: {self.proc.stderr.read()}")
            self.lines.append(line.strip())
            seen += line.startswith(prefix)

    def kill_after(self, seconds: float) -> None:
        """SIGKILL once ``seconds`` have passed (or at once if the child already ended)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=seconds)
        self.kill()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        # Read the rest through the text streams, not `communicate()`: communicate reads the
        # pipes' file descriptors directly and loses lines `readline()` already pulled into
        # the stream's buffer (a fast child writes several per chunk), which made commits
        # the child reported look unreported.
        rest, err = self.proc.stdout.read(), self.proc.stderr.read()
        self.proc.wait()
        self.watchdog.cancel()
        self.lines += [line.strip() for line in rest.splitlines()]
        assert "Traceback" not in err, err

    def committed(self) -> int:
        return sum(1 for line in self.lines if line.startswith("committed"))

    def killed_mid_write(self) -> bool:
        """The child had begun a write and not reported its commit when it died."""
        return bool(self.lines) and self.lines[-1].startswith("begin")


def check_file(path: Path) -> None:
    """The file is sound SQLite in WAL mode, and opens as a project."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_project_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    with open_project(tmp_path / "p.sqlite") as project:
        assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert project.conn.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS
        assert BUSY_TIMEOUT_MS >= 5000


def test_a_write_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    """Another connection holds the write lock: a project write waits for it (the busy
    timeout) and goes through once the lock is released, instead of "database is locked"."""
    path = tmp_path / "p.sqlite"
    open_project(path).close()
    errors: list[BaseException] = []
    opened, locked, started = threading.Event(), threading.Event(), threading.Event()

    def write() -> None:
        try:
            with open_project(path, create=False) as project:  # before the other locks
                opened.set()
                locked.wait()
                started.set()
                project.set_meta("written", "yes")
        except BaseException as exc:  # the assertion below reports it
            errors.append(exc)
        finally:
            opened.set()
            started.set()

    writer = threading.Thread(target=write)
    writer.start()
    opened.wait()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    locked.set()
    started.wait()
    # one second into its write the writer is still waiting for the lock (without a busy
    # timeout it fails at once with "database is locked"; with one it waits 10 s)
    writer.join(timeout=1.0)
    assert writer.is_alive() and not errors, errors
    other.execute("COMMIT")
    other.close()
    writer.join()
    assert not errors, errors
    with open_project(path, create=False) as project:
        assert project.meta("written") == "yes"


def test_opening_a_project_does_not_wait_for_a_write_in_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session opening the project while another one is in a long write (an import of
    100k records, deduplication inside a decision) reads at once: WAL lets it."""
    from lib.project import store

    path = tmp_path / "p.sqlite"
    open_project(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)  # fail fast instead of in 10 s
    try:
        with open_project(path, create=False) as project:
            assert project.version == 0
    finally:
        other.execute("ROLLBACK")
        other.close()


# kill plans: ("committed", n) kill right after the n-th commit line; ("begin", n, s) kill
# s seconds after the n-th "begin" line (inside or just after that write); ("time", s)
# kill s seconds after the child is ready. Seeded, so the same every run.
def kill_plans(seed: int, rounds: int) -> list[tuple]:
    rng = random.Random(seed)
    plans: list[tuple] = []
    for i in range(rounds):
        kind = ("committed", "begin", "time")[i % 3]
        if kind == "committed":
            plans.append(("committed", rng.randint(1, 2)))
        elif kind == "begin":
            plans.append(("begin", rng.randint(1, 2), rng.uniform(0.0, 0.15)))
        else:
            plans.append(("time", rng.uniform(0.05, 1.2)))
    return plans


def run_plan(child: Child, plan: tuple) -> None:
    child.wait_for("ready")
    if plan[0] == "committed":
        child.wait_for("committed", plan[1])
        child.kill()
    elif plan[0] == "begin":
        child.wait_for("begin", plan[1])
        child.kill_after(plan[2])
    else:
        child.kill_after(plan[1])


def test_sigkill_during_imports_leaves_last_committed_state(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    open_project(path).close()
    committed = mid_write = 0
    for plan in kill_plans(seed=20240607, rounds=6):
        child = Child("imports", str(path))
        run_plan(child, plan)
        committed += child.committed()
        mid_write += child.killed_mid_write()
        check_file(path)
        with open_project(path, create=False) as project:
            imports = project.imports()
            # every commit the child reported is there; at most one more (killed between
            # its COMMIT and its print), never a partial one
            assert committed <= len(imports) <= committed + 1, plan
            committed = len(imports)
            for k, item in enumerate(imports, start=1):
                assert item["file_name"] == f"part-{k}.ris"
                assert item["records_read"] == IMPORT_SIZE
                stored = project.conn.execute(
                    "SELECT COUNT(*) FROM records WHERE import_id = ?", (item["import_id"],)
                ).fetchone()[0]
                assert stored == item["records_read"], (plan, k)
            assert len(project.events("import")) == len(imports)
            assert project.version == len(imports)  # one version bump per committed import
    # the kills did land after some commits, and some inside a write
    assert committed >= 2 and mid_write >= 2, (committed, mid_write)


def _decisions_project(path: Path) -> list[str]:
    """A project of 120 records in 40 near-duplicate triples, deduplicated once."""
    records = []
    for i in range(40):
        for copy in range(3):
            records.append(
                Record(
                    record_id=f"r{i}-{copy}",
                    entrytype="article",
                    title=f"Peer support scheme number {i} in prison",
                    authors=[f"Author{i}, A."],
                    year=2000 + i % 20,
                    journal="The Prison Journal",
                    volume=str(i),
                    pages=f"{i}-{i + 9}",
                )
            )
    report = ImportReport(file_name="triples.ris", sha256="triples", records_read=len(records))
    with open_project(path) as project:
        project.add_import(FileRead(records, report))
        duplicates.refresh(project)
    return sorted(r.record_id for r in records)


def test_sigkill_during_decisions_keeps_a_prefix_of_them(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    ids = _decisions_project(path)
    seed, count = 7, 400
    plan_list = planned_decisions(ids, seed, count)
    committed = mid_write = 0
    for plan in kill_plans(seed=424242, rounds=6):
        child = Child("decisions", str(path), str(seed), str(count))
        run_plan(child, plan)
        committed += child.committed()
        mid_write += child.killed_mid_write()
        check_file(path)
        with open_project(path, create=False) as project:
            made = duplicates.decisions(project, include_undone=True)
            assert committed <= len(made) <= committed + 1, plan
            committed = len(made)
            attempted = plan_list[: len(made)]
            assert [(d["kind"], d["record_ids"], d["note"]) for d in made] == [
                (a["kind"], a["record_ids"], a["note"]) for a in attempted
            ]
            # a kill between a decision's commit and its regrouping leaves the groups stale;
            # refreshing makes them the groups of the decisions made, every record in one
            duplicates.refresh(project)
            assert not duplicates.is_stale(project)
            grouped = dict(project.conn.execute("SELECT record_id, cluster_id FROM dedupe_groups"))
            assert sorted(grouped) == ids
            logged = [e["decision_id"] for e in project.events("dedupe_decision")]
            assert logged == [d["decision_id"] for d in made]
    assert committed >= 2 and mid_write >= 2, (committed, mid_write)


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    if mode == "imports":
        child_imports(rest[0])
    elif mode == "decisions":
        child_decisions(rest[0], int(rest[1]), int(rest[2]))
    else:
        raise SystemExit(f"unknown mode {mode!r}: {json.dumps(sys.argv)}")
