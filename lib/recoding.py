"""Re-code a large project in a separate process after the codebook it uses changed.

A new version of the app can bring a new default codebook. Every study of a project that
uses it is then coded again, and on a 50k-study project that took 39 s, during which the
first page the reviewer opened showed only a spinner. Instead the page starts this
module as a process (``python -m lib.recoding PROJECT PARENT_PID``) and keeps working
with the codes of the earlier codebook, saying so with the progress; the worker codes
every study in chunks, then stores all codes at once (`lib.project.coding.recode`), in
the same transaction as the keys that tell `lib.pipeline` the codes are current.

Meanwhile `lib.pipeline.refresh` codes only the studies a reviewer's decisions change
(with the new codebook) and leaves the rest to the worker; the worker records the state
of the groups it started from, so whatever changed after it started is coded again on
the next refresh. If the codebook changes again while it works (an edit on the Codebook
page, which codes everything itself), the worker's result is dropped.

A process, not a thread: coding holds the interpreter lock, which would stall the page.
Its progress and heartbeat live in the project's ``meta`` table under `_KEY`, written
without bumping the project version (no page cache keys on them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lib import pipeline
from lib.background import process_exists, spawn
from lib.project import Project, open_project

__all__ = ["BACKGROUND_FROM", "Progress", "progress", "run", "running", "start_if_wanted"]

BACKGROUND_FROM = 3000  # studies: below this a re-code takes a second or two, on the spot
CHUNK = 1000
STALE_AFTER = 30.0  # seconds without a heartbeat: the worker is gone
_KEY = "recode_worker"

_STARTED: dict[str, subprocess.Popen[bytes]] = {}  # path -> the worker this process started


@dataclass(frozen=True, slots=True)
class Progress:
    """A background re-code, as its worker last reported it."""

    done: int
    total: int
    codebook: str  # the codebook it codes with (`lib.pipeline.codebook_key`)
    error: str = ""


def _read(project: Project) -> dict[str, Any] | None:
    text = project.meta(_KEY)
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _write(project: Project, value: dict[str, Any] | None) -> None:
    """Progress without a version bump (see the module docstring)."""
    conn = project.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        if value is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (_KEY,))
        else:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_KEY, json.dumps(value)),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def progress(project: Project) -> Progress | None:
    """The running worker's progress (or its error), None when none runs for the
    project's codebook now."""
    key = pipeline.codebook_key(project)
    if pipeline.coded_state(project)[1] == key:
        return None  # the codes are this codebook's (stored by the worker, or on the spot)
    value = _read(project)
    if value is not None and value.get("codebook") == key and value.get("error"):
        return Progress(0, int(value.get("total", 0)), key, str(value["error"]))
    if not running(project, key):
        return None
    if value is None:  # just started: no heartbeat yet
        (studies,) = project.conn.execute("SELECT COUNT(*) FROM dedupe_studies").fetchone()
        return Progress(0, int(studies), key)
    return Progress(int(value.get("done", 0)), int(value.get("total", 0)), key)


def running(project: Project, codebook: str | None = None) -> bool:
    """Whether a worker is re-coding the project with ``codebook`` (default: the one the
    project uses now): one this process started and still runs, or a fresh heartbeat."""
    codebook = codebook or pipeline.codebook_key(project)
    mine = _STARTED.get(str(project.path))
    value = _read(project)
    if value is not None and (value.get("codebook") != codebook or value.get("error")):
        return False
    if mine is not None and mine.poll() is None:
        return True  # started here; its first heartbeat may not be written yet
    return value is not None and time.time() - float(value.get("beat", 0)) < STALE_AFTER


def wanted(project: Project) -> bool:
    """A re-code in the background is the way: the codes were made with another
    codebook, incremental coding has a record to start from, and the project is large."""
    _, coded_with, seen = pipeline.coded_state(project)
    if coded_with is None or seen is None or coded_with == pipeline.codebook_key(project):
        return False
    (studies,) = project.conn.execute("SELECT COUNT(*) FROM dedupe_studies").fetchone()
    return int(studies) >= BACKGROUND_FROM


def start_if_wanted(project: Project) -> bool:
    """Start the worker when `wanted` and none runs; True while one runs (or just
    started). A worker that failed is not started again: the caller codes on the spot."""
    key = pipeline.codebook_key(project)
    if running(project, key):
        return True
    value = _read(project)
    if not wanted(project) or (value and value.get("codebook") == key and value.get("error")):
        return False
    _STARTED[str(project.path)] = spawn("lib.recoding", project.path)
    return True


def run(path: Path, parent: int | None = None) -> bool:
    """Code every study with the project's codebook and store the codes; True if stored.

    What is coded is one snapshot of the studies and of the state of the groups; the
    codes are dropped if the codebook changed meanwhile.
    """
    from lib.coding import code_records
    from lib.project import coding, duplicates

    with open_project(path, create=False) as project:
        key = pipeline.codebook_key(project)
        codebook = coding.project_codebook(project)
        conn = project.conn
        conn.execute("BEGIN")  # one snapshot: the groups' state and the studies it made
        try:
            groups_state = project.meta("dedupe_state")
            last, _ = duplicates.study_changes(project, 0)
            studies = duplicates.study_records(project)
        finally:
            conn.execute("COMMIT")
        ids = list(studies)
        total = len(ids)
        beat = {"codebook": key, "pid": os.getpid(), "total": total}
        _write(project, {**beat, "done": 0, "beat": time.time()})
        try:
            codings = []
            for start in range(0, total, CHUNK):
                if parent is not None and not process_exists(parent):
                    _write(project, None)
                    return False
                chunk = ids[start : start + CHUNK]
                codings += code_records(
                    [coding.as_study(sid, studies[sid]) for sid in chunk], codebook
                )
                _write(project, {**beat, "done": len(codings), "beat": time.time()})
            stored = coding.recode(
                project,
                studies,
                codebook,
                codings=codings,
                meta=pipeline.coded_meta(groups_state, key, last),
                unless=lambda _conn: pipeline.codebook_key(project) != key,
            )
        except Exception as exc:  # noqa: BLE001 - said on the page, which then codes itself
            _write(project, {**beat, "error": f"{type(exc).__name__}: {exc}"[:500]})
            return False
        _write(project, None)
        return stored is not None


if __name__ == "__main__":
    run(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None)
