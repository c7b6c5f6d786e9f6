"""Code a large batch of records as CSV rows, in order, on several processor cores.

The ``code`` command's work is independent per record, so it is shared among worker
processes: 100,000 abstracts take a few tens of seconds of processor time, which a
machine with two or more cores gives back as wall time. Workers are forked after the
codebook is compiled (they inherit it, nothing is compiled twice) and get records in
chunks of plain text tuples; each sends back finished CSV rows, which the caller writes
as they come (`multiprocessing.Pool.imap` keeps the order). Nothing holds every coding at
once: the rows are streamed, so memory stays that of the records read.

Why not threads: coding is pure Python and holds the interpreter lock.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence

from lib.coding.codebook import Codebook
from lib.coding.engine import code_texts, record_texts
from lib.coding.matcher import matcher_for
from lib.gcpause import gc_paused
from lib.model import Record

__all__ = ["coded_rows", "default_jobs"]

# Below this many records one process is faster than starting workers.
_PARALLEL_FROM = 4000
_CHUNK = 1000

_WORKER_CODEBOOK: Codebook | None = None  # set in the parent just before the fork

_Texts = tuple[str, dict[str, str]]


def default_jobs() -> int:
    """Worker processes to use: the cores this process may run on, at most 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def _rows_of(chunk: list[_Texts]) -> list[dict[str, str]]:
    codebook = _WORKER_CODEBOOK
    assert codebook is not None
    with gc_paused():
        return [code_texts(rid, texts, codebook).to_row() for rid, texts in chunk]


def coded_rows(
    records: Sequence[Record], codebook: Codebook, jobs: int | None = None
) -> Iterator[dict[str, str]]:
    """The ``code`` command's CSV row of every record (`Coding.to_row`), in order.

    `jobs` worker processes (default `default_jobs`); one, a small batch, or a platform
    without ``fork`` codes in this process.
    """
    global _WORKER_CODEBOOK
    jobs = default_jobs() if jobs is None else max(1, jobs)
    chunks = (
        [(r.record_id, record_texts(r)) for r in records[i : i + _CHUNK]]
        for i in range(0, len(records), _CHUNK)
    )
    if (
        jobs == 1
        or len(records) < _PARALLEL_FROM
        or "fork" not in (multiprocessing.get_all_start_methods())
    ):
        _WORKER_CODEBOOK = codebook
        try:
            for chunk in chunks:
                yield from _rows_of(chunk)
        finally:
            _WORKER_CODEBOOK = None
        return
    matcher_for(codebook)  # compile once, before the fork: workers inherit it
    _WORKER_CODEBOOK = codebook
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for rows in pool.imap(_rows_of, chunks):
                yield from rows
    finally:
        _WORKER_CODEBOOK = None
