"""Exports and their read-back, at scale: what a reviewer waits for after clicking.

1. One entry per study, from a factory studies table (`tests/factories.py`): each format
   written (`lib.exporting`), and read back by our readers (`lib.ingest.read_bytes`).
2. Every record of a real project (synthetic records, `bench/dedupe_synthetic.py`,
   imported, deduplicated, coded and screened: every study decided at title/abstract,
   a thousand at full text): each format written with its groups, codes and decisions
   (`lib.views.exports.export_file`), then imported into a new project and brought up to
   date (`lib.pipeline.refresh`, which restores what the file carried); "same decisions"
   compares every screening decision in force, per stage and study.

    .venv/bin/python bench/export_roundtrip.py --studies 50000 --records 20000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dedupe_synthetic import generate, to_records  # noqa: E402

from lib import exporting, pipeline  # noqa: E402
from lib.ingest import FileRead, read_bytes  # noqa: E402
from lib.project import coding, duplicates, open_project  # noqa: E402
from lib.report import ImportReport  # noqa: E402
from lib.screening.decisions import decide_many  # noqa: E402
from lib.screening.queue import current  # noqa: E402
from lib.views.exports import export_file  # noqa: E402
from lib.views.studies import study_table  # noqa: E402
from tests.factories import make_studies  # noqa: E402


def seconds(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def studies_layout(n: int) -> None:
    table = make_studies(n, seed=1)
    print(f"\n| {n:,} studies, one entry each | write | size | read back |")
    print("|---|---:|---:|---:|")
    for name, fmt in exporting.FORMATS.items():
        write = exporting.to_excel if name == "xlsx" else fmt.write
        t_write, data = seconds(lambda write=write: write(table))
        t_read, read = seconds(lambda data=data, fmt=fmt: read_bytes(data, "x" + fmt.suffix))
        assert len(read.records) == n, (name, len(read.records))
        print(f"| {fmt.label} | {t_write:.1f} s | {len(data) / 1e6:.0f} MB | {t_read:.1f} s |")
    print(f"\nload average {load()}")


def screen(project) -> None:  # type: ignore[no-untyped-def]
    """Every study decided at title/abstract (include, exclude, maybe in turn), the first
    thousand included ones at full text (included, or excluded for a reason)."""
    units = current(project).studies.order
    verdicts = ("include", "exclude", "maybe")
    first = [(u, verdicts[i % 3], "", f"note {i}" if i % 7 == 0 else "")
             for i, u in enumerate(units)]  # fmt: skip
    decide_many(project, first)
    included = [u for u, v, _, _ in first if v == "include"][:1000]
    full = [(u, "include" if i % 2 else "exclude", "" if i % 2 else "Wrong setting", "")
            for i, u in enumerate(included)]  # fmt: skip
    decide_many(project, full, stage="full-text")


def screened(project) -> dict:  # type: ignore[no-untyped-def]
    state = current(project)
    members = state.studies.members
    return {
        (stage, frozenset(members[unit])): (s.verdict, s.reason, s.note)
        for stage, statuses in state.status.items()
        for unit, s in statuses.items()
    }


def records_layout(n_records: int) -> None:
    rows, _truth = generate(n_records)
    records = to_records(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "source.sqlite"
        report = ImportReport(file_name="synthetic.csv", sha256="synthetic", database="Synthetic")
        report.records_read = len(records)
        with open_project(path) as project:
            project.add_import(FileRead(records, report))
            pipeline.refresh(project)
            table = study_table(project)
            for sid in table["study_id"].head(200):  # a reviewer's corrections
                coding.set_override(project, sid, "method", ["qualitative"])
            pipeline.refresh(project)
            screen(project)
            decided = screened(project)
            t_table, table = seconds(lambda: study_table(project))
            counts = duplicates.prisma_counts(project)
        n_studies = len(table)
        print(f"\nstudies table from the file: {t_table:.2f} s ({counts['reports']:,} "
              f"publications folded by links into {counts['studies']:,} studies)")  # fmt: skip
        columns = (
            "write | size | import + restore into a new project | same studies | same decisions"
        )
        print(f"\n| {n_records:,} records, {n_studies:,} studies, every record | {columns} |")
        print("|---|---:|---:|---:|---|---|")
        for name, fmt in exporting.FORMATS.items():
            t_write, data = seconds(lambda name=name: export_file(str(path), table, "record", name))
            copy_path = Path(tmp) / f"copy-{name}.sqlite"

            def restore(data=data, fmt=fmt, copy_path=copy_path):  # type: ignore[no-untyped-def]
                with open_project(copy_path) as copy:
                    copy.add_import(read_bytes(data, "export" + fmt.suffix))
                    pipeline.refresh(copy)
                    return study_table(copy), screened(copy)

            t_restore, (copied, back) = seconds(restore)
            same = sorted(copied["study_id"]) == sorted(table["study_id"])
            same_decisions = f"yes ({len(back):,})" if back == decided else "NO"
            cells = [fmt.label, f"{t_write:.1f} s", f"{len(data) / 1e6:.0f} MB",
                     f"{t_restore:.1f} s", "yes" if same else "NO", same_decisions]  # fmt: skip
            print("| " + " | ".join(cells) + " |")
    print(f"\nload average {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--studies", type=int, default=50_000)
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    print(f"load average {load()} before")
    if args.studies:
        studies_layout(args.studies)
    if args.records:
        records_layout(args.records)


if __name__ == "__main__":
    main()
