"""A screening decision on a ~50,000-study project: server time, click to next study.

    .venv/bin/python bench/screening_latency.py --records 82000 --decided 10000 45000

Builds a real project file (82,000 synthetic records, `bench/dedupe_synthetic.py`, stored,
deduplicated and coded: about 50,000 studies), stores ``--decided`` earlier decisions
(mid-way and near the end of screening), ranks once with the background worker's own
code (`lib.screening.worker.retrain`), then measures under AppTest the Screen page's
rerun after clicking Include (the decision is written in the button's callback, so the
rerun is everything the server does between the click and the next study), median of
``--repeats``. Also the library alone: storing one decision, and reading the state the
page needs (`current` + `queue`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dedupe_synthetic import generate, to_records  # noqa: E402

from lib import pipeline  # noqa: E402
from lib.ingest import FileRead  # noqa: E402
from lib.project import open_project  # noqa: E402
from lib.report import ImportReport  # noqa: E402
from lib.screening import decisions, worker  # noqa: E402
from lib.screening.queue import current, latest_ranking, pending, progress  # noqa: E402


def ms(values: list[float]) -> str:
    return f"**{statistics.median(values) * 1000:.1f} ms** ({min(values) * 1000:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=82_000)
    parser.add_argument("--decided", type=int, nargs="+", default=[10_000, 45_000])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    from streamlit.testing.v1 import AppTest

    rows, _ = generate(args.records)
    records = to_records(rows)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LITREVIEW_HOME"] = tmp
        path = Path(tmp) / "scale.sqlite"
        report = ImportReport(file_name="synthetic.csv", sha256="synthetic", database="Synthetic")
        report.records_read = len(records)
        with open_project(path) as project:
            project.add_import(FileRead(records, report))
            started = time.perf_counter()
            pipeline.refresh(project)
            print(f"deduplicated and coded in {time.perf_counter() - started:.0f} s")
            order = current(project).studies.order
        print(f"{len(records):,} records, {len(order):,} studies; load {os.getloadavg()[0]:.1f}\n")
        print("| decided before | store one decision | state, next study, progress | page rerun "
              "after a click (server) | load avg |")  # fmt: skip
        print("|---:|---:|---:|---:|---:|")
        done = 0
        for target in args.decided:
            with open_project(path) as project:
                batch = [
                    (s, "include" if i % 25 == 0 else "exclude", "", "")
                    for i, s in enumerate(order[done:target])
                ]
                decisions.decide_many(project, batch, origin="ranked")
                done = target
                started = time.perf_counter()
                worker.retrain(project)
                trained = time.perf_counter() - started
                store, state = [], []
                for i in range(args.repeats):
                    shown = next(pending(current(project)))
                    t0 = time.perf_counter()
                    decisions.decide(project, shown, "exclude", origin="ranked")
                    t1 = time.perf_counter()
                    screening = current(project)
                    next(pending(screening, ranking=latest_ranking(project, screening.studies)))
                    progress(screening)
                    t2 = time.perf_counter()
                    store.append(t1 - t0)
                    state.append(t2 - t1)
                    del i
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            at.session_state["project_path"] = str(path)
            at.switch_page("app_pages/3_Screen.py")
            at.run()
            at.run()  # caches warm, as after the first decision of a session
            reruns = []
            for _ in range(args.repeats):
                at.button(key="screen_exclude").click()
                t0 = time.perf_counter()
                at.run()
                reruns.append(time.perf_counter() - t0)
                assert not at.exception, at.exception
            print(
                f"| {target:,} | {ms(store)} | {ms(state)} | {ms(reruns)} "
                f"| {os.getloadavg()[0]:.1f} |",
                flush=True,
            )
            print(f"<!-- ranking with features: {trained:.1f} s -->", flush=True)


if __name__ == "__main__":
    main()
