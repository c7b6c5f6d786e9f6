"""Run bib-dedupe on one labelled set; print its groups and timing as JSON.

Runs in the benchmark-only environment (bib-dedupe is never a dependency of the project):

    python -m venv .venv-bench && .venv-bench/bin/pip install -r bench/requirements.txt
    .venv-bench/bin/python bench/dedupe_bibdedupe_runner.py records.csv

Called by bench/dedupe_quality.py, which compares it with this project's engine.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import time
import warnings

import pandas as pd


def to_bib_dedupe(frame: pd.DataFrame) -> pd.DataFrame:
    """The shared CSV columns under bib-dedupe's (BibTeX) names."""
    types = frame.get("entrytype", pd.Series("", index=frame.index)).str.lower()
    entry = types.where(types.isin(["article", "inproceedings", "book", "incollection"]), "article")
    return pd.DataFrame(
        {
            "ID": frame["record_id"],
            "ENTRYTYPE": entry,
            "title": frame["title"],
            "author": frame["authors"].str.replace("; ", " and ", regex=False),
            "year": frame["year"],
            "journal": frame["journal"],
            "volume": frame["volume"],
            "number": frame["issue"],
            "pages": frame["pages"],
            "doi": frame["doi"],
            "abstract": frame["abstract"],
        }
    )


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (bib-dedupe runs process
    pools), so that a loaded machine's waiting is not counted."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def main(path: str) -> None:
    warnings.simplefilter("ignore")
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    records = to_bib_dedupe(frame)
    quiet = io.StringIO()
    started, cpu_started = time.perf_counter(), _cpu()
    with contextlib.redirect_stdout(quiet):
        prepared = prep(records, verbosity_level=0)
        pairs = block(prepared, verbosity_level=0)
        matched = match(pairs, verbosity_level=0)
        groups = cluster(matched, verbosity_level=0)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu_started
    cluster_of = {rid: rid for rid in records["ID"]}
    for group in groups:
        first = min(group, key=list(records["ID"]).index)
        for rid in group:
            cluster_of[rid] = first
    labels = matched.get("duplicate_label", pd.Series(dtype=str, index=matched.index))
    maybe = matched[labels == "maybe"]
    maybe_pairs = [[str(a), str(b)] for a, b in zip(maybe["ID_1"], maybe["ID_2"], strict=True)]
    json.dump(
        {"seconds": seconds, "cpu_seconds": cpu, "cluster_of": cluster_of,
         "maybe": len(maybe_pairs), "maybe_pairs": maybe_pairs},
        sys.stdout,
    )  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1])
