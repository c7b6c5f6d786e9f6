"""The ranking worker: retrains when decisions change, writes the ranking without bumping
the project version, and runs as one background process per project file."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from lib.ingest import read_bytes
from lib.project import duplicates, open_project
from lib.screening import decisions as dec
from lib.screening import worker
from lib.screening.queue import current, latest_ranking, queue

TOPICS = {
    "peer": "peer support listeners prison mentors inmates custody",
    "heart": "cardiac surgery bypass arteries heart valve",
    "soil": "soil bacteria arid climate nitrogen crops",
}


@pytest.fixture()
def path(tmp_path: Path) -> Path:
    rows = []
    for topic, words in TOPICS.items():
        for i in range(8):
            title = f"{words.split()[i % 6].capitalize()} study {i}: {words}"
            rows.append(f"{topic}{i},{title},Author {topic}{i},{2000 + i}")
    data = ("record_id,title,authors,year\n" + "\n".join(rows) + "\n").encode()
    target = tmp_path / "review.sqlite"
    with open_project(target) as project:
        project.add_import(read_bytes(data, "search.csv", database="Scopus"))
        duplicates.refresh(project)
    return target


def test_a_ranking_is_made_once_there_is_an_include_and_an_exclude(path: Path) -> None:
    with open_project(path) as project:
        trainer = worker.Trainer()
        dec.decide(project, "peer0", "include")
        assert not worker.retrain(project, trainer)  # no exclude yet: nothing to learn
        dec.decide(project, "heart0", "exclude")
        version = project.version
        assert worker.retrain(project, trainer)
        assert project.version == version  # derived data: other pages' caches stay valid
        assert not worker.retrain(project, trainer)  # nothing changed since
        screening = current(project)
        ranking = latest_ranking(project, screening.studies)
        assert ranking is not None and (ranking.n_included, ranking.n_excluded) == (1, 1)
        todo = queue(screening, ranking=ranking)
        assert all(s.startswith("peer") for s in todo[:7])  # the other peer studies first
        dec.decide(project, "soil0", "exclude")
        assert worker.retrain(project, trainer)
        assert latest_ranking(project, current(project).studies).n_excluded == 2


def test_the_ranking_follows_its_records_into_merged_studies(path: Path) -> None:
    with open_project(path) as project:
        dec.decide(project, "peer0", "include")
        dec.decide(project, "heart0", "exclude")
        worker.retrain(project)
        duplicates.decide(project, "same", ["peer1", "peer2"])
        screening = current(project)
        ranking = latest_ranking(project, screening.studies)
        assert "peer2" not in ranking.order and "peer1" in ranking.order
        assert len(ranking.order) == len(screening.studies) - 2  # the two decided are left out


def test_the_worker_loop_ranks_and_leaves_when_idle(path: Path) -> None:
    with open_project(path) as project:
        dec.decide(project, "peer0", "include")
        dec.decide(project, "soil0", "exclude")
    started = time.monotonic()
    worker.run(path, parent=os.getpid(), idle_seconds=1.0)
    assert time.monotonic() - started < 30
    with open_project(path) as project:
        assert latest_ranking(project, current(project).studies) is not None
        assert project.conn.execute("SELECT COUNT(*) FROM screen_worker").fetchone()[0] == 0


def test_one_background_process_per_project(path: Path) -> None:
    with open_project(path) as project:
        dec.decide(project, "peer0", "include")
        dec.decide(project, "heart0", "exclude")
        assert worker.ensure_worker(project)
        process = worker._STARTED[str(path)]
        try:
            assert not worker.ensure_worker(project)  # already running: not a second one
            deadline = time.monotonic() + 90
            while latest_ranking(project, current(project).studies) is None:
                assert process.poll() is None, "the worker stopped early"
                assert time.monotonic() < deadline, "no ranking after 90 s"
                time.sleep(0.2)
            row = project.conn.execute("SELECT pid FROM screen_worker").fetchone()
            assert row is not None and row[0] == process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def test_a_failed_retraining_is_kept_for_the_page_to_say(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self, project):
        raise MemoryError("no room for the features")

    monkeypatch.setattr(worker.Trainer, "rank", broken)
    monkeypatch.setattr(worker, "_write_quietly", _keep_row(worker._write_quietly))
    with open_project(path) as project:
        dec.decide(project, "peer0", "include")
        dec.decide(project, "heart0", "exclude")
    worker.run(path, idle_seconds=1.0)
    with open_project(path) as project:
        assert worker.last_error(project) == "MemoryError: no room for the features"


def _keep_row(write):
    """The worker removes its row when it stops; keep it so the test can read the error."""

    def keeping(project, sql, args):
        if not sql.startswith("DELETE FROM screen_worker"):
            write(project, sql, args)

    return keeping
