"""A real project of ~50,000 studies, end to end: import, deduplicate, code, open the app.

`bench/app_responsiveness.py` measures the Explore page on a factory studies table; this
measures what a user waits for on a real project file of that size: storing the records,
the first deduplication and coding (`lib.pipeline.refresh`), building the studies table
from the file (`lib.views.studies.study_table`), and the Explore page's first render and a
filter change under AppTest with the project's own table.

    .venv/bin/python bench/project_scale.py --records 75000
"""

from __future__ import annotations

import argparse
import os
import resource
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
from lib.views.studies import study_table  # noqa: E402


def seconds(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=75_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows, _truth = generate(args.records)
    records = to_records(rows)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LITREVIEW_HOME"] = tmp
        path = Path(tmp) / "scale.sqlite"
        report = ImportReport(file_name="synthetic.csv", sha256="synthetic", database="Synthetic")
        report.records_read = len(records)
        with open_project(path) as project:
            t_import, _ = seconds(lambda: project.add_import(FileRead(records, report)))
            t_refresh, _ = seconds(lambda: pipeline.refresh(project))
            t_table, table = seconds(lambda: study_table(project))
        n_studies = len(table)  # type: ignore[arg-type]
        print("| records | studies | import s | dedupe + code s | studies table s |")
        print("|---:|---:|---:|---:|---:|")
        print(
            f"| {len(records):,} | {n_studies:,} | {t_import:.1f} | {t_refresh:.1f} "
            f"| {t_table:.1f} |"
        )
        from streamlit.testing.v1 import AppTest

        first, filtered = [], []
        for _ in range(args.repeats):
            import streamlit as st

            st.cache_data.clear()
            st.cache_resource.clear()
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
            at.session_state["project_path"] = str(path)
            at.switch_page("app_pages/5_Explore.py")
            t, _ = seconds(at.run)
            first.append(t)
            at.multiselect(key="f_method").set_value(["qualitative"])
            t, _ = seconds(at.run)
            filtered.append(t)
            assert not at.exception, at.exception
        print()
        print("| Explore, real project | median s (best) |")
        print("|---|---:|")
        print(f"| first render, cold caches | {statistics.median(first):.2f} ({min(first):.2f}) |")
        print(
            f"| rerun after a sidebar filter | {statistics.median(filtered):.3f} "
            f"({min(filtered):.3f}) |"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak resident memory of the whole run: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
