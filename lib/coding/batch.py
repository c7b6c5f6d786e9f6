"""Code a large batch of records as CSV rows, in order, on several processor cores.

The ``code`` command's work is independent per record, so it is shared among worker
processes: 100,000 abstracts take a few tens of seconds of processor time, which a
machine with two or more cores gives back as wall time. Workers are forked after the
codebook is compiled (they inherit it, nothing is compiled twice) and get records in
chunks of plain text tuples; each sends back finished CSV rows, which the caller writes
as they come (`ProcessPoolExecutor.map` keeps the order). Nothing holds every coding at
once: the rows are streamed, so memory stays that of the records read.

While the export is still being read, the records read so far are already being coded
(`streaming`): the readers pass each record on as they keep it
(`lib.readers.base.records_kept_to`), and the workers, forked before the records pile up
in memory, code them chunk by chunk. Reading 100,000 records is several seconds of one
core; coding them meanwhile keeps the other cores busy.

Why not threads: coding is pure Python and holds the interpreter lock.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager

from lib.coding.codebook import Codebook
from lib.coding.engine import code_texts, record_texts
from lib.coding.matcher import matcher_for
from lib.gcpause import gc_paused
from lib.model import Record
from lib.readers.base import records_kept_to

__all__ = ["StreamingCoder", "coded_rows", "default_jobs", "streaming"]

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
        with _executor(jobs) as pool:
            for rows in pool.map(_rows_of, chunks):
                yield from rows
    finally:
        _WORKER_CODEBOOK = None


def _executor(jobs: int) -> ProcessPoolExecutor:
    """Forked workers. An executor rather than `multiprocessing.Pool`: when a worker dies
    (killed, out of memory) the pool quietly starts another and the lost chunk's result
    never comes, so the command hung; the executor raises `BrokenProcessPool` instead."""
    return ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_start_worker
    )


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _start_worker() -> None:
    gc.enable()  # forked inside a reader's `gc_paused`: the worker runs as usual


class StreamingCoder:
    """Codes records on worker processes while they are being read (see `streaming`).

    `keep` is called with each record a reader keeps; once `_PARALLEL_FROM` records are
    in, the workers are forked and every `_CHUNK` records kept go to them. `rows` then
    gives the rows of the records finally read, in their order: a record's row coded
    while reading is used only if the record is the one sent and its texts are still
    those coded (reading may still drop a file, rename ids or relabel our own exports);
    any other record is coded here. The id in a row is always the record's final one.
    """

    def __init__(self, codebook: Codebook, jobs: int) -> None:
        self.codebook = codebook
        self.jobs = jobs
        self.kept: list[tuple[Record, dict[str, str]]] = []  # every record kept, in order
        self._pending = 0  # how many of the last records kept are not sent yet
        self._sent: list[Future[list[dict[str, str]]] | None] = []  # chunks, in order
        self._pool: ProcessPoolExecutor | None = None

    def keep(self, record: Record) -> None:
        self.kept.append((record, record_texts(record)))
        self._pending += 1
        if self._pending >= _CHUNK and len(self.kept) >= _PARALLEL_FROM:
            self._send()

    def _send(self) -> None:
        if self._pool is None:
            global _WORKER_CODEBOOK
            matcher_for(self.codebook)  # compile once, before the fork: workers inherit it
            _WORKER_CODEBOOK = self.codebook
            # what the workers inherit is never walked by their collector (nor copied by
            # the collector's writes): Python's advice for a fork without exec
            gc.freeze()
            self._pool = _executor(self.jobs)
        # only whole chunks while reading: chunk k then holds kept[k * _CHUNK:][:_CHUNK]
        first = len(self.kept) - self._pending
        while self._pending >= _CHUNK:
            chunk = self.kept[first : first + _CHUNK]
            self._sent.append(self._pool.submit(_rows_of, [(r.record_id, t) for r, t in chunk]))
            first += _CHUNK
            self._pending -= _CHUNK

    def _streamed(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(index into `kept`, row) of every record sent to the workers, in order."""
        index = 0
        for k, result in enumerate(self._sent):
            assert result is not None
            rows = result.result()
            self._sent[k] = None  # the rows written are let go
            for row in rows:
                yield index, row
                index += 1

    def rows(self, records: Sequence[Record]) -> Iterator[dict[str, str]]:
        """The CSV row of every record of `records` (the records read), in order."""
        if self._pool is not None and self._pending:
            tail = self.kept[len(self.kept) - self._pending :]
            self._sent.append(self._pool.submit(_rows_of, [(r.record_id, t) for r, t in tail]))
            self._pending = 0
        if self._pool is None:  # too few records for workers: code them here
            yield from coded_rows(records, self.codebook, jobs=1)
            return
        position = {id(r): i for i, (r, _) in enumerate(self.kept)}
        streamed = self._streamed()
        at = -1  # the index into `kept` of the last row taken from the workers
        with gc_paused():
            for record in records:
                i = position.get(id(record), -1)
                texts = record_texts(record)
                if i > at and self.kept[i][1] == texts:
                    while at < i:  # rows of records reading dropped are passed over
                        at, row = next(streamed)
                    row["record_id"] = record.record_id
                else:
                    row = code_texts(record.record_id, texts, self.codebook).to_row()
                yield row

    def close(self) -> None:
        global _WORKER_CODEBOOK
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            gc.unfreeze()  # the caller's heap is collected as before
        _WORKER_CODEBOOK = None


@contextmanager
def streaming(codebook: Codebook, jobs: int | None = None) -> Iterator[StreamingCoder | None]:
    """Inside the block, records read are coded on `jobs` worker processes as they are
    read (default `default_jobs`); get their rows with `StreamingCoder.rows` once read.

    Gives None where records cannot be coded while reading (one job, or a platform
    without ``fork``): the caller then codes them once read (`coded_rows`).
    """
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if jobs == 1 or not _can_fork():
        yield None
        return
    coder = StreamingCoder(codebook, jobs)
    try:
        with records_kept_to(coder.keep):
            yield coder
    finally:
        coder.close()
