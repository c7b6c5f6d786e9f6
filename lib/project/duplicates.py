"""Deduplication inside a project file: groups, the review queue and a person's decisions.

The engine (`lib.dedupe.deduplicate`) is pure; this module runs it over a project's
records with the decisions stored in the project, and stores what it found. Decisions are
the durable part: groups, pairs and links are recomputed from records + decisions
whenever either changes, so a new import is deduplicated against the existing groups and
no decided pair is ever asked again. Every write is one transaction and one log event.

Typical use (the app's duplicates page)::

    duplicates.refresh(project)                  # after an import (cheap when up to date)
    for item in duplicates.review_queue(project):
        ...show item.a, item.b, item.reason...
        duplicates.decide(project, "same", [item.a.record_id, item.b.record_id])
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
from lib.dedupe.merge import merge_group
from lib.model import Record
from lib.project.store import Project, ProjectError, now

__all__ = [
    "GROUP_COLUMNS",
    "ReviewItem",
    "decide",
    "decide_many",
    "decisions",
    "groups",
    "is_stale",
    "links",
    "members",
    "prisma_counts",
    "refresh",
    "review_queue",
    "run",
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
def _state(conn: sqlite3.Connection) -> str:
    """What the stored groups were computed from: records and active decisions."""
    records = conn.execute("SELECT COUNT(*), COALESCE(MAX(rid), 0) FROM records").fetchone()
    made = conn.execute(
        "SELECT COUNT(*), COALESCE(MAX(decision_id), 0), COUNT(undone_at) FROM dedupe_decisions"
    ).fetchone()
    return f"{records[0]}:{records[1]}:{made[0]}:{made[1]}:{made[2]}"


def is_stale(project: Project) -> bool:
    """True when records or decisions changed since the groups were stored."""
    return project.meta("dedupe_state") != _state(project.conn)


def _active_decisions(conn: sqlite3.Connection) -> list[Decision]:
    rows = conn.execute(
        "SELECT decision_id, kind, record_ids, against, note FROM dedupe_decisions "
        "WHERE undone_at IS NULL ORDER BY decision_id"
    ).fetchall()
    return [
        Decision(kind, tuple(json.loads(ids)), tuple(json.loads(against)), did, note)
        for did, kind, ids, against, note in rows
    ]


def _store(project: Project, conn: sqlite3.Connection, result: DedupeResult) -> None:
    conn.execute("DELETE FROM dedupe_groups")
    conn.execute("DELETE FROM dedupe_pairs")
    conn.execute("DELETE FROM dedupe_links")
    joined = result.joined_by
    conn.executemany(
        "INSERT INTO dedupe_groups (record_id, cluster_id, matched_with, score, reason) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            (
                rid,
                cid,
                joined[rid][0] if rid in joined else "",
                joined[rid][1] if rid in joined else None,
                joined[rid][2] if rid in joined else "",
            )
            for rid, cid in result.cluster_of.items()
        ),
    )
    kept = [*result.pairs.with_decision("duplicate"), *result.possible()]
    conn.executemany(
        "INSERT OR REPLACE INTO dedupe_pairs (a, b, decision, score, reason) "
        "VALUES (?, ?, ?, ?, ?)",
        ((p.a, p.b, p.decision, p.score, p.reason) for p in kept),
    )
    conn.executemany(
        "INSERT OR REPLACE INTO dedupe_links (a, b, kind, reason, decision_id) "
        "VALUES (?, ?, ?, ?, ?)",
        ((link.a, link.b, link.kind, link.reason, link.decision_id) for link in result.links),
    )
    _store_studies(conn, result)
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('dedupe_state', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_state(conn),),
    )


# Bump when `lib.dedupe.merge` changes what a merged record holds: stored studies are
# then merged again on the next run.
MERGE_VERSION = "1"

# The stored columns: the studies table's (keywords last, as the rows below are written).
_STUDY_COLUMNS = GROUP_COLUMNS


def _store_studies(conn: sqlite3.Connection, result: DedupeResult) -> None:
    """One merged record per group; only groups whose members changed are merged again
    (merging every group took 8 s of a 50k-study project's 10 s studies table)."""
    members: dict[str, list[Record]] = defaultdict(list)
    for rec in result.records:  # arrival order
        members[result.cluster_of[rec.record_id]].append(rec)
    merged_by = conn.execute("SELECT value FROM meta WHERE key = 'merge_version'").fetchone()
    if merged_by is None or merged_by[0] != MERGE_VERSION:  # merged by other rules: redo all
        conn.execute("DELETE FROM dedupe_studies")
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('merge_version', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (MERGE_VERSION,),
        )
    kept = dict(conn.execute("SELECT study_id, record_ids FROM dedupe_studies"))
    wanted = {sid: json.dumps([r.record_id for r in recs]) for sid, recs in members.items()}
    gone = [(sid,) for sid, ids in kept.items() if wanted.get(sid) != ids]
    conn.executemany("DELETE FROM dedupe_studies WHERE study_id = ?", gone)
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


# Studies in the order their first records arrived (the study id is that record's id).
_IN_ARRIVAL_ORDER = (
    "FROM dedupe_studies s JOIN records r ON r.record_id = s.study_id ORDER BY r.rid"
)


def _json_lists(texts: list[str]) -> list[list[str]]:
    """Many JSON arrays parsed in one call (50k separate `json.loads` cost seconds)."""
    return json.loads("[" + ",".join(texts) + "]") if texts else []


def study_records(project: Project) -> dict[str, Record]:
    """study id -> its merged record (title, authors, locators, abstract, keywords...),
    from the stored groups (refreshes first)."""
    refresh(project)
    rows = project.conn.execute(
        "SELECT s.study_id, s.title, s.authors, s.year, s.journal, s.volume, s.issue, s.pages, "
        f"s.doi, s.abstract, s.keywords, s.entrytype {_IN_ARRIVAL_ORDER}"
    ).fetchall()
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


def _run_in(project: Project, conn: sqlite3.Connection) -> DedupeResult:
    result = deduplicate(project.records(), _active_decisions(conn))
    _store(project, conn, result)
    return result


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
        result = _run_in(project, conn)
        project.log(conn, "dedupe", **_summary(result))
    return result


def refresh(project: Project) -> bool:
    """Run deduplication if records or decisions changed since the last run.

    Returns True when it ran. Cheap otherwise: call it before reading groups.
    """
    if not is_stale(project):
        return False
    run(project)
    return True


# -- decisions ------------------------------------------------------------------------------
def decide(project: Project, kind: str, record_ids: Sequence[str], note: str = "") -> int:
    """Record a person's decision and regroup at once; returns the decision id.

    ``kind``: "same" (one publication), "different" (not one publication), "other-report"
    (same study, another report: linked, not merged) or "split" (these records leave their
    group and form their own). Raises `ValueError` for an unknown kind or record id.
    """
    return decide_many(project, [(kind, record_ids, note)])[0]


def decide_many(project: Project, items: Sequence[tuple[str, Sequence[str], str]]) -> list[int]:
    """Record several decisions ``(kind, record_ids, note)`` together, then regroup once.

    All are checked before any is stored, and stored in one transaction: a bulk accept
    of 50 pairs costs one regrouping, not 50. Returns the decision ids, in order.
    """
    checked: list[tuple[str, list[str], str]] = []
    for kind, record_ids, note in items:
        ids = list(dict.fromkeys(str(r) for r in record_ids))
        if kind not in DECISION_KINDS:
            raise ValueError(f"unknown decision {kind!r}; use one of: {', '.join(DECISION_KINDS)}")
        if len(ids) < (1 if kind == "split" else 2):
            raise ValueError(f"a {kind!r} decision needs at least {1 if kind == 'split' else 2} "
                             "different records")  # fmt: skip
        checked.append((kind, ids, note))
    if not checked:
        return []
    if any(kind == "split" for kind, _, _ in checked):
        refresh(project)  # the groups to split from must be current
    made: list[int] = []
    with project.transaction() as conn:
        wanted = sorted({r for _, ids, _ in checked for r in ids})
        known = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT record_id FROM records WHERE record_id IN ({marks})"
            known |= {r for (r,) in conn.execute(sql, chunk)}
        unknown = [r for r in wanted if r not in known]
        if unknown:
            raise ValueError(f"no such record in the project: {', '.join(unknown)}")
        for kind, ids, note in checked:
            against: list[str] = []
            if kind == "split":
                against = _rest_of_groups(conn, ids)
                if not against:
                    raise ValueError("nothing to split: these records are a group of their own")
            cur = conn.execute(
                "INSERT INTO dedupe_decisions (kind, record_ids, against, note, made_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (kind, json.dumps(ids), json.dumps(against), note, now()),
            )
            decision_id = int(cur.lastrowid or 0)
            made.append(decision_id)
            project.log(
                conn,
                "dedupe_decision",
                decision_id=decision_id,
                kind=kind,
                record_ids=ids,
                note=note,
            )
    run(project)  # regroup; a crash before it leaves the groups stale, and refresh redoes it
    return made


def _rest_of_groups(conn: sqlite3.Connection, ids: list[str]) -> list[str]:
    marks = ", ".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT record_id FROM dedupe_groups WHERE cluster_id IN "
        f"(SELECT cluster_id FROM dedupe_groups WHERE record_id IN ({marks})) ORDER BY rowid",
        ids,
    ).fetchall()
    inside = set(ids)
    return [r for (r,) in rows if r not in inside]


def undo(project: Project, decision_id: int) -> None:
    """Take back a decision (it stays in the log) and regroup at once."""
    with project.transaction() as conn:
        row = conn.execute(
            "SELECT kind, undone_at FROM dedupe_decisions WHERE decision_id = ?", (decision_id,)
        ).fetchone()
        if row is None:
            raise ProjectError(f"no deduplication decision {decision_id} in {project.path}")
        if row[1] is not None:
            raise ProjectError(f"decision {decision_id} was already undone at {row[1][:16]}")
        conn.execute(
            "UPDATE dedupe_decisions SET undone_at = ? WHERE decision_id = ?", (now(), decision_id)
        )
        project.log(conn, "dedupe_undo", decision_id=decision_id, kind=row[0])
    run(project)


def decisions(project: Project, *, include_undone: bool = False) -> list[dict[str, Any]]:
    """The decisions, oldest first: decision_id, kind, record_ids, against, note, made_at,
    undone_at."""
    sql = (
        "SELECT decision_id, kind, record_ids, against, note, made_at, undone_at "
        "FROM dedupe_decisions"
    )
    if not include_undone:
        sql += " WHERE undone_at IS NULL"
    out = []
    for did, kind, ids, against, note, made_at, undone_at in project.conn.execute(
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
            }
        )
    return out


# -- reading --------------------------------------------------------------------------------
def review_queue(project: Project) -> list[ReviewItem]:
    """Possible duplicates not yet decided, most likely first, one per two groups."""
    refresh(project)
    by_id = {r.record_id: r for r in project.records()}
    group = members_of(project)
    rows = project.conn.execute(
        "SELECT a, b, score, reason FROM dedupe_pairs WHERE decision = 'possible' "
        "ORDER BY score DESC, a, b"
    ).fetchall()
    out = []
    for a, b, score, reason in rows:
        if a in by_id and b in by_id and group.get(a) != group.get(b):
            out.append(ReviewItem(by_id[a], by_id[b], score, reason, group[a], group[b]))
    return out


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


def links(project: Project) -> list[Link]:
    """ "Other report" links, a person's and the automatic ones (refreshes first)."""
    refresh(project)
    return [
        Link(a, b, kind, reason, did)
        for a, b, kind, reason, did in project.conn.execute(
            "SELECT a, b, kind, reason, decision_id FROM dedupe_links ORDER BY a, b"
        )
    ]


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
    return {
        "records_identified": total,
        "by_database": dict(sorted(by_db.items())),
        "duplicates_removed": total - reports,
        "reports": reports,
        "studies": studies,
        "to_review": len(review_queue(project)),
        "decisions": len(decisions(project)),
    }
