"""Coding inside a project file: automatic codes, a reviewer's overrides, checks, codebook.

Automatic codes are recomputed whenever the studies or the codebook change; a reviewer's
codes are the durable part. They are keyed by the study's stable id (the record id of its
first-imported record, which is also its deduplication group id), kept with the value
they replaced and the time, and never deleted: undoing one marks it undone. So overrides
survive re-coding after a codebook edit and new imports, and the history can be shown.
Every write is one transaction and one log event.

Typical use (the app's coding and codebook pages)::

    coding.refresh(project)                           # code new or changed studies
    table = coding.effective_codes(project)           # one row per study
    coding.study_confidence(project, "uk03")          # {"method": 0.93, ...}
    coding.least_confident(project, limit=20)         # the "check codes" queue
    coding.set_override(project, "uk03", "method", ["qualitative"], note="IPA")
    coding.undo_override(project, "uk03", "method")
    coding.set_checked(project, "uk03", True)
    change = coding.preview_codebook_change(project, load_codebook(text))
    coding.save_codebook(project, text); coding.recode(project)
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from lib.coding import (
    FACETS,
    Codebook,
    Coding,
    Evidence,
    code_records,
    default_codebook_path,
    facet_column,
    load_codebook,
)
from lib.model import Record
from lib.project.store import Project, now

__all__ = [
    "CodebookChange",
    "FacetChange",
    "RecodeSummary",
    "as_study",
    "check_values",
    "codebook_history",
    "confidence_table",
    "effective_codes",
    "is_stale",
    "least_confident",
    "orphaned_overrides",
    "override_history",
    "preview_codebook_change",
    "project_codebook",
    "recode",
    "recode_studies",
    "refresh",
    "save_codebook",
    "set_checked",
    "set_override",
    "study_confidence",
    "study_evidence",
    "study_records",
    "undo_override",
    "write_override",
]

_STATE_KEY = "coding_state"


# -- the codebook in force -----------------------------------------------------------------


def project_codebook(project: Project) -> Codebook:
    """The newest codebook saved in the project, else the default ``data/codebook.yaml``."""
    row = project.conn.execute(
        "SELECT yaml FROM codebooks ORDER BY codebook_id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return _cached_codebook(default_codebook_path().read_text(encoding="utf-8"))
    return _cached_codebook(row[0])


@lru_cache(maxsize=8)
def _cached_codebook(text: str) -> Codebook:
    """Codebooks by text: pages ask for the project's codebook on every rerun."""
    return load_codebook(text)


def save_codebook(project: Project, yaml_text: str, note: str = "") -> Codebook:
    """Check and store a codebook as the project's; returns it. Does not re-code.

    Raises `lib.coding.CodebookError` (nothing stored) when the text is not a usable
    codebook. Call `recode` (or `refresh`) afterwards to apply it.
    """
    codebook = load_codebook(yaml_text)
    with project.transaction() as conn:
        conn.execute(
            "INSERT INTO codebooks (sha256, yaml, note, saved_at) VALUES (?, ?, ?, ?)",
            (codebook.sha256, yaml_text, note, now()),
        )
        project.log(conn, "codebook_saved", sha256=codebook.sha256, note=note)
    return codebook


def codebook_history(project: Project) -> list[dict[str, Any]]:
    """Every codebook saved in the project, oldest first (id, sha256, note, saved_at)."""
    rows = project.conn.execute(
        "SELECT codebook_id, sha256, note, saved_at FROM codebooks ORDER BY codebook_id"
    )
    return [dict(zip(("codebook_id", "sha256", "note", "saved_at"), r, strict=True)) for r in rows]


# -- the studies ---------------------------------------------------------------------------


def study_records(project: Project) -> dict[str, Record]:
    """study id -> the study's merged record (title, abstract and keywords of its group).

    Studies are the deduplication groups of `lib.project.duplicates` (refreshed first);
    their id is the record id of the group's first-imported member.
    """
    from lib.project import duplicates

    return duplicates.study_records(project)


_study_records = study_records  # the parameters named `study_records` below shadow it


def _state(codebook: Codebook, studies: Mapping[str, Record]) -> str:
    """A fingerprint of what the automatic codes were made from."""
    h = hashlib.sha256(codebook.sha256.encode())
    for sid in sorted(studies):
        rec = studies[sid]
        for part in (sid, rec.title, rec.abstract, "; ".join(rec.keywords)):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x00")
    return h.hexdigest()


def is_stale(project: Project) -> bool:
    """True when the studies or the codebook changed since the last coding."""
    return project.meta(_STATE_KEY) != _state(project_codebook(project), study_records(project))


# -- automatic coding ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecodeSummary:
    """What a re-coding did: studies coded, and per facet how many automatic values changed."""

    studies: int
    changed: dict[str, int]
    codebook_sha256: str


def refresh(project: Project) -> bool:
    """Re-code if the studies or the codebook changed since the last coding; True if it ran."""
    codebook = project_codebook(project)
    studies = study_records(project)
    if project.meta(_STATE_KEY) == _state(codebook, studies):
        return False
    recode(project, studies, codebook)
    return True


def recode(
    project: Project,
    study_records: Mapping[str, Record] | None = None,
    codebook: Codebook | None = None,
    *,
    codings: Sequence[Coding] | None = None,
    meta: Mapping[str, str] | None = None,
    unless: Callable[[sqlite3.Connection], bool] | None = None,
) -> RecodeSummary | None:
    """Code every study and store the automatic codes (replacing the previous ones).

    `study_records` is the project's full set of studies (default: `study_records`);
    automatic codes of studies not in it are dropped. A reviewer's overrides and checks
    are untouched. One transaction, logged as ``recode``.

    A background re-code (`lib.recoding`) passes the ``codings`` it made in chunks, the
    ``meta`` keys to write in the same transaction, and ``unless``: checked inside the
    transaction, True drops the whole write (returns None), e.g. when the codebook
    changed again while it worked.
    """
    if study_records is None:
        study_records = _study_records(project)
    codebook = codebook or project_codebook(project)
    ids = list(study_records)
    if codings is None:
        codings = code_records([as_study(sid, study_records[sid]) for sid in ids], codebook)
    before = _auto_values(project)
    rows = []
    changed = dict.fromkeys(FACETS, 0)
    for coding in codings:
        for facet in FACETS:
            values = list(coding.get(facet))
            if before.get((coding.record_id, facet)) != values:
                changed[facet] += 1
            evidence = [
                [
                    e.code,
                    e.phrase,
                    e.field,
                    e.start,
                    e.end,
                    e.rule,
                    e.sentence_start,
                    e.sentence_end,
                    e.role,
                ]
                for e in coding.evidence_for(facet)
            ]
            rows.append(
                (
                    coding.record_id,
                    facet,
                    json.dumps(values, ensure_ascii=False),
                    json.dumps(evidence, ensure_ascii=False),
                    coding.confidence.get(facet),
                )
            )
    state = _state(codebook, study_records)
    try:
        _store_all(project, rows, state, meta or {}, unless, len(ids), changed, codebook.sha256)
    except _Dropped:
        return None
    return RecodeSummary(len(ids), changed, codebook.sha256)


class _Dropped(Exception):
    """`recode`'s ``unless`` said no: the transaction is rolled back."""


def _store_all(
    project: Project,
    rows: list[tuple[Any, ...]],
    state: str,
    meta: Mapping[str, str],
    unless: Callable[[sqlite3.Connection], bool] | None,
    n_studies: int,
    changed: dict[str, int],
    codebook_sha256: str,
) -> None:
    with project.transaction() as conn:
        if unless is not None and unless(conn):
            raise _Dropped
        conn.execute("DELETE FROM auto_codes")
        conn.executemany(
            "INSERT INTO auto_codes (study_id, facet, codes, evidence, confidence) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_STATE_KEY, state),
        )
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            list(meta.items()),
        )
        project.log(
            conn, "recode", studies=n_studies, changed=changed, codebook_sha256=codebook_sha256
        )


def recode_studies(
    project: Project,
    study_records: Mapping[str, Record],
    removed: Sequence[str] = (),
    codebook: Codebook | None = None,
) -> None:
    """Code only some studies (made or changed) and drop the codes of ``removed`` ones.

    The step after a duplicate decision, which changes a few studies: recoding all of a
    50k-study project takes a minute (`lib.pipeline` tracks which studies changed). The
    coding fingerprint (`is_stale`) is left alone: the caller keeps its own. One
    transaction, logged as ``recode_some``.
    """
    codebook = codebook or project_codebook(project)
    codings = code_records([as_study(sid, rec) for sid, rec in study_records.items()], codebook)
    # the same rows as `recode`: a study recoded here keeps its confidence (the Check codes
    # queue orders by it) and its evidence's sentences
    rows = [
        (
            c.record_id,
            facet,
            json.dumps(list(c.get(facet)), ensure_ascii=False),
            json.dumps(
                [
                    [e.code, e.phrase, e.field, e.start, e.end, e.rule, e.sentence_start,
                     e.sentence_end, e.role]
                    for e in c.evidence_for(facet)
                ],
                ensure_ascii=False,
            ),
            c.confidence.get(facet),
        )
        for c in codings
        for facet in FACETS
    ]  # fmt: skip
    with project.transaction() as conn:
        conn.executemany(
            "DELETE FROM auto_codes WHERE study_id = ?",
            [(sid,) for sid in dict.fromkeys([*removed, *study_records])],
        )
        conn.executemany(
            "INSERT INTO auto_codes (study_id, facet, codes, evidence, confidence) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        project.log(conn, "recode_some", studies=len(study_records), removed=len(removed))


def as_study(study_id: str, record: Record) -> Record:
    """The record under its study id (the coding is reported per study)."""
    if record.record_id == study_id:
        return record
    return Record(
        record_id=study_id, title=record.title, abstract=record.abstract, keywords=record.keywords
    )


def _auto_values(project: Project) -> dict[tuple[str, str], list[str]]:
    rows = project.conn.execute("SELECT study_id, facet, codes FROM auto_codes").fetchall()
    # one parse for every row: 400k separate json.loads took 3 s at 50k studies
    values = json.loads("[" + ",".join(r[2] for r in rows) + "]") if rows else []
    return {(sid, facet): v for (sid, facet, _), v in zip(rows, values, strict=True)}


def study_evidence(project: Project, study_id: str) -> list[Evidence]:
    """The evidence of a study's automatic codes, facet by facet (for highlighting).

    Each `Evidence` has the phrase's offsets and, for codes made since schema 3, its
    sentence's (``sentence_start``/``sentence_end``, ``Evidence.sentence(text)``) and role;
    evidence stored before has ``sentence_start == -1`` and ``role == ""``.
    """
    out: list[Evidence] = []
    rows = dict(
        project.conn.execute(
            "SELECT facet, evidence FROM auto_codes WHERE study_id = ?", (study_id,)
        ).fetchall()
    )
    for facet in FACETS:
        for item in json.loads(rows.get(facet, "[]")):
            out.append(Evidence(facet, *item[:9]))
    return out


def study_confidence(project: Project, study_id: str) -> dict[str, float | None]:
    """How sure the automatic code of each facet of a study is, 0 to 1 (0.5: a coin).

    None for a facet coded before confidence was kept (re-code to fill it) or not coded.
    See `lib.coding.Coding.confidence` for what the number means.
    """
    rows = dict(
        project.conn.execute(
            "SELECT facet, confidence FROM auto_codes WHERE study_id = ?", (study_id,)
        ).fetchall()
    )
    return {facet: rows.get(facet) for facet in FACETS}


def confidence_table(project: Project) -> pd.DataFrame:
    """One row per coded study: the confidence of each facet's automatic code.

    Columns: ``study_id``, then one float column per facet (the facet columns of
    `effective_codes`, NaN where not known), then ``lowest`` (the least sure facet's
    confidence). Overrides do not change it: it is about the automatic codes.
    """
    rows = project.conn.execute("SELECT study_id, facet, confidence FROM auto_codes").fetchall()
    by_study: dict[str, dict[str, float | None]] = defaultdict(dict)
    for sid, facet, confidence in rows:
        by_study[sid][facet] = confidence
    studies = list(by_study)
    data: dict[str, Any] = {"study_id": studies}
    for facet in FACETS:
        data[facet_column(facet)] = [by_study[sid].get(facet) for sid in studies]
    frame = pd.DataFrame(data, columns=["study_id", *(facet_column(f) for f in FACETS)])
    facet_columns = [facet_column(f) for f in FACETS]
    frame[facet_columns] = frame[facet_columns].astype(float)
    frame["lowest"] = frame[facet_columns].min(axis=1)
    return frame


def least_confident(
    project: Project,
    facets: Sequence[str] = ("method", "population", "direction"),
    *,
    unchecked_only: bool = True,
    limit: int | None = None,
    within: Container[str] | None = None,
    skip: Container[str] = (),
) -> list[tuple[str, str, float | None]]:
    """The queue for checking codes: (study id, facet, confidence), least sure first.

    One entry per study: its least sure facet among `facets`. Studies a reviewer marked as
    checked are left out when `unchecked_only`, and so are facets a reviewer already set by
    hand (their value no longer depends on the coder). Studies coded before confidence was
    kept come last. Ordered by confidence, then the facet listed first, then study id, so
    the order is stable; read through an index on confidence, so a short queue (`limit`)
    costs under a millisecond on a 50k-study project (the whole queue: ~3 s; ask for the
    next few). ``within``: only these studies (a scope); ``skip``: not these (passed over).
    """
    names = [f.replace("_", "-") for f in facets]
    for name in names:
        if name not in FACETS:
            raise ValueError(f"unknown facet {name!r}; facets are {', '.join(FACETS)}")
    names = list(dict.fromkeys(names))
    order = {name: n for n, name in enumerate(names)}
    marks = ", ".join("?" for _ in names)
    # Rows come least sure first through the index on confidence, so a short queue reads
    # only as many rows as it needs (50k studies: milliseconds instead of seconds).
    settled = (
        "NOT EXISTS (SELECT 1 FROM code_overrides o WHERE o.study_id = a.study_id "
        "AND o.facet = a.facet AND o.undone_at IS NULL)"
    )
    if unchecked_only:
        settled += (
            " AND NOT EXISTS (SELECT 1 FROM study_checks c "
            "WHERE c.study_id = a.study_id AND c.checked = 1)"
        )
    queries = (
        f"SELECT a.study_id, a.facet, a.confidence FROM auto_codes a INDEXED BY "
        f"auto_codes_confidence WHERE a.confidence IS NOT NULL AND a.facet IN ({marks}) "
        f"AND {settled} ORDER BY a.confidence",
        f"SELECT a.study_id, a.facet, a.confidence FROM auto_codes a "
        f"WHERE a.confidence IS NULL AND a.facet IN ({marks}) AND {settled} "
        "ORDER BY a.study_id",
    )
    queue: list[tuple[str, str, float | None]] = []
    seen: set[str] = set()

    def take(tied: list[tuple[str, str, float | None]]) -> None:
        """Rows of equal confidence: the facet listed first, then the study id."""
        for sid, facet, confidence in sorted(tied, key=lambda r: (order[r[1]], r[0])):
            if sid not in seen and (within is None or sid in within) and sid not in skip:
                seen.add(sid)
                queue.append((sid, facet, confidence))

    for sql in queries:
        tied: list[tuple[str, str, float | None]] = []
        for row in project.conn.execute(sql, names):
            if tied and row[2] != tied[-1][2]:
                take(tied)
                tied = []
                if limit is not None and len(queue) >= limit:
                    return queue[:limit]
            tied.append(row)
        take(tied)
        if limit is not None and len(queue) >= limit:
            return queue[:limit]
    return queue


# -- a reviewer's codes --------------------------------------------------------------------


def _facet_name(codebook: Codebook, facet: str) -> str:
    name = facet.replace("_", "-")
    if name not in codebook.facets:
        raise ValueError(f"unknown facet {facet!r}; facets are {', '.join(FACETS)}")
    return name


def _clean_values(codebook: Codebook, facet: str, values: Sequence[str] | str) -> list[str]:
    """Check a reviewer's codes against the codebook; returns them in codebook order."""
    spec = codebook.facets[facet]
    items = [values] if isinstance(values, str) else list(values)
    cleaned = list(dict.fromkeys(v.strip() for v in items if v and v.strip()))
    if spec.single and len(cleaned) != 1:
        raise ValueError(
            f"{facet} takes exactly one code, got {len(cleaned)}: {', '.join(cleaned) or 'none'}"
        )
    unknown = [v for v in cleaned if v not in spec.codes]
    if unknown and facet != "country":  # a country the codebook does not list is still one
        raise ValueError(
            f"unknown code(s) for {facet}: {', '.join(unknown)}; codes are {', '.join(spec.codes)}"
        )
    order = {c: i for i, c in enumerate(spec.codes)}
    return sorted(cleaned, key=lambda v: (order.get(v, len(order)), v))


def _active_overrides(project: Project) -> dict[tuple[str, str], tuple[int, list[str]]]:
    """(study, facet) -> (override id, codes) of the overrides in force."""
    out: dict[tuple[str, str], tuple[int, list[str]]] = {}
    for oid, sid, facet, codes in project.conn.execute(
        "SELECT override_id, study_id, facet, codes FROM code_overrides "
        "WHERE undone_at IS NULL ORDER BY override_id"
    ):
        out[(sid, facet)] = (oid, json.loads(codes))
    return out


def _effective(project: Project, study_id: str, facet: str) -> list[str]:
    row = project.conn.execute(
        "SELECT codes FROM code_overrides WHERE study_id = ? AND facet = ? AND undone_at IS NULL "
        "ORDER BY override_id DESC LIMIT 1",
        (study_id, facet),
    ).fetchone()
    if row is None:
        row = project.conn.execute(
            "SELECT codes FROM auto_codes WHERE study_id = ? AND facet = ?", (study_id, facet)
        ).fetchone()
    return json.loads(row[0]) if row else []


def set_override(
    project: Project, study_id: str, facet: str, values: Sequence[str] | str, note: str = ""
) -> int:
    """Set a study's codes for one facet by hand; returns the override's id.

    `values` are codes of the project's codebook (one for ``method`` and ``direction``).
    The value in force before is kept with the override, so it can be shown and undone.
    Raises ValueError for an unknown facet or code, or a wrong number of codes.
    """
    name, cleaned = check_values(project, facet, values)
    if not study_id:
        raise ValueError("a study id is needed")
    with project.transaction() as conn:
        return write_override(project, conn, study_id, name, cleaned, note)


def write_override(
    project: Project,
    conn: sqlite3.Connection,
    study_id: str,
    facet: str,
    cleaned: list[str],
    note: str,
) -> int:
    """Store an override inside the caller's transaction (codes already checked, e.g. by
    `check_values`); returns its id. `lib.project.checks` writes a correction and its
    check in one transaction with it."""
    previous = _effective(project, study_id, facet)
    cur = conn.execute(
        "INSERT INTO code_overrides (study_id, facet, codes, previous, note, made_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            study_id,
            facet,
            json.dumps(cleaned, ensure_ascii=False),
            json.dumps(previous, ensure_ascii=False),
            note,
            now(),
        ),
    )
    override_id = int(cur.lastrowid or 0)
    project.log(
        conn,
        "code_override",
        override_id=override_id,
        study_id=study_id,
        facet=facet,
        codes=cleaned,
        previous=previous,
        note=note,
    )
    return override_id


def check_values(
    project: Project, facet: str, values: Sequence[str] | str
) -> tuple[str, list[str]]:
    """``(facet name, codes in codebook order)`` for a reviewer's codes of one facet.

    Raises ValueError for an unknown facet or code, or a wrong number of codes.
    """
    codebook = project_codebook(project)
    name = _facet_name(codebook, facet)
    return name, _clean_values(codebook, name, values)


def undo_override(project: Project, study_id: str, facet: str) -> list[str]:
    """Undo the newest override in force for a study's facet; returns the value now in force.

    The value in force becomes the previous override's, or the automatic codes if there
    is none. The undone row stays in the history. Raises ValueError if there is nothing
    to undo.
    """
    name = facet.replace("_", "-")
    with project.transaction() as conn:
        row = conn.execute(
            "SELECT override_id FROM code_overrides WHERE study_id = ? AND facet = ? "
            "AND undone_at IS NULL ORDER BY override_id DESC LIMIT 1",
            (study_id, name),
        ).fetchone()
        if row is None:
            raise ValueError(f"study {study_id}: no override of {name} to undo")
        conn.execute(
            "UPDATE code_overrides SET undone_at = ? WHERE override_id = ?", (now(), row[0])
        )
        restored = _effective(project, study_id, name)
        project.log(
            conn,
            "code_override_undo",
            override_id=row[0],
            study_id=study_id,
            facet=name,
            codes=restored,
        )
    return restored


def override_history(
    project: Project, study_id: str | None = None, facet: str | None = None
) -> list[dict[str, Any]]:
    """Every override (undone ones included), oldest first, optionally for one study/facet."""
    sql = (
        "SELECT override_id, study_id, facet, codes, previous, note, made_at, undone_at "
        "FROM code_overrides"
    )
    where, args = [], []
    if study_id is not None:
        where.append("study_id = ?")
        args.append(study_id)
    if facet is not None:
        where.append("facet = ?")
        args.append(facet.replace("_", "-"))
    if where:
        sql += " WHERE " + " AND ".join(where)
    keys = ("override_id", "study_id", "facet", "codes", "previous", "note", "made_at")
    keys += ("undone_at",)
    out = []
    for row in project.conn.execute(sql + " ORDER BY override_id", args):
        item = dict(zip(keys, row, strict=True))
        item["codes"] = json.loads(item["codes"])
        item["previous"] = json.loads(item["previous"])
        out.append(item)
    return out


def set_checked(project: Project, study_id: str, checked: bool) -> None:
    """Mark a study as checked by a reviewer (or not); logged with the time."""
    if not study_id:
        raise ValueError("a study id is needed")
    with project.transaction() as conn:
        row = conn.execute(
            "SELECT checked FROM study_checks WHERE study_id = ?", (study_id,)
        ).fetchone()
        conn.execute(
            "INSERT INTO study_checks (study_id, checked, changed_at) VALUES (?, ?, ?) "
            "ON CONFLICT (study_id) DO UPDATE SET checked = excluded.checked, "
            "changed_at = excluded.changed_at",
            (study_id, int(bool(checked)), now()),
        )
        project.log(
            conn,
            "study_checked",
            study_id=study_id,
            checked=bool(checked),
            previous=bool(row[0]) if row else False,
        )


# -- reading -------------------------------------------------------------------------------


def effective_codes(project: Project, study_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per coded study: each facet's value in force, what was overridden, checked.

    Columns: ``study_id``; ``method`` and ``direction`` (str); ``population``,
    ``perspective``, ``themes``, ``setting``, ``country``, ``peer_role`` (lists);
    ``overridden`` (list of the facet columns set by hand); ``checked`` (bool). These
    match the coding columns of the studies table (`lib.views.studies`). Studies are those of
    the last coding (`recode`/`refresh`); an override of a study that no longer exists is
    listed by `orphaned_overrides`. With ``study_ids``, only those studies' rows.
    """
    codebook = project_codebook(project)
    if study_ids is None:
        rows = project.conn.execute("SELECT study_id, facet, codes FROM auto_codes").fetchall()
    else:  # some studies only (the app updates its table study by study)
        rows = []
        wanted = list(dict.fromkeys(study_ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows += project.conn.execute(
                "SELECT study_id, facet, codes FROM auto_codes "
                f"WHERE study_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
    # column by column, in one JSON parse: per-study dicts took 2 s at 50k studies
    parsed = json.loads("[" + ",".join(r[2] for r in rows) + "]") if rows else []
    by_facet: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for (sid, facet, _), values in zip(rows, parsed, strict=True):
        by_facet[facet][sid] = values
    studies = list(dict.fromkeys(r[0] for r in rows))
    coded = set(studies)
    overrides = _active_overrides(project)
    overridden: dict[str, list[str]] = defaultdict(list)
    for sid, facet in overrides:
        if sid in coded:
            overridden[sid].append(facet)
    data: dict[str, Any] = {"study_id": studies}
    for facet in FACETS:
        spec = codebook.facets[facet]
        values = by_facet[facet]
        for (sid, of), (_, codes) in overrides.items():
            if of == facet and sid in coded:
                values[sid] = codes
        if spec.single:
            data[facet_column(facet)] = [
                (v[0] if (v := values.get(sid)) else spec.fallback) for sid in studies
            ]
        else:
            data[facet_column(facet)] = [list(values.get(sid, ())) for sid in studies]
    order = {facet: n for n, facet in enumerate(FACETS)}
    data["overridden"] = [
        [facet_column(f) for f in sorted(overridden.get(sid, ()), key=order.__getitem__)]
        for sid in studies
    ]
    checked = dict(project.conn.execute("SELECT study_id, checked FROM study_checks"))
    data["checked"] = [bool(checked.get(sid, 0)) for sid in studies]
    columns = ["study_id", *(facet_column(f) for f in FACETS), "overridden", "checked"]
    frame = pd.DataFrame(data, columns=columns)
    frame["checked"] = frame["checked"].astype(bool)
    return frame


def orphaned_overrides(project: Project) -> list[dict[str, Any]]:
    """Overrides in force whose study is not among the coded studies (e.g. merged away)."""
    coded = {sid for (sid,) in project.conn.execute("SELECT DISTINCT study_id FROM auto_codes")}
    return [
        item
        for item in override_history(project)
        if item["undone_at"] is None and item["study_id"] not in coded
    ]


# -- a codebook change, before it is applied -----------------------------------------------


@dataclass(frozen=True, slots=True)
class FacetChange:
    """How one facet would change: automatic values that differ, and what that shows."""

    changed: int  # studies whose automatic value would change
    changed_in_force: int  # ... and whose value in force would change (no override)
    kept_by_override: int  # ... whose override keeps the value in force as it is
    examples: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()  # (id, old, new)


@dataclass(frozen=True, slots=True)
class CodebookChange:
    """What applying a new codebook would do, facet by facet (nothing is written)."""

    studies: int
    facets: dict[str, FacetChange] = field(default_factory=dict)

    @property
    def total_changed(self) -> int:
        return sum(f.changed for f in self.facets.values())

    def to_frame(self) -> pd.DataFrame:
        """One row per facet: changed, changed_in_force, kept_by_override."""
        return pd.DataFrame(
            [
                {
                    "facet": facet,
                    "changed": c.changed,
                    "changed_in_force": c.changed_in_force,
                    "kept_by_override": c.kept_by_override,
                }
                for facet, c in self.facets.items()
            ],
            columns=["facet", "changed", "changed_in_force", "kept_by_override"],
        )


def preview_codebook_change(
    project: Project,
    new_codebook: Codebook,
    study_records: Mapping[str, Record] | None = None,
    *,
    examples: int = 5,
) -> CodebookChange:
    """How many studies would change per facet if `new_codebook` were applied.

    Compares the new codebook's automatic codes with those of the codebook in force (the
    stored ones when they are up to date), and says how many changes a reviewer's
    overrides would hide. Nothing is written.
    """
    studies = study_records if study_records is not None else _study_records(project)
    current = project_codebook(project)
    records = [as_study(sid, rec) for sid, rec in studies.items()]
    if project.meta(_STATE_KEY) == _state(current, studies):
        stored = _auto_values(project)
        old = {sid: {f: stored.get((sid, f), []) for f in FACETS} for sid in studies}
    else:
        old = {c.record_id: _values(c) for c in code_records(records, current)}
    new = {c.record_id: _values(c) for c in code_records(records, new_codebook)}
    overrides = _active_overrides(project)
    # A report linked to another as "other report of the same study" takes its study's
    # codes (`lib.project.reports`): only the studies' own reports count as changes.
    from lib.project.reports import study_of_group

    mains = set(study_of_group(project, refresh_first=False).values()) & set(studies)
    facets: dict[str, FacetChange] = {}
    for facet in FACETS:
        changed = in_force = kept = 0
        shown: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
        for sid in studies:
            if sid not in mains:
                continue
            before, after = old[sid][facet], new[sid][facet]
            if before == after:
                continue
            changed += 1
            if (sid, facet) in overrides:
                kept += 1
            else:
                in_force += 1
            if len(shown) < examples:
                shown.append((sid, tuple(before), tuple(after)))
        facets[facet] = FacetChange(changed, in_force, kept, tuple(shown))
    return CodebookChange(len(mains), facets)


def _values(coding: Coding) -> dict[str, list[str]]:
    return {facet: list(coding.get(facet)) for facet in FACETS}
