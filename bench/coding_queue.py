"""How fast the "check codes" queue answers on a large project (server time).

Builds a project file with `--studies` studies of automatic codes (8 facets each, seeded
random confidences, one study in seven already checked) and times
`lib.project.coding.least_confident`: the next `--limit` studies to check, and the whole
queue. Median of `--repeats` calls, with the load average.

    .venv/bin/python bench/coding_queue.py                  # 50,000 studies
    .venv/bin/python bench/coding_queue.py --studies 10000 --limit 20
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.coding import FACETS  # noqa: E402
from lib.project import coding, open_project  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=50_000)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as folder:
        project = open_project(Path(folder) / "queue.sqlite")
        rows = [
            (f"s{i}", facet, json.dumps(["x"]), "[]", round(rng.uniform(0, 1), 3))
            for i in range(args.studies)
            for facet in FACETS
        ]
        with project.transaction() as conn:
            conn.executemany(
                "INSERT INTO auto_codes (study_id, facet, codes, evidence, confidence) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO study_checks (study_id, checked, changed_at) VALUES (?, 1, '')",
                [(f"s{i}",) for i in range(0, args.studies, 7)],
            )
        print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for limit in (args.limit, None):
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                queue = coding.least_confident(project, limit=limit)
                times.append(time.perf_counter() - start)
            what = f"next {limit}" if limit else f"whole queue ({len(queue):,})"
            print(
                f"{args.studies:,} studies, {what}: median {statistics.median(times) * 1000:.1f} "
                f"ms (best {min(times) * 1000:.1f})"
            )
        project.close()


if __name__ == "__main__":
    main()
