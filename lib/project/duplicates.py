"""Deduplication inside a project file: groups, the review queue and a person's decisions.

The engine (`lib.dedupe.deduplicate`) is pure; this module runs it over a project's
records with the decisions stored in the project, and stores what it found. Decisions are
the durable part. After an import the engine runs again over every record, so new
records are deduplicated against the existing groups and no decided pair is asked again.
A decision does not need the engine: it changes only the groups it touches, read from
and written back to the file (`lib.dedupe.cluster.apply_decision`), which gives exactly
the groups a full run gives (a property test checks this over random decision
sequences). Undoing one applies the remaining decisions to the stored automatic groups.
Every write is one transaction and one log event; every study made, changed or gone is
also listed in ``dedupe_study_changes``, so the coder and the app's tables update only
those (`study_changes`).

Typical use (the app's duplicates page)::

    duplicates.refresh(project)                  # after an import (cheap when up to date)
    for item in duplicates.review_queue(project):
        ...show item.a, item.b, item.reason...
        duplicates.decide(project, "same", [item.a.record_id, item.b.record_id])
    duplicates.contradiction(project, "different", ids)   # ask which record leaves
    duplicates.decide(project, "different", ids, leaving=[ids[1]])
    duplicates.undo(project, decision_id)
    table = duplicates.groups(project)           # one row per study
    counts = duplicates.prisma_counts(project)
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lib.dedupe import DECISION_KINDS, Decision, DedupeResult, Link, deduplicate
from lib.dedupe.authors import first_author as _first_author_key
from lib.dedupe.cluster import Partition, apply_decision, contradicted, explain
from lib.dedupe.constraints import Constraints
from lib.dedupe.merge import merge_group
from lib.model import Record
from lib.project.store import RECORDS_SQL, Project, ProjectError, now, row_record

# The columns `lib.project.store` turns into a `Record`, for reading some records by id.

__all__ = [
    "GROUP_COLUMNS",
    "Contradiction",
    "ReviewItem",
    "contradiction",
    "count_studies",
    "decide",
    "decide_many",
    "decisions",
    "groups",
    "groups_of",
    "is_stale",
    "links",
    "members",
    "prisma_counts",
    "records_of",
    "refresh",
    "review_queue",
    "run",
    "study_changes",
    "undo",
]

# The deduplication columns of the studies table (see lib/views/studies.py for the contract).
GROUP_COLUMNS = (
    "study_id",
    "title",
    "authors",
    "first_author",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "abstract",
    "entrytype",
    "n_records",
    "record_ids",
    "databases",
    "keywords",
)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One possible duplicate for a person to decide, with both records and why."""

    a: Record
    b: Record
    score: float
    reason: str
    group_a: str
    group_b: str


# -- state ----------------------------------------------------------------------------------
# How groups are stored. A file stored another way (before decisions were applied to the
# stored groups one by one) is regrouped once, in full, when opened.
_FORMAT = "g2"


def _state(conn: sqlite3.Connection) -> str:
    """What the stored groups were computed from: records and active decisions."""
    records = conn.execute("SELECT COUNT(*), COALESCE(MAX(rid), 0) FROM records").fetchone()
    made = conn.execute(
        "SELECT COUNT(*), COALESCE(MAX(decision_id), 0), COUNT(undone_at) FROM dedupe_decisions"
    ).fetchone()
    return f"{_FORMAT}:{records[0]}:{records[1]}:{made[0]}:{made[1]}:{made[2]}"


def _set_state(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('dedupe_state', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_state(conn),),
    )


def is_stale(project: Project) -> bool:
    """True when records or decisions changed since the groups were stored."""
    return project.meta("dedupe_state") != _state(project.conn)


def _active_decisions(conn: sqlite3.Connection) -> list[Decision]:
    rows = conn.execute(
        "SELECT decision_id, kind, record_ids, against, note, leaving FROM dedupe_decisions "
        "WHERE undone_at IS NULL ORDER BY decision_id"
    ).fetchall()
    return [
        Decision(
            kind,
            tuple(json.loads(ids)),
            tuple(json.loads(against)),
            did,
            note,
            tuple(json.loads(leaving)),
        )
        for did, kind, ids, against, note, leaving in rows
    ]


class _Everyone:
    """Every record id: decisions only name records of the project (checked when made)."""

    def __contains__(self, item: object) -> bool:
        return True


def _constraints(conn: sqlite3.Connection) -> Constraints:
    return Constraints(_active_decisions(conn), _Everyone())


# -- storing --------------------------------------------------------------------------------
def _store(project: Project, conn: sqlite3.Connection, result: DedupeResult) -> None:
    """Store a full run: automatic and final groups, the matcher's pairs and links, studies."""
    conn.execute("DELETE FROM dedupe_auto")
    conn.executemany(
        "INSERT INTO dedupe_auto (record_id, cluster_id) VALUES (?, ?)",
        result.auto_cluster_of.items(),
    )
    conn.execute("DELETE FROM dedupe_groups")
    joined = result.joined_by
    conn.executemany(
        "INSERT INTO dedupe_groups (record_id, cluster_id, matched_with, score, reason) "
        "VALUES (?, ?, ?, ?, ?)",
        ((rid, cid, *joined.get(rid, ("", None, ""))) for rid, cid in result.cluster_of.items()),
    )
    # The matcher's own decisions: what a person decided is read from the decisions.
    conn.execute("DELETE FROM dedupe_pairs")
    automatic = result.automatic if result.automatic is not None else result.pairs
    kept = [*automatic.with_decision("duplicate"), *automatic.with_decision("possible")]
    conn.executemany(
        "INSERT OR REPLACE INTO dedupe_pairs (a, b, decision, score, reason) "
        "VALUES (?, ?, ?, ?, ?)",
        ((p.a, p.b, p.decision, p.score, p.reason) for p in kept),
    )
    conn.execute("DELETE FROM dedupe_links")
    conn.executemany(
        "INSERT OR REPLACE INTO dedupe_links (a, b, kind, reason, decision_id) "
        "VALUES (?, ?, ?, ?, NULL)",
        ((link.a, link.b, link.kind, link.reason) for link in result.candidate_links),
    )
    members: dict[str, list[Record]] = defaultdict(list)
    for rec in result.records:  # arrival order
        members[result.cluster_of[rec.record_id]].append(rec)
    _store_studies(conn, members, everything=True)
    _set_state(conn)


# Bump when `lib.dedupe.merge` changes what a merged record holds: stored studies are
# then merged again on the next run.
MERGE_VERSION = "1"

# The stored columns: the studies table's (keywords last, as the rows below are written).
_STUDY_COLUMNS = GROUP_COLUMNS
ALL_STUDIES = "*"  # in dedupe_study_changes: every study may have changed


def _store_studies(
    conn: sqlite3.Connection,
    members: dict[str, list[Record]],
    *,
    everything: bool = False,
    gone: Sequence[str] = (),
) -> None:
    """One merged record per group of ``members`` (group id -> records in arrival order).

    With ``everything``, ``members`` are all the groups and studies not among them are
    dropped; otherwise ``gone`` lists the study ids that no longer exist. Only groups
    whose members changed are merged again (merging every group took 8 s of a 50k-study
    project's 10 s studies table); every study made or dropped is logged as changed.
    """
    merged_by = conn.execute("SELECT value FROM meta WHERE key = 'merge_version'").fetchone()
    if merged_by is None or merged_by[0] != MERGE_VERSION:  # merged by other rules: redo all
        conn.execute("DELETE FROM dedupe_studies")
        conn.execute("INSERT INTO dedupe_study_changes (study_id) VALUES (?)", (ALL_STUDIES,))
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('merge_version', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (MERGE_VERSION,),
        )
    wanted = {sid: json.dumps([r.record_id for r in recs]) for sid, recs in members.items()}
    if everything:
        kept = dict(conn.execute("SELECT study_id, record_ids FROM dedupe_studies"))
        dropped = [sid for sid, ids in kept.items() if wanted.get(sid) != ids]
    else:
        kept = _stored_members(conn, [*gone, *members])
        dropped = [sid for sid in dict.fromkeys([*gone, *members]) if sid in kept
                   and wanted.get(sid) != kept[sid]]  # fmt: skip
    conn.executemany("DELETE FROM dedupe_studies WHERE study_id = ?", ((s,) for s in dropped))
    rows = []
    for sid, recs in members.items():
        if kept.get(sid) == wanted[sid]:
            continue
        study = merge_group(sid, recs)
        merged = study.record
        rows.append(
            (  # in `_STUDY_COLUMNS` order
                sid,
                merged.title,
                json.dumps(merged.authors, ensure_ascii=False),
                _family(merged.authors),
                merged.year,
                merged.journal,
                merged.volume,
                merged.issue,
                merged.pages,
                merged.doi,
                merged.abstract,
                merged.entrytype,
                len(recs),
                wanted[sid],
                json.dumps(sorted(set(study.databases)), ensure_ascii=False),
                json.dumps(merged.keywords, ensure_ascii=False),
            )
        )
    conn.executemany(
        f"INSERT INTO dedupe_studies ({', '.join(_STUDY_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(_STUDY_COLUMNS))})",
        rows,
    )
    changed = dict.fromkeys([*dropped, *(row[0] for row in rows)])
    conn.executemany(
        "INSERT INTO dedupe_study_changes (study_id) VALUES (?)", ((s,) for s in changed)
    )


def _stored_members(conn: sqlite3.Connection, study_ids: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    wanted = list(dict.fromkeys(study_ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        out.update(
            conn.execute(
                f"SELECT study_id, record_ids FROM dedupe_studies WHERE study_id IN ({marks})",
                chunk,
            )
        )
    return out


def study_changes(project: Project, since: int) -> tuple[int, list[str] | None]:
    """``(last, ids)``: the studies made, changed or dropped after change number ``since``
    (in ``dedupe_study_changes``) and the number of the last change; ``ids`` is ``None``
    when they cannot be told (every study changed, or the log was reset: read them all)."""
    last = project.conn.execute(
        "SELECT COALESCE(MAX(seq), 0) FROM dedupe_study_changes"
    ).fetchone()[0]
    if since > last:  # another file, or a restored one
        return int(last), None
    ids = [
        sid
        for (sid,) in project.conn.execute(
            "SELECT study_id FROM dedupe_study_changes WHERE seq > ? ORDER BY seq", (since,)
        )
    ]
    if ALL_STUDIES in ids:
        return int(last), None
    return int(last), list(dict.fromkeys(ids))


# Studies in the order their first records arrived (the study id is that record's id).
_IN_ARRIVAL_ORDER = (
    "FROM dedupe_studies s JOIN records r ON r.record_id = s.study_id ORDER BY r.rid"
)


def _json_lists(texts: list[str]) -> list[list[str]]:
    """Many JSON arrays parsed in one call (50k separate `json.loads` cost seconds)."""
    return json.loads("[" + ",".join(texts) + "]") if texts else []


def study_records(project: Project, study_ids: Sequence[str] | None = None) -> dict[str, Record]:
    """study id -> its merged record (title, authors, locators, abstract, keywords...),
    from the stored groups (refreshes first); all studies, or those of ``study_ids`` that
    exist, in arrival order."""
    refresh(project)
    columns = (
        "SELECT s.study_id, s.title, s.authors, s.year, s.journal, s.volume, s.issue, s.pages, "
        "s.doi, s.abstract, s.keywords, s.entrytype"
    )
    if study_ids is None:
        rows = project.conn.execute(f"{columns} {_IN_ARRIVAL_ORDER}").fetchall()
    else:
        rows = []
        wanted = list(dict.fromkeys(study_ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows += project.conn.execute(
                f"{columns}, r.rid FROM dedupe_studies s JOIN records r "
                f"ON r.record_id = s.study_id WHERE s.study_id IN ({marks})",
                chunk,
            ).fetchall()
        rows.sort(key=lambda row: row[-1])
    authors = _json_lists([r[2] for r in rows])
    keywords = _json_lists([r[10] for r in rows])
    return {
        row[0]: Record(
            record_id=row[0],
            title=row[1],
            authors=authors[i],
            year=row[3],
            journal=row[4],
            volume=row[5],
            issue=row[6],
            pages=row[7],
            doi=row[8],
            abstract=row[9],
            keywords=keywords[i],
            entrytype=row[11],
        )
        for i, row in enumerate(rows)
    }


def records_of(project: Project, record_ids: Sequence[str]) -> dict[str, Record]:
    """Some records of the project by id (those that exist), read from the file: not all
    82k of a large project to show a few."""
    return _records_by_id(project.conn, record_ids)


def _records_by_id(conn: sqlite3.Connection, record_ids: Sequence[str]) -> dict[str, Record]:
    """Some records of the project by id, read from the file (not all of them)."""
    out: dict[str, Record] = {}
    wanted = list(dict.fromkeys(record_ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(f"{RECORDS_SQL} WHERE r.record_id IN ({marks})", chunk):
            rec = row_record(row)
            out[rec.record_id] = rec
    return out


def _summary(result: DedupeResult) -> dict[str, int]:
    n_groups = len(set(result.cluster_of.values()))
    return {
        "records": len(result.records),
        "studies": n_groups,
        "duplicates": len(result.records) - n_groups,
        "to_review": len(result.possible()),
        "links": len(result.links),
    }


def run(project: Project) -> DedupeResult:
    """Deduplicate every record of the project with its decisions, and store the result.

    The work is done outside the write lock (it takes seconds on a large project, and
    another session must be able to write meanwhile); the result is stored only if the
    records and decisions it came from are still those in the file, else it is redone.
    """
    for _ in range(3):
        state = _state(project.conn)
        result = deduplicate(project.records(), _active_decisions(project.conn))
        with project.transaction() as conn:
            if _state(conn) == state:
                _store(project, conn, result)
                project.log(conn, "dedupe", **_summary(result))
                return result
    with project.transaction() as conn:  # others keep writing: do it under the lock
        result = deduplicate(project.records(), _active_decisions(conn))
        _store(project, conn, result)
        project.log(conn, "dedupe", **_summary(result))
    return result


def refresh(project: Project) -> bool:
    """Run deduplication if records changed since the last run (or the groups were stored
    by an older version). Returns True when it ran. Cheap otherwise: call it before
    reading groups. Decisions regroup as they are made and need no run."""
    if not is_stale(project):
        return False
    run(project)
    return True


# -- regrouping after a decision --------------------------------------------------------------
def _group_loader(conn: sqlite3.Connection):  # type: ignore[no-untyped-def]
    """For `Partition`: the stored group of a record, members with arrival positions."""

    def load(record_id: str) -> list[tuple[str, int]]:
        return conn.execute(
            "SELECT g.record_id, r.rid FROM dedupe_groups g JOIN records r USING (record_id) "
            "WHERE g.cluster_id = (SELECT cluster_id FROM dedupe_groups WHERE record_id = ?)",
            (record_id,),
        ).fetchall()

    return load


def _write_groups(
    conn: sqlite3.Connection,
    gone: Sequence[str],
    new: Sequence[list[str]],
    explain_also: Sequence[list[str]] = (),
) -> None:
    """Write back the groups a decision changed: their rows, why each record is in its
    group, and their merged studies. ``explain_also``: groups whose members stayed but
    whose reasons may have changed (a "same" within a group, or its undo)."""
    changed = {tuple(m) for m in new}
    again = [*new, *(m for m in explain_also if tuple(m) not in changed)]
    if not gone and not again:
        return
    inside = [rid for members in again for rid in members]
    edges = []
    for start in range(0, len(inside), 400):
        chunk = inside[start : start + 400]
        marks = ", ".join("?" * len(chunk))
        edges += conn.execute(
            "SELECT score, a, b, reason FROM dedupe_pairs WHERE decision = 'duplicate' "
            f"AND (a IN ({marks}) OR b IN ({marks}))",
            chunk + chunk,
        ).fetchall()
    joined = explain(again, edges, _constraints(conn).musts)
    conn.executemany(
        "INSERT OR REPLACE INTO dedupe_groups (record_id, cluster_id, matched_with, score, "
        "reason) VALUES (?, ?, ?, ?, ?)",
        ((rid, m[0], *joined.get(rid, ("", None, ""))) for m in again for rid in m),
    )
    in_new = [rid for members in new for rid in members]
    records = _records_by_id(conn, in_new)
    _store_studies(conn, {m[0]: [records[r] for r in m] for m in new}, gone=gone)


def _in_chunks(conn: sqlite3.Connection, sql: str, values: Sequence[str]) -> list[tuple[Any, ...]]:
    """``sql`` for many values, 400 at a time (each ``{marks}`` stands for them)."""
    rows: list[tuple[Any, ...]] = []
    times = sql.count("{marks}")
    for start in range(0, len(values), 400):
        chunk = list(values[start : start + 400])
        marks = ", ".join("?" * len(chunk))
        rows += conn.execute(sql.format(marks=marks), chunk * times).fetchall()
    return rows


def _replay(conn: sqlite3.Connection, touched: Sequence[str] = ()) -> None:
    """Regroup the records an undone decision touched: apply the decisions in force to
    their automatic groups again and write back the groups that differ (and explain the
    groups of ``touched`` again).

    Only what the decision could have reached is read: starting from its records, the
    automatic and the stored groups they are in and every decision in force about any of
    them, until nothing is added. Decisions change only the groups of their own records,
    so the rest of the project is as a full replay would leave it.
    """
    active = _active_decisions(conn)
    about: dict[str, list[int]] = defaultdict(list)
    for n, d in enumerate(active):
        for rid in d.record_ids:
            about[rid].append(n)
    reached: set[str] = set()
    todo = set(touched)
    used: set[int] = set()
    while todo:
        reached |= todo
        batch = sorted(todo)
        found = {
            r
            for (r,) in _in_chunks(
                conn,
                "SELECT record_id FROM dedupe_auto WHERE cluster_id IN "
                "(SELECT cluster_id FROM dedupe_auto WHERE record_id IN ({marks})) "
                "UNION SELECT record_id FROM dedupe_groups WHERE cluster_id IN "
                "(SELECT cluster_id FROM dedupe_groups WHERE record_id IN ({marks}))",
                batch,
            )
        }
        for rid in batch:
            for n in about.get(rid, ()):
                if n not in used:
                    used.add(n)
                    found.update(active[n].record_ids)
        todo = found - reached
    ids = sorted(reached)
    rows = _in_chunks(
        conn,
        "SELECT a.record_id, a.cluster_id, r.rid, g.cluster_id FROM dedupe_auto a "
        "JOIN records r USING (record_id) JOIN dedupe_groups g USING (record_id) "
        "WHERE a.record_id IN ({marks})",
        ids,
    )
    automatic: dict[str, list[tuple[str, int]]] = defaultdict(list)
    stored: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for rid, auto, position, final in rows:
        automatic[auto].append((rid, position))
        stored[final].append((position, rid))
    partition = Partition(automatic.values())
    for n in sorted(used):
        d = active[n]
        apply_decision(partition, d.kind, d.record_ids, d.leaving)
    before = {gid: [rid for _, rid in sorted(m)] for gid, m in stored.items()}
    new = [m for gid, m in partition.members.items() if before.get(gid) != m]
    gone = [gid for gid, m in before.items() if partition.members.get(gid) != m]
    again = [partition.members[partition.group(r)] for r in touched if r in partition]
    _write_groups(conn, gone, new, again)


# -- decisions ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Contradiction:
    """A decision that goes against the groups: a person must choose before it is made.

    For "different" or "other report": ``together`` are records of the decision that share
    a group; one of them must leave it (``decide(..., leaving=[...])``). For "same":
    ``apart`` are pairs in the groups to be joined that a person declared different,
    with the decision that said so (``(a, b, decision_id)``); joining overrides them.
    """

    kind: str
    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[str, str, int | None], ...] = ()


def contradiction(project: Project, kind: str, record_ids: Sequence[str]) -> Contradiction | None:
    """What the decision would contradict (see `Contradiction`), or None: ask first."""
    refresh(project)
    partition = Partition(load=_group_loader(project.conn))
    ids = [r for r in dict.fromkeys(record_ids) if r in partition]
    if kind in ("different", "other-report"):
        together = contradicted(partition, ids)
        return Contradiction(kind, together=tuple(tuple(t) for t in together)) if together else None
    if kind != "same":
        return None
    groups = list(dict.fromkeys(partition.group(r) for r in ids))
    if len(groups) < 2:
        return None
    group_of = {rid: g for g in groups for rid in partition.members[g]}
    apart = []
    for d in _active_decisions(project.conn):
        if d.kind not in ("different", "other-report", "split"):
            continue
        left = [r for r in d.record_ids if r in group_of]
        right = left if d.kind != "split" else [r for r in d.against if r in group_of]
        for a in left:
            for b in right:
                differ = a < b or (d.kind == "split" and a != b)
                if differ and group_of[a] != group_of[b]:
                    apart.append((a, b, d.decision_id))
    return Contradiction(kind, apart=tuple(dict.fromkeys(apart))) if apart else None


def decide(
    project: Project,
    kind: str,
    record_ids: Sequence[str],
    note: str = "",
    *,
    leaving: Sequence[str] = (),
) -> int:
    """Record a person's decision and regroup at once; returns the decision id.

    ``kind``: "same" (one publication: their groups become one), "different" (not one
    publication), "other-report" (same study, another report: linked, not merged) or
    "split" (these records leave their group and form their own). For "different" and
    "other-report", ``leaving`` says which records leave a group they share with another
    record of the decision (default: all but the first-arrived; ask with `contradiction`).
    Raises `ValueError` for an unknown kind or record id.
    """
    return decide_many(project, [(kind, record_ids, note)], leaving=[leaving])[0]


def decide_many(
    project: Project,
    items: Sequence[tuple[str, Sequence[str], str]],
    *,
    leaving: Sequence[Sequence[str]] = (),
) -> list[int]:
    """Record several decisions ``(kind, record_ids, note)`` together; returns their ids.

    All are checked before any is stored, and stored in one transaction with the groups
    they change (only those: a decision reads and writes its own groups, not the
    project's). ``leaving`` gives each decision's leaving records (see `decide`).
    """
    checked: list[tuple[str, list[str], str, list[str]]] = []
    for n, (kind, record_ids, note) in enumerate(items):
        ids = list(dict.fromkeys(str(r) for r in record_ids))
        if kind not in DECISION_KINDS:
            raise ValueError(f"unknown decision {kind!r}; use one of: {', '.join(DECISION_KINDS)}")
        if len(ids) < (1 if kind == "split" else 2):
            raise ValueError(f"a {kind!r} decision needs at least {1 if kind == 'split' else 2} "
                             "different records")  # fmt: skip
        gone = [str(r) for r in (leaving[n] if n < len(leaving) else ())]
        if gone and (kind not in ("different", "other-report") or not set(gone) <= set(ids)):
            raise ValueError(f"only records of a 'different' or 'other-report' decision can "
                             f"leave a group, not {', '.join(gone)}")  # fmt: skip
        checked.append((kind, ids, note, gone))
    if not checked:
        return []
    refresh(project)  # the groups to change must be current
    made: list[int] = []
    with project.transaction() as conn:
        wanted = sorted({r for _, ids, _, _ in checked for r in ids})
        known = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT record_id FROM records WHERE record_id IN ({marks})"
            known |= {r for (r,) in conn.execute(sql, chunk)}
        unknown = [r for r in wanted if r not in known]
        if unknown:
            raise ValueError(f"no such record in the project: {', '.join(unknown)}")
        partition = Partition(load=_group_loader(conn))
        for kind, ids, note, gone in checked:
            against: list[str] = []
            if kind == "split":
                inside = set(ids)
                for gid in dict.fromkeys(partition.group(r) for r in ids):
                    against += [r for r in partition.members[gid] if r not in inside]
                if not against:
                    raise ValueError("nothing to split: these records are a group of their own")
            cur = conn.execute(
                "INSERT INTO dedupe_decisions (kind, record_ids, against, note, made_at, "
                "leaving) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, json.dumps(ids), json.dumps(against), note, now(), json.dumps(gone)),
            )
            decision_id = int(cur.lastrowid or 0)
            made.append(decision_id)
            left = apply_decision(partition, kind, ids, gone)
            project.log(
                conn,
                "dedupe_decision",
                decision_id=decision_id,
                kind=kind,
                record_ids=ids,
                note=note,
                **({"left_group": left} if left and kind != "split" else {}),
            )
        touched = {r for _, ids, _, _ in checked for r in ids}
        again = [partition.members[partition.group(r)] for r in touched if r in partition]
        _write_groups(conn, *partition.changes(), again)
        _set_state(conn)
    return made


def undo(project: Project, decision_id: int) -> None:
    """Take back a decision (it stays in the log) and regroup at once: the groups become
    those of the decisions still in force, applied to the automatic groups in order."""
    refresh(project)
    with project.transaction() as conn:
        row = conn.execute(
            "SELECT kind, undone_at, record_ids FROM dedupe_decisions WHERE decision_id = ?",
            (decision_id,),
        ).fetchone()
        if row is None:
            raise ProjectError(f"no deduplication decision {decision_id} in {project.path}")
        if row[1] is not None:
            raise ProjectError(f"decision {decision_id} was already undone at {row[1][:16]}")
        conn.execute(
            "UPDATE dedupe_decisions SET undone_at = ? WHERE decision_id = ?", (now(), decision_id)
        )
        project.log(conn, "dedupe_undo", decision_id=decision_id, kind=row[0])
        _replay(conn, json.loads(row[2]))
        _set_state(conn)


def decisions(project: Project, *, include_undone: bool = False) -> list[dict[str, Any]]:
    """The decisions, oldest first: decision_id, kind, record_ids, against, note, made_at,
    undone_at, leaving."""
    sql = (
        "SELECT decision_id, kind, record_ids, against, note, made_at, undone_at, leaving "
        "FROM dedupe_decisions"
    )
    if not include_undone:
        sql += " WHERE undone_at IS NULL"
    out = []
    for did, kind, ids, against, note, made_at, undone_at, leaving in project.conn.execute(
        sql + " ORDER BY decision_id"
    ):
        out.append(
            {
                "decision_id": did,
                "kind": kind,
                "record_ids": json.loads(ids),
                "against": json.loads(against),
                "note": note,
                "made_at": made_at,
                "undone_at": undone_at,
                "leaving": json.loads(leaving),
            }
        )
    return out


# -- reading --------------------------------------------------------------------------------
def _queue_rows(project: Project) -> list[tuple[str, str, float, str, str, str]]:
    """The review queue without its records: ``(a, b, score, reason, group a, group b)``."""
    refresh(project)
    rows = project.conn.execute(
        "SELECT p.a, p.b, p.score, p.reason, ga.cluster_id, gb.cluster_id FROM dedupe_pairs p "
        "JOIN dedupe_groups ga ON ga.record_id = p.a JOIN dedupe_groups gb ON gb.record_id = p.b "
        "WHERE p.decision = 'possible' AND ga.cluster_id != gb.cluster_id "
        "ORDER BY p.score DESC, p.a, p.b"
    ).fetchall()
    constraints = _constraints(project.conn)
    seen: set[tuple[str, str]] = set()
    out = []
    for a, b, score, reason, ga, gb in rows:
        key = (ga, gb) if ga < gb else (gb, ga)
        if key in seen or constraints.is_settled(a, b):
            continue
        seen.add(key)
        out.append((a, b, score, reason, ga, gb))
    return out


def review_queue(project: Project) -> list[ReviewItem]:
    """Possible duplicates not yet decided, most likely first, one per two groups."""
    rows = _queue_rows(project)
    records = _records_by_id(project.conn, [r for row in rows for r in row[:2]])
    return [ReviewItem(records[a], records[b], score, reason, ga, gb)
            for a, b, score, reason, ga, gb in rows]  # fmt: skip


def members_of(project: Project) -> dict[str, str]:
    """record_id → group id (study id), from the stored groups."""
    return dict(project.conn.execute("SELECT record_id, cluster_id FROM dedupe_groups"))


def members(project: Project) -> dict[str, list[str]]:
    """Group id → member record ids in arrival order (refreshes first)."""
    refresh(project)
    out: dict[str, list[str]] = defaultdict(list)
    for rid, cid in project.conn.execute(
        "SELECT g.record_id, g.cluster_id FROM dedupe_groups g JOIN records r USING (record_id) "
        "ORDER BY r.rid"
    ):
        out[cid].append(rid)
    return dict(out)


def links(project: Project, *, refresh_first: bool = True) -> list[Link]:
    """ "Other report" links: the matcher's between records in different groups, and a
    person's (refreshes first unless told not to: a cached reader must not write)."""
    if refresh_first:
        refresh(project)
    automatic = [
        Link(a, b, kind, reason)
        for a, b, kind, reason in project.conn.execute(
            "SELECT l.a, l.b, l.kind, l.reason FROM dedupe_links l "
            "JOIN dedupe_groups ga ON ga.record_id = l.a "
            "JOIN dedupe_groups gb ON gb.record_id = l.b "
            "WHERE l.decision_id IS NULL AND ga.cluster_id != gb.cluster_id"
        )
    ]
    mine = {(link.a, link.b): link for link in _constraints(project.conn).links}
    out = [link for link in automatic if (link.a, link.b) not in mine and (link.b, link.a)
           not in mine]  # fmt: skip
    return sorted([*out, *mine.values()], key=lambda link: (link.a, link.b))


def groups(project: Project, *, refresh_first: bool = True) -> pd.DataFrame:
    """One row per study (group) with merged values, in the `GROUP_COLUMNS` order.

    ``study_id`` is the record id of the group's first-imported member; ``record_ids`` and
    ``databases`` are lists. Refreshes first unless told not to (a cached reader must not
    write: it refreshes before, outside the cache).
    """
    if refresh_first:
        refresh(project)
    columns = ", ".join(f"s.{c}" for c in _STUDY_COLUMNS)
    frame = pd.read_sql_query(f"SELECT {columns} {_IN_ARRIVAL_ORDER}", project.conn)
    return _group_frame(frame)


def groups_of(project: Project, study_ids: Sequence[str]) -> pd.DataFrame:
    """The rows of `groups` for some studies only (those that exist), in arrival order."""
    columns = ", ".join(f"s.{c}" for c in _STUDY_COLUMNS)
    frames = []
    wanted = list(dict.fromkeys(study_ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        frames.append(
            pd.read_sql_query(
                f"SELECT {columns}, r.rid AS _rid FROM dedupe_studies s "
                f"JOIN records r ON r.record_id = s.study_id WHERE s.study_id IN ({marks})",
                project.conn,
                params=chunk,
            )
        )
    if not frames:
        frames.append(pd.read_sql_query(f"SELECT {columns} {_IN_ARRIVAL_ORDER} LIMIT 0",
                                        project.conn))  # fmt: skip
    frame = pd.concat(frames, ignore_index=True)
    if "_rid" in frame:
        frame = frame.sort_values("_rid", kind="stable").drop(columns="_rid")
    return _group_frame(frame.reset_index(drop=True))


def _group_frame(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("record_ids", "databases", "authors", "keywords"):
        frame[column] = _json_lists(frame[column].tolist())
    frame["authors"] = ["; ".join(a) for a in frame["authors"]]
    frame["year"] = frame["year"].astype("Int64")
    return frame[list(GROUP_COLUMNS)]


def _family(authors: list[str]) -> str:
    """The first author's family name as written ("Smith" from "Smith, John")."""
    if not authors:
        return ""
    first = authors[0]
    if "," in first:
        return first.split(",", 1)[0].strip()
    key = _first_author_key([first])
    for word in first.replace(".", " ").split():
        if word.lower() in key.split():
            return word
    return first.split()[0] if first.split() else ""


def count_studies(project: Project) -> int:
    """How many studies the stored groups make (refreshes first)."""
    refresh(project)
    return int(project.conn.execute("SELECT COUNT(*) FROM dedupe_studies").fetchone()[0])


def prisma_counts(project: Project) -> dict[str, Any]:
    """The identification part of a PRISMA flow diagram.

    ``records_identified`` (all records), ``by_database`` (records per database label),
    ``duplicates_removed`` (records minus publications), ``reports`` (publications: the
    groups), ``studies`` (publications folded by "other report" links,
    `lib.project.reports`), ``to_review`` (possible duplicates not yet decided),
    ``decisions`` (active decisions).
    """
    from lib.project.reports import study_count

    refresh(project)
    conn = project.conn
    by_db = Counter(
        dict(conn.execute("SELECT source_db, COUNT(*) FROM records GROUP BY source_db").fetchall())
    )
    total = sum(by_db.values())
    reports, studies = study_count(project)
    made = conn.execute("SELECT COUNT(*) FROM dedupe_decisions WHERE undone_at IS NULL").fetchone()[
        0
    ]
    return {
        "records_identified": total,
        "by_database": dict(sorted(by_db.items())),
        "duplicates_removed": total - reports,
        "reports": reports,
        "studies": studies,
        "to_review": len(_queue_rows(project)),
        "decisions": made,
    }
