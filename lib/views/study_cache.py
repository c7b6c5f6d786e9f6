"""The studies table of a project file, kept current study by study for the app.

Building the table reads every study and its codes (3 s at 50k studies), and every write
bumps the project's version; rebuilding at each decision or correction made each click
cost seconds. `StudyCache` keeps the last table and, when the file changed, re-reads only
the studies that changed: those deduplication made, changed or dropped since
(`lib.project.duplicates.study_changes`, which the coder follows too), those whose
corrections or checked mark changed, and rebuilds in full only when something changed
everywhere (a new codebook, a full re-coding, another file at the same path).

With a folder to keep it in, the table is also saved there (`lib.views.study_file`, in a
background thread) after a full build and every so often after patches, and a new
process starts from the saved table and patches it: reopening a 50k-study project then
costs a fraction of a second instead of seconds. The saved file is derived data; anything
odd about it (another file, rules or codebook, unreadable) and it is simply built again.

Thread-safe (the app's sessions share one cache per project file); the tables it hands out
are shared too: treat them as read-only.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lib.explore.index import StudyIndex
from lib.explore.table import Results
from lib.project import Project, coding, duplicates, reports
from lib.views import studies as study_module
from lib.views import study_file

__all__ = ["Snapshot", "StudyCache"]

MAX_PATCH = 2_000  # more changed studies than this: build the table again instead
SAVE_EVERY = 50  # patches between two saves of the table (a save takes ~0.5 s, unseen)
SAVE_DELAY_S = 2.0  # seconds between a build and its save (the page is drawn meanwhile)
MAX_CHUNKS = 400  # text columns chained from more pieces than this are copied whole again


@dataclass(frozen=True, slots=True)
class _Marks:
    """What the table was read from, cheaply told apart."""

    file: tuple[str | None, str | None]  # created_at, merge version: another file or rules
    coding: tuple[str | None, int]  # the coder's fingerprint, the newest codebook
    seen: int  # last study change whose groups and codes are both in the table
    overrides: int  # the newest correction
    undone: frozenset[int]  # corrections undone
    checks: tuple[tuple[str, int], ...]  # checked marks


def _marks_to_json(marks: _Marks) -> str:
    data = asdict(marks)
    data["undone"] = sorted(marks.undone)
    return json.dumps(data)


def _marks_from_json(text: str) -> _Marks:
    data = json.loads(text)
    return _Marks(
        tuple(data["file"]),  # type: ignore[arg-type]
        tuple(data["coding"]),  # type: ignore[arg-type]
        int(data["seen"]),
        int(data["overrides"]),
        frozenset(data["undone"]),
        tuple(tuple(c) for c in data["checks"]),  # type: ignore[misc]
    )


def _marks(project: Project) -> _Marks:
    conn = project.conn
    meta = dict(
        conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('created_at', 'merge_version', "
            "'coding_state', 'pipeline_changes_seen')"
        ).fetchall()
    )
    last_change = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM dedupe_study_changes").fetchone()[
        0
    ]
    coded = meta.get("pipeline_changes_seen")
    seen = min(int(last_change), int(coded)) if coded is not None else -1
    codebook = conn.execute("SELECT COALESCE(MAX(codebook_id), 0) FROM codebooks").fetchone()[0]
    newest = conn.execute("SELECT COALESCE(MAX(override_id), 0) FROM code_overrides").fetchone()
    undone = frozenset(
        i
        for (i,) in conn.execute(
            "SELECT override_id FROM code_overrides WHERE undone_at IS NOT NULL"
        )
    )
    checks = tuple(sorted(conn.execute("SELECT study_id, checked FROM study_checks").fetchall()))
    return _Marks(
        (meta.get("created_at"), meta.get("merge_version")),
        (meta.get("coding_state"), int(codebook)),
        seen,
        int(newest[0]),
        undone,
        checks,
    )


def _arrival(project: Project, study_ids: list[str] | None = None) -> dict[str, int]:
    """study id -> arrival position of its first record (the table's order)."""
    sql = (
        "SELECT s.study_id, r.rid FROM dedupe_studies s JOIN records r ON r.record_id = s.study_id"
    )
    if study_ids is None:
        return dict(project.conn.execute(sql).fetchall())
    out: dict[str, int] = {}
    for start in range(0, len(study_ids), 500):
        chunk = study_ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        out.update(project.conn.execute(f"{sql} WHERE s.study_id IN ({marks})", chunk).fetchall())
    return out


@dataclass(slots=True)
class Snapshot:
    """The studies table of one version of the file, and its search index (built on
    first use: the Duplicates and Study pages never need it)."""

    version: int
    table: pd.DataFrame
    order: np.ndarray  # per row, the arrival position of the study's first record
    marks: _Marks
    _index: tuple[StudyIndex, Results] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self._index is None:  # built as asked for; shared with charts made without one
            StudyIndex(self.table).share()

    def index(self) -> tuple[StudyIndex, Results]:
        """The search and filter index and the sortable rows of this table."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = (StudyIndex(self.table).prepare(), Results(self.table))
        return self._index


class StudyCache:
    """The current studies table of one project file (see the module docstring).

    ``folder``: where to save the table between runs of the app (None: never saved);
    ``key``: the project file's identity there (its path).
    """

    def __init__(self, folder: Path | None = None, key: str = "") -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._file = (
            folder / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.arrow" if folder else None
        )
        self._saving = threading.Lock()
        self._since_save = 0
        self.save_delay = SAVE_DELAY_S
        self.builds = 0  # full builds, patches and loads made (for tests and benchmarks)
        self.patches = 0
        self.loads = 0

    def is_current(self, project: Project) -> bool:
        snapshot = self._snapshot
        return snapshot is not None and snapshot.version == project.version

    def current(self, project: Project) -> Snapshot:
        """The table of the file as it is now: the last one, patched or rebuilt if needed."""
        version = project.version
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is not None and snapshot.version == version:
                return snapshot
            marks = _marks(project)
            if snapshot is None:
                snapshot = self._load()
            fresh = self._patch(project, snapshot, marks, version) if snapshot else None
            if fresh is None:
                fresh = self._build(project, marks, version)
                self._save(fresh)
            else:
                self._since_save += 1
                if self._since_save >= SAVE_EVERY:
                    self._save(fresh)
            self._snapshot = fresh
            return fresh

    def saved_columns(self, project: Project, columns: list[str]) -> pd.DataFrame | None:
        """Some columns of the table saved by an earlier run, when it is of the file as it
        is now (nothing changed since it was saved), else None. Reading a few columns
        costs milliseconds; the Overview draws from them before the whole table is loaded."""
        if self._file is None:
            return None
        saved = study_file.read_columns(self._file, columns)
        if saved is None:
            return None
        table, marks = saved
        try:
            if _marks_from_json(marks) != _marks(project):
                return None
        except (ValueError, KeyError, TypeError):
            return None
        return table

    # -- saving between runs -------------------------------------------------------------
    def _save(self, snapshot: Snapshot) -> None:
        """Write the table to the folder in a background thread (one save at a time), a
        moment later: not while the page that asked for the table is being drawn."""
        if self._file is None or not self._saving.acquire(blocking=False):
            return
        self._since_save = 0
        timer = threading.Timer(self.save_delay, self._write, args=(snapshot,))
        timer.daemon = True
        timer.start()

    def _write(self, snapshot: Snapshot) -> None:
        try:
            assert self._file is not None
            study_file.write(
                self._file, snapshot.table, snapshot.order, _marks_to_json(snapshot.marks)
            )
        finally:
            self._saving.release()

    def _load(self) -> Snapshot | None:
        """The table saved by an earlier run, or None (no folder, no file, unreadable)."""
        if self._file is None:
            return None
        saved = study_file.read(self._file)
        if saved is None:
            return None
        table, order, marks = saved
        try:
            loaded = Snapshot(-1, table, order, _marks_from_json(marks))
        except (ValueError, KeyError, TypeError):
            return None
        self.loads += 1
        return loaded

    # -- building and patching -----------------------------------------------------------
    def _build(self, project: Project, marks: _Marks, version: int) -> Snapshot:
        self.builds += 1
        table = study_module.study_table(project)
        arrival = _arrival(project)
        order = np.fromiter((arrival.get(s, -1) for s in table["study_id"]), np.int64, len(table))
        return Snapshot(version, table, order, marks)

    def _patch(
        self, project: Project, old: Snapshot, marks: _Marks, version: int
    ) -> Snapshot | None:
        """The old table with the changed studies read again, or None to build anew."""
        before = old.marks
        if marks.file != before.file or marks.coding != before.coding or before.seen < 0:
            return None
        _, changed = duplicates.study_changes(project, before.seen)
        if changed is None or marks.seen < 0:
            return None
        ids = set(changed)
        if marks.overrides != before.overrides or marks.undone != before.undone:
            flipped = list(marks.undone ^ before.undone)
            rows = project.conn.execute(
                "SELECT study_id FROM code_overrides WHERE override_id > ?", (before.overrides,)
            ).fetchall()
            for start in range(0, len(flipped), 500):
                chunk = flipped[start : start + 500]
                rows += project.conn.execute(
                    "SELECT study_id FROM code_overrides WHERE override_id IN "
                    f"({', '.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            ids |= {sid for (sid,) in rows}
        if marks.checks != before.checks:
            ids |= {sid for sid, _ in set(marks.checks) ^ set(before.checks)}
        folded = reports.folding(project)
        ids = _with_their_reports(ids, _folded_in(old.table), folded)
        if len(ids) > MAX_PATCH:
            return None
        self.patches += 1
        if not ids:
            return Snapshot(version, old.table, old.order, marks, old._index)
        wanted = sorted(ids)
        rows = study_module.combine(
            duplicates.groups_of(project, wanted),
            coding.effective_codes(project, wanted),
            {group: study for group, study in folded.items() if group in ids},
        )
        return Snapshot(version, *_replaced(project, old, rows, ids), marks)


def _folded_in(table: pd.DataFrame) -> dict[str, str]:
    """group id -> study id of the other reports folded into the table's rows."""
    out: dict[str, str] = {}
    if "other_reports" not in table:
        return out
    for study, others in zip(table["study_id"], table["other_reports"], strict=True):
        for group in others:
            out[group] = study
    return out


def _with_their_reports(ids: set[str], before: dict[str, str], after: dict[str, str]) -> set[str]:
    """The publication groups to read again: ``ids`` (groups that changed), every group
    whose study changed with the links, and every report of the studies these were or are
    part of (a study's row folds all its reports: `lib.views.studies`)."""
    moved = {g for g in before.keys() | after.keys() if before.get(g, g) != after.get(g, g)}
    touched = ids | moved
    studies = {m.get(g, g) for g in touched for m in (before, after)}
    if not studies:
        return touched
    reports_of = {g for m in (before, after) for g, s in m.items() if s in studies}
    return touched | studies | reports_of


def _replaced(
    project: Project, old: Snapshot, rows: pd.DataFrame, ids: set[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """The old table with the rows of ``ids`` replaced by ``rows`` (studies that still
    exist), in arrival order: one gather over the table, or none when no study came or
    went (a correction, a checked mark)."""
    table = old.table
    position = {sid: i for i, sid in enumerate(table["study_id"])} if len(ids) else {}
    where = [position.get(sid, -1) for sid in rows["study_id"]]
    same_studies = len(rows) == len(ids) and -1 not in where and set(rows["study_id"]) == ids
    if same_studies:  # the same studies in the same places: replace their cells only
        out = table.copy(deep=False)  # copy-on-write: only the changed columns are copied
        lists = set(study_module.LIST_COLUMNS)
        for column in table.columns:
            values = rows[column]
            was = table[column].iloc[where]
            if all(_same(a, b) for a, b in zip(was, values, strict=True)):
                continue  # untouched columns stay shared with the old table
            new = values.to_numpy(dtype=object) if column in lists else values.array
            out.iloc[where, out.columns.get_loc(column)] = new
        return out, old.order
    arrival = _arrival(project, list(rows["study_id"]))
    gone = table["study_id"].isin(ids).to_numpy()
    coming = np.fromiter((arrival[s] for s in rows["study_id"]), np.int64, len(rows))
    rows = rows.iloc[np.argsort(coming, kind="stable")].reset_index(drop=True)
    coming.sort()
    # The new table in pieces: runs of kept rows (slices share the old columns' memory;
    # Arrow text columns are only chained, never copied) with the new rows between them.
    slot = np.searchsorted(old.order, coming, side="right")
    pieces: list[pd.DataFrame] = []
    orders: list[np.ndarray] = []
    start = 0
    for k, at in enumerate([*slot, len(table)]):
        kept = np.flatnonzero(~gone[start:at]) + start
        for run in np.split(kept, np.flatnonzero(np.diff(kept) != 1) + 1):
            if len(run):
                pieces.append(table.iloc[run[0] : run[-1] + 1])
                orders.append(old.order[run[0] : run[-1] + 1])
        if k < len(coming):
            pieces.append(rows.iloc[k : k + 1])
            orders.append(coming[k : k + 1])
        start = at
    out = pd.concat(pieces, ignore_index=True) if pieces else table.iloc[:0]
    if _chunks(out) > MAX_CHUNKS:  # after many patches: contiguous text columns again
        for column in out.columns:
            chained = getattr(out[column].array, "_pa_array", None)
            if chained is not None and getattr(chained, "num_chunks", 1) > 1:
                out[column] = pd.array(chained.combine_chunks(), dtype=out[column].dtype)
    return out, np.concatenate(orders) if orders else old.order[:0]


def _same(a: object, b: object) -> bool:
    if a is pd.NA or b is pd.NA:
        return a is b
    try:
        return bool(a == b) or (a != a and b != b)
    except (TypeError, ValueError):
        return False


def _chunks(table: pd.DataFrame) -> int:
    """How many pieces the table's title column is in (Arrow keeps slices chained)."""
    values = getattr(table["title"].array, "_pa_array", None) if "title" in table else None
    return int(getattr(values, "num_chunks", 1))
