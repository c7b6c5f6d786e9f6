"""The scope switch on a ~50,000-study project: server time of a scope change and of a
filter change within a scope, and what a decision costs the scope afterwards.

    .venv/bin/python bench/scope_switch.py --records 82000 --decided 10000 --repeats 5

Builds a real project file (82,000 synthetic records, `bench/dedupe_synthetic.py`, stored,
deduplicated and coded: about 50,000 studies), stores ``--decided`` title/abstract
decisions (one in ten an include, one in twenty a maybe), then measures, median of
``--repeats`` (best in brackets):

- library: the scope's rows after a decision (`lib.views.scope.scope_masks`, read again
  once per version of the file), choosing a scope once they are read (`choose`: counts
  and the restricted index), and one filter change's library work (mask, nine sidebar
  counts, the result rows) within the included scope and over all studies;
- the Explore page under AppTest: a rerun after moving the scope switch, and after a
  sidebar filter within the included scope.
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
from lib.explore.filters import FILTER_FACETS, Filters, facet_counts, mask  # noqa: E402
from lib.ingest import FileRead  # noqa: E402
from lib.project import open_project  # noqa: E402
from lib.report import ImportReport  # noqa: E402
from lib.screening import decisions  # noqa: E402
from lib.screening.queue import current  # noqa: E402
from lib.views import scope as scopes  # noqa: E402
from lib.views.study_cache import StudyCache  # noqa: E402


def ms(values: list[float]) -> str:
    return f"**{statistics.median(values) * 1000:.0f} ms** ({min(values) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=82_000)
    parser.add_argument("--decided", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
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
            batch = [
                (s, "include" if i % 10 == 0 else "maybe" if i % 20 == 5 else "exclude",
                 "" if i % 10 == 0 or i % 20 == 5 else "Wrong setting", "")
                for i, s in enumerate(order[: args.decided])
            ]  # fmt: skip
            decisions.decide_many(project, batch, origin="chosen")
            cache = StudyCache()
            snapshot = cache.current(project)
            table = snapshot.table
            index, results = snapshot.index()
            after_decision, choosing, within, whole = [], [], [], []
            filters = Filters(population=("women",))
            for i in range(args.repeats):
                decisions.decide(project, order[args.decided + i], "include")
                snapshot = cache.current(project)  # patched: the same table object or not
                table = snapshot.table
                index, results = snapshot.index()
                t0 = time.perf_counter()
                scopes.scope_masks(project, table)
                t1 = time.perf_counter()
                scoped = scopes.choose(project, table, index, "included")
                t2 = time.perf_counter()
                after_decision.append(t1 - t0)
                choosing.append(t2 - t1)
                for part, out in ((scoped.index, within), (index, whole)):
                    index._value_masks.clear()
                    t0 = time.perf_counter()
                    selected = mask(table, filters, part)
                    for facet in FILTER_FACETS:
                        facet_counts(table, facet, filters, index=part)
                    results.view(selected, "Newest first", 500)
                    out.append(time.perf_counter() - t0)
            counts = scoped.counts
        print(
            f"{len(records):,} records, {len(table):,} studies; {args.decided:,} decided: "
            f"{counts['included']:,} included, {counts['included+maybe']:,} included or maybe; "
            f"load {os.getloadavg()[0]:.1f}\n"
        )
        print("| library | median (best) |\n|---|---:|")
        print(f"| scope rows read again after a decision | {ms(after_decision)} |")
        print(f"| choosing a scope (counts, restricted index) | {ms(choosing)} |")
        print(f"| one filter change within the included scope | {ms(within)} |")
        print(f"| one filter change over all studies | {ms(whole)} |")

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.session_state["project_path"] = str(path)
        at.switch_page("app_pages/5_Explore.py")
        at.run()
        at.run()
        assert not at.exception, at.exception
        switching, filtering = [], []
        for i in range(args.repeats):
            at.radio(key="scope_switch").set_value("all" if i % 2 == 0 else "included")
            t0 = time.perf_counter()
            at.run()
            switching.append(time.perf_counter() - t0)
            assert not at.exception, at.exception
        at.radio(key="scope_switch").set_value("included").run()
        for i in range(args.repeats):
            at.multiselect(key="f_method").set_value(["qualitative"] if i % 2 == 0 else [])
            t0 = time.perf_counter()
            at.run()
            filtering.append(time.perf_counter() - t0)
            assert not at.exception, at.exception
        print("\n| Explore under AppTest (server) | median (best) | load avg |\n|---|---:|---:|")
        print(f"| rerun after moving the scope switch | {ms(switching)} | "
              f"{os.getloadavg()[0]:.1f} |")  # fmt: skip
        print(f"| rerun after a sidebar filter, included scope | {ms(filtering)} | "
              f"{os.getloadavg()[0]:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
