"""The background worker that retrains the ranking as decisions come in.

The Screen page never waits for a model: it calls `ensure_worker`, which starts this
module as a separate process (``python -m lib.screening.worker PROJECT``) unless one is
already running for the project file (its heartbeat in ``screen_worker`` is fresh). The
worker polls the project for new title/abstract decisions (one small query), retrains
when they changed, and writes the new ranking to ``screen_rankings``; the page reads the
newest ranking on its next rerun. A process, not a thread: building TF-IDF features of
50k records holds the interpreter lock for seconds, which would stall the page's reruns.

The ranking is derived data that no cache keys on, so it is written without bumping the
project version (other pages' caches stay valid). The worker stops when it has had
nothing to do for `IDLE_SECONDS`, or when the process that started it is gone.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lib.background import process_exists, spawn
from lib.project import Project, open_project
from lib.project.store import now
from lib.screening.decisions import TITLE_ABSTRACT
from lib.screening.queue import current
from lib.screening.ranking import DEFAULT, Ranker, document_text
from lib.screening.studies import StudyMap

__all__ = [
    "IDLE_SECONDS",
    "Trainer",
    "ensure_worker",
    "last_error",
    "retrain",
    "training_state",
]

IDLE_SECONDS = 600.0
POLL_SECONDS = 0.5
BEAT_SECONDS = 5.0
STALE_AFTER = 20.0  # a heartbeat older than this: the worker is gone


def training_state(project: Project) -> str:
    """What a ranking is computed from: the groups and the title/abstract decisions."""
    made = project.conn.execute(
        "SELECT COUNT(*), COALESCE(MAX(decision_id), 0), COUNT(undone_at) "
        "FROM screen_decisions WHERE stage = ?",
        (TITLE_ABSTRACT,),
    ).fetchone()
    return f"{project.meta('dedupe_state') or ''}|{made[0]}:{made[1]}:{made[2]}"


@dataclass
class Trainer:
    """Ranks a project's studies; keeps the features until the studies change."""

    ranker: Ranker = DEFAULT
    _features: Any = field(default=None, repr=False)
    _rows: dict[str, int] = field(default_factory=dict, repr=False)
    _key: str = ""
    checked: str = ""  # the training state last looked at
    last_seconds: float = 0.0  # the last retraining: fit and score, features excluded

    def features(self, project: Project, studies: StudyMap) -> Any:
        if self._features is None or self._key != studies.key or not studies.key:
            rows = project.conn.execute(
                "SELECT study_id, title, abstract, keywords FROM dedupe_studies"
            ).fetchall()
            text = {
                sid: document_text(title, abstract, json.loads(keywords))
                for sid, title, abstract, keywords in rows
            }
            texts = [text.get(s, "") for s in studies.order]
            self._features = self.ranker.features(texts)
            self._rows = {s: i for i, s in enumerate(studies.order)}
            self._key = studies.key
        return self._features

    def rank(self, project: Project) -> dict[str, Any] | None:
        """The ranking of the project's studies now, or None while it lacks an include
        or an exclude at title/abstract (maybe and conflicts are not learnt from)."""
        screening = current(project)
        studies = screening.studies
        labelled = [
            (s, 1 if st.verdict == "include" else 0)
            for s, st in screening.status[TITLE_ABSTRACT].items()
            if st.verdict in ("include", "exclude") and s in studies.members
        ]
        n_included = sum(label for _, label in labelled)
        if not labelled or n_included in (0, len(labelled)):
            return None
        features = self.features(project, studies)
        started = time.perf_counter()
        rows = np.array([self._rows[s] for s, _ in labelled])
        labels = np.array([label for _, label in labelled], dtype=np.int8)
        scores = self.ranker.scores(features, rows, labels)
        order = np.argsort(-scores, kind="stable")
        self.last_seconds = time.perf_counter() - started
        learnt = set(rows.tolist())  # decided studies are left out: the page skips no
        return {  # thousands of them to find the first one to show
            "model": self.ranker.name,
            "n_included": n_included,
            "n_excluded": len(labelled) - n_included,
            "record_ids": [studies.order[i] for i in order if i not in learnt],
            "seconds": self.last_seconds,
        }


def _write_quietly(project: Project, sql: str, args: tuple[Any, ...]) -> None:
    """A write that does not bump the project version (derived data, see the docstring)."""
    conn = project.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(sql, args)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def retrain(project: Project, trainer: Trainer | None = None) -> bool:
    """Retrain if the decisions or groups changed since the stored ranking; True if a new
    ranking was stored. The app's worker loops over this; tests and benchmarks call it."""
    trainer = trainer or Trainer()
    state = training_state(project)
    row = project.conn.execute(
        "SELECT trained_on FROM screen_rankings ORDER BY ranking_id DESC LIMIT 1"
    ).fetchone()
    if (row is not None and row[0] == state) or trainer.checked == state:
        return False
    trainer.checked = state
    ranking = trainer.rank(project)
    if ranking is None:
        return False
    conn = project.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        cur = conn.execute(
            "INSERT INTO screen_rankings (trained_on, model, n_included, n_excluded, "
            "record_ids, seconds, made_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                state,
                ranking["model"],
                ranking["n_included"],
                ranking["n_excluded"],
                json.dumps(ranking["record_ids"]),
                ranking["seconds"],
                now(),
            ),
        )
        # older rankings go after the new one is in: its id stays above theirs, so a
        # reader's memo keyed on the id never mistakes the new ranking for an old one
        conn.execute("DELETE FROM screen_rankings WHERE ranking_id < ?", (cur.lastrowid,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


# -- the process ----------------------------------------------------------------------------
def last_error(project: Project) -> str:
    """Why the worker's last retraining failed ('' when it did not)."""
    row = project.conn.execute("SELECT error FROM screen_worker").fetchone()
    return str(row[0]) if row else ""


def _alive(project: Project) -> bool:
    row = project.conn.execute("SELECT pid, host, beat_at FROM screen_worker").fetchone()
    return row is not None and time.time() - float(row[2]) < STALE_AFTER


_STARTED: dict[str, subprocess.Popen[bytes]] = {}  # path -> the worker this process started


def ensure_worker(project: Project) -> bool:
    """Start the project's ranking worker unless one runs; True if one was started."""
    mine = _STARTED.get(str(project.path))
    if (mine is not None and mine.poll() is None) or _alive(project):
        return False
    _STARTED[str(project.path)] = spawn("lib.screening.worker", project.path)
    return True


def _claim(project: Project) -> bool:
    """Take the worker slot unless another live worker holds it."""
    conn = project.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT pid, beat_at FROM screen_worker").fetchone()
        if row is not None and row[0] != os.getpid() and time.time() - row[1] < STALE_AFTER:
            conn.execute("ROLLBACK")
            return False
        conn.execute(
            "INSERT INTO screen_worker (slot, pid, host, beat_at) VALUES (1, ?, ?, ?) "
            "ON CONFLICT (slot) DO UPDATE SET pid = excluded.pid, host = excluded.host, "
            "beat_at = excluded.beat_at",
            (os.getpid(), socket.gethostname(), time.time()),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def run(path: Path, parent: int | None = None, idle_seconds: float = IDLE_SECONDS) -> None:
    """The worker's loop (see the module docstring)."""
    with open_project(path, create=False) as project:
        if not _claim(project):
            return
        trainer = Trainer()
        last_work = last_beat = time.monotonic()
        try:
            while time.monotonic() - last_work < idle_seconds:
                if parent is not None and not process_exists(parent):
                    return
                try:
                    if retrain(project, trainer):
                        last_work = time.monotonic()
                        _write_quietly(project, "UPDATE screen_worker SET error = ''", ())
                except Exception as exc:  # noqa: BLE001 - said on the page, the loop goes on
                    message = f"{type(exc).__name__}: {exc}"[:500]
                    _write_quietly(project, "UPDATE screen_worker SET error = ?", (message,))
                if time.monotonic() - last_beat > BEAT_SECONDS:
                    if not _claim(project):
                        return  # another worker took over
                    last_beat = time.monotonic()
                time.sleep(POLL_SECONDS)
        finally:
            _write_quietly(project, "DELETE FROM screen_worker WHERE pid = ?", (os.getpid(),))


if __name__ == "__main__":
    run(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else None)
