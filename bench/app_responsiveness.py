"""How fast the Explore page answers on a large project (issue 6: ≤ 300 ms per filter
change, ≤ 3 s first render, server time).

    .venv/bin/python bench/app_responsiveness.py --studies 50000 --repeats 7

A factory studies table (`tests.factories.make_studies`) stands in for the project's
(`lib.views.studies.study_table` is swapped for it in this process; the pages read it through
`lib.state` as usual), so what is measured is the page and its library, not the reading
of the project file. Three layers, medians over ``--repeats``:

1. library: what one filter change computes (mask, the nine sidebar counts, the four
   charts, the sorted result rows) with a warm index;
2. library + serialisation: the same plus what Streamlit does with it (each figure to
   JSON, the result rows to Arrow);
3. the real page under AppTest: a rerun after a widget change, and the first render of a
   fresh session on a project not yet cached (cold caches, index built).

Also reported: building the index and display table once per project version, and the
cost of one `st.cache_data` hit on the studies table (it unpickles a copy every rerun).
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import plotly.io as pio  # noqa: E402
import pyarrow as pa  # noqa: E402

import lib.views.studies  # noqa: E402
from lib.explore import charts  # noqa: E402
from lib.explore.filters import FILTER_FACETS, Filters, facet_counts, mask  # noqa: E402
from lib.explore.index import StudyIndex  # noqa: E402
from lib.explore.table import Results  # noqa: E402
from tests.factories import make_studies  # noqa: E402

CHANGES: list[tuple[str, Filters]] = [
    ("one population", Filters(population=("women",))),
    ("population + method", Filters(population=("women",), method=("qualitative",))),
    ("search two words", Filters(query="peer mentoring")),
    ("year range + database", Filters(year_min=2010, year_max=2020, databases=("Scopus",))),
    ("no filter", Filters()),
]


def timed_ms(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and best of ``repeats`` runs, in ms (the best is what the code costs when
    the shared machine leaves it alone; the median is what a user would see)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, min(times) * 1000


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    return timed_ms(fn, repeats)[0]


def filter_change(studies, index: StudyIndex, results: Results, f: Filters) -> list:
    """What one Explore rerun computes after a filter change (the library's part).

    Nothing from an earlier change is reused: the cached masks are dropped first (a new
    search pays for its scan of the text every time it is measured).
    """
    index._value_masks.clear()
    index._text_masks.clear()
    selected = mask(studies, f, index)
    counts = [facet_counts(studies, facet, f, index=index) for facet in FILTER_FACETS]
    figures = [
        charts.year_method_figure(studies, f, index),
        charts.facet_bar_figure(studies, "population", f, index),
        charts.direction_theme_figure(studies, f, index),
        charts.facet_bar_figure(studies, "setting", f, index),
    ]
    view = results.view(selected, "Newest first", 2_000)
    return [counts, figures, view]


def serialise(out: list) -> None:
    """What Streamlit does with the results: figures to JSON, the table to Arrow."""
    _, figures, view = out
    for fig in figures:
        pio.to_json(fig, validate=False)
    pa.Table.from_pandas(view, preserve_index=False)


def share_studies_without_copying() -> None:
    """What `lib.state.studies` would cost with `st.cache_resource` (one shared, read-only
    table) instead of `st.cache_data` (a fresh unpickled copy at every rerun)."""
    import streamlit as st

    import lib.state
    from lib.project import open_project

    @st.cache_resource(max_entries=8)
    def shared(path: str, version: int):
        with open_project(path, create=False) as project:
            return lib.views.studies.study_table(project)

    lib.state.studies = lambda project: shared(str(project.path), project.version)


def apptest_runs(table, repeats: int) -> dict[str, float]:
    from streamlit.testing.v1 import AppTest

    from lib.project import open_project

    lib.views.studies.study_table = lambda project, **_: table.copy()
    home = Path(tempfile.mkdtemp())
    os.environ["LITREVIEW_HOME"] = str(home)
    firsts: list[float] = []
    reruns: list[float] = []
    search: list[float] = []
    for i in range(repeats):
        path = home / f"p{i}.sqlite"  # a new project: nothing cached for it yet
        open_project(path).close()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.session_state["project_path"] = str(path)
        at.switch_page("app_pages/5_Explore.py")
        start = time.perf_counter()
        at.run()
        firsts.append(time.perf_counter() - start)
        assert not at.exception, at.exception
        widget = at.multiselect(key="f_population")
        widget.set_value(["women"] if i % 2 == 0 else ["staff"])
        start = time.perf_counter()
        at.run()
        reruns.append(time.perf_counter() - start)
        at.text_input(key="f_query").set_value("peer mentoring")
        start = time.perf_counter()
        at.run()
        search.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return {
        "first render (cold caches)": firsts,
        "rerun after a sidebar filter": reruns,
        "rerun after typing a search (a new two-word search)": search,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-apptest", action="store_true")
    parser.add_argument(
        "--exports", action="store_true", help="also time each export format of every study"
    )
    parser.add_argument(
        "--shared-table",
        action="store_true",
        help="measure the page as if lib.state cached the studies table with st.cache_resource",
    )
    args = parser.parse_args()

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min) at start")
    start = time.perf_counter()
    studies = make_studies(args.studies, seed=args.seed)
    print(f"factory table: {len(studies):,} studies in {time.perf_counter() - start:.1f} s")

    def build() -> tuple[StudyIndex, Results]:
        index, results = StudyIndex(studies), Results(studies)
        filter_change(studies, index, results, Filters(query="x"))  # facets, haystack, sort
        return index, results

    print(f"\nindex + display table, built once per project version: "
          f"{median_ms(build, max(3, args.repeats // 2)):.0f} ms")  # fmt: skip
    index, results = build()
    blob = pickle.dumps(studies)
    print(f"one st.cache_data hit on the studies table (unpickle {len(blob) / 1e6:.0f} MB): "
          f"{median_ms(lambda: pickle.loads(blob), args.repeats):.0f} ms")  # fmt: skip

    print("\n| filter change | library: median (best) | library + serialisation: median (best) |")
    print("|---|---:|---:|")
    for name, f in CHANGES:
        lib_ms = timed_ms(lambda f=f: filter_change(studies, index, results, f), args.repeats)
        both_ms = timed_ms(
            lambda f=f: serialise(filter_change(studies, index, results, f)), args.repeats
        )
        print(f"| {name} | {lib_ms[0]:.0f} ms ({lib_ms[1]:.0f}) | {both_ms[0]:.0f} ms "
              f"({both_ms[1]:.0f}) |")  # fmt: skip

    if args.exports:
        from lib import exporting

        print("\n| export of every study (one run) | time | size |")
        print("|---|---:|---:|")
        for fmt in exporting.FORMATS.values():
            start = time.perf_counter()
            data = fmt.write(studies)
            print(f"| {fmt.label} | {time.perf_counter() - start:.1f} s | "
                  f"{len(data) / 1e6:.0f} MB |")  # fmt: skip

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average {load} after the library measurements")
    if not args.skip_apptest:
        if args.shared_table:
            share_studies_without_copying()
        kind = "st.cache_resource (simulated)" if args.shared_table else "lib.state as it is"
        print(f"\n| Explore page under AppTest, studies table cached by {kind} | median (best) |")
        print("|---|---:|")
        for name, times in apptest_runs(studies, args.repeats).items():
            print(f"| {name} | {statistics.median(times) * 1000:.0f} ms "
                  f"({min(times) * 1000:.0f}) |")  # fmt: skip


if __name__ == "__main__":
    main()
