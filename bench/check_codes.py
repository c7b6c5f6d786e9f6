"""Server time of one decision on the Check codes page of a ~50,000-study project.

A decision is a confirmation ("All correct: next study") or a correction of one facet,
followed by what the page needs for the next study: the queue's next study within the
scope, its record, evidence and checks, progress and agreement. Measured two ways, on a
copy of the real project file of `bench/browser_project.py` (82,000 records, ~50,000
studies, deduplicated and coded as the app does), with `--included` studies included at
title/abstract so the queue keeps to the "included" scope:

- the library calls alone (`lib.project.checks`, `lib.views.check_codes`);
- the whole page script under Streamlit's AppTest after a click (Streamlit included, the
  browser not): the server time a reviewer waits for.

Median of ``--repeats`` (best in brackets), with the load average.

    .venv/bin/python bench/check_codes.py                       # builds the project once
    .venv/bin/python bench/check_codes.py --project artifacts/bench/p82k.sqlite --repeats 9
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from browser_project import ensure  # noqa: E402

from lib.project import checks, coding, open_project  # noqa: E402
from lib.screening import decisions  # noqa: E402
from lib.screening.queue import current  # noqa: E402
from lib.views import check_codes as view  # noqa: E402

PAGE = "app_pages/4_Check_codes.py"


def ms(values: list[float]) -> str:
    return f"**{statistics.median(values) * 1000:.0f} ms** ({min(values) * 1000:.0f})"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def library(path: Path, repeats: int) -> None:
    """The library calls of one decision and the next study, timed apart."""
    with open_project(path, create=False) as project:
        within, said = view.scope_studies(project, "included")
        print(f"scope: {said}; load average {load()}")
        store, after = [], []
        for i in range(repeats * 2):
            found = checks.next_study(project, within)
            assert found is not None
            sid = found[0]
            t0 = time.perf_counter()
            if i % 2:  # every other decision corrects a facet first
                study = view.load_study(project, sid)
                row = next(r for r in study.rows if r.facet == "method")
                spec = coding.project_codebook(project).facet("method")
                new = next(c for c in spec.codes if c not in row.auto)
                checks.correct(project, sid, "method", new)
            checks.finish_study(project, sid)
            t1 = time.perf_counter()
            nxt = checks.next_study(project, within)
            assert nxt is not None
            view.load_study(project, nxt[0])
            checks.progress(project, within)
            checks.agreement(project)
            t2 = time.perf_counter()
            store.append(t1 - t0)
            after.append(t2 - t1)
        print("| library | store the decision | next study, its view, progress, agreement | "
              "both |")  # fmt: skip
        print("|---|---:|---:|---:|")
        both = [a + b for a, b in zip(store, after, strict=True)]
        print(f"| {repeats * 2} decisions | {ms(store)} | {ms(after)} | {ms(both)} |")


def page(path: Path, repeats: int) -> None:
    """The page script's run after a click, under AppTest (server time)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["project_path"] = str(path)
    at.switch_page(PAGE)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    assert not at.exception, at.exception
    at.run()  # caches warm, as after the first decision of a session
    with open_project(path, create=False) as project:
        slugs = list(coding.project_codebook(project).facet("method").codes)
    confirm, correct = [], []
    for _ in range(repeats):
        at.button(key="check_next").click()
        t0 = time.perf_counter()
        at.run()
        confirm.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
        box = next(s for s in at.selectbox if s.key and s.key.startswith("fix_method_"))
        box.set_value(next(c for c in slugs if c != box.value))
        t0 = time.perf_counter()
        at.run()
        correct.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    print(f"\npage under AppTest; first render {first * 1000:.0f} ms; load average {load()}")
    print("| page rerun (server) | median (best) |")
    print("|---|---:|")
    print(f"| All correct: next study | {ms(confirm)} |")
    print(f"| correct one facet (stays on the study, offers a codebook edit) | {ms(correct)} |")


def preview(path: Path) -> None:
    """One "Preview across the project" of a phrase taught by a correction (codes every
    study with the proposed codebook; nothing written)."""
    with open_project(path, create=False) as project:
        sid = checks.next_study(project)[0]
        codebook = coding.project_codebook(project)
        made = view.phrase_edit(codebook, "method", "quasi-experimental",
                                "historical comparison group", sid)  # fmt: skip
        from lib.views.studies import study_table

        table = study_table(project)
        t0 = time.perf_counter()
        found = view.preview_edit(project, made, sid, table)
        took = time.perf_counter() - t0
    print(f"\npreview of a phrase edit across {found.studies:,} studies ({found.coded:,} hold "
          f"its words and were coded): {took:.1f} s ({found.changed:,} codes would change); "
          f"load average {load()}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=82_000)
    parser.add_argument(
        "--project", type=Path, default=ROOT / "artifacts" / "bench" / "p82k.sqlite"
    )
    parser.add_argument("--included", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--preview", action="store_true", help="also time one codebook-edit preview"
    )
    args = parser.parse_args()
    ensure(args.project, args.records)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LITREVIEW_HOME"] = tmp
        path = Path(tmp) / "check.sqlite"
        shutil.copyfile(args.project, path)
        with open_project(path, create=False) as project:
            order = current(project).studies.order
            batch = [(s, "include", "", "") for s in order[: args.included]]
            decisions.decide_many(project, batch, origin="ranked")
            coded = project.conn.execute("SELECT COUNT(DISTINCT study_id) FROM auto_codes")
            print(f"{len(order):,} studies ({coded.fetchone()[0]:,} coded), "
                  f"{args.included:,} included")  # fmt: skip
        library(path, args.repeats)
        page(path, args.repeats)
        if args.preview:
            preview(path)


if __name__ == "__main__":
    main()
