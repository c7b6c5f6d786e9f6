"""Screening decisions: include, exclude (with a reason) or maybe, at two stages, with undo.

Every decision is one row of ``screen_decisions``, written at once in its own transaction
with a log event; undoing one marks it undone and the row stays as history. A decision
stores the records of the study it was made on, and `resolve` turns the stored decisions
into the current verdict of each current study (`lib.screening.studies` says which study a
record is in), so decisions stay attached whatever regrouping happens later:

- A later decision **supersedes** an earlier one on the same study and stage when it
  covers every record of that study the earlier one covered (deciding a study again).
- When a regrouping **merges** studies that carry different decisions (none of them
  covering the others' records), no decision is dropped or chosen silently: the merged
  study's verdict is ``conflict``, it lists the decisions, and the Screen page puts it
  first to be decided again (which supersedes them all). Decisions with the same verdict
  simply hold (the newest one's reason and note are in force; all stay in the history).
- When a regrouping **splits** a study, each part keeps the decision made on the whole.
- **Undo** removes a decision from the resolution, so the one before it is in force again.

Reasons for exclusion come from a list the reviewer edits (`reasons`, `set_reasons`),
kept in the project. A reason is optional at title/abstract (Rayyan and ASReview do not
ask for one there) and required for an exclusion at full text, which PRISMA 2020 reports
per reason.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lib.project import Project, ProjectError
from lib.project.store import now
from lib.screening.studies import StudyMap, study_map

__all__ = [
    "CONFLICT",
    "DEFAULT_REASONS",
    "ORIGINS",
    "STAGES",
    "VERDICTS",
    "Decision",
    "Resolver",
    "Status",
    "decide",
    "decide_many",
    "history",
    "last_decision",
    "load",
    "reasons",
    "resolve",
    "set_reasons",
    "undo",
]

TITLE_ABSTRACT = "title-abstract"
FULL_TEXT = "full-text"
STAGES = (TITLE_ABSTRACT, FULL_TEXT)
VERDICTS = ("include", "exclude", "maybe")
CONFLICT = "conflict"
ORIGINS = ("ranked", "random", "import-order", "chosen", "import")
DEFAULT_REASONS = (
    "Wrong population",
    "Wrong intervention or exposure",
    "Wrong setting",
    "Wrong study design",
    "Wrong outcome",
    "Not research (commentary, editorial, news)",
    "Not in a language we read",
    "Full text not available",
)
_REASONS_KEY = "screen_reasons"


@dataclass(frozen=True, slots=True)
class Decision:
    """One stored decision (see the module docstring)."""

    decision_id: int
    stage: str
    verdict: str
    reason: str
    note: str
    record_ids: tuple[str, ...]
    study_id: str
    origin: str
    made_at: str
    undone_at: str | None = None


@dataclass(frozen=True, slots=True)
class Status:
    """A study's verdict at one stage, from the decisions in force on it.

    ``verdict`` is one of `VERDICTS` or `CONFLICT`; ``decisions`` are the ones in force,
    oldest first (several only when they were made on studies since merged).
    """

    verdict: str
    reason: str
    note: str
    decisions: tuple[Decision, ...] = field(repr=False)

    @property
    def latest(self) -> Decision:
        return self.decisions[-1]


# -- writing --------------------------------------------------------------------------------
def _check(stage: str, verdict: str, reason: str) -> None:
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; use one of: {', '.join(STAGES)}")
    if verdict not in VERDICTS:
        raise ValueError(f"unknown decision {verdict!r}; use one of: {', '.join(VERDICTS)}")
    if stage == FULL_TEXT and verdict == "exclude" and not reason.strip():
        raise ValueError("an exclusion at full text needs a reason (PRISMA reports them)")


def decide(
    project: Project,
    study_id: str,
    verdict: str,
    *,
    stage: str = TITLE_ABSTRACT,
    reason: str = "",
    note: str = "",
    origin: str = "chosen",
    studies: StudyMap | None = None,
) -> int:
    """Record a decision on a study (its current records) at once; returns its id.

    Raises `ValueError` for an unknown study, stage or verdict, or a full-text exclusion
    without a reason.
    """
    return decide_many(
        project,
        [(study_id, verdict, reason, note)],
        stage=stage,
        origin=origin,
        studies=studies,
    )[0]


def decide_many(
    project: Project,
    items: Sequence[tuple[str, str, str, str]],
    *,
    stage: str = TITLE_ABSTRACT,
    origin: str = "chosen",
    studies: StudyMap | None = None,
    log_detail: Mapping[str, Any] | None = None,
) -> list[int]:
    """Record several decisions ``(study_id, verdict, reason, note)`` in one transaction.

    All are checked before any is stored. An import of earlier decisions uses this, so a
    file is stored whole or not at all.
    """
    studies = studies or study_map(project)
    rows = []
    for study_id, verdict, reason, note in items:
        _check(stage, verdict, reason)
        # a study's id is its first record's id: if a regrouping since the page was drawn
        # merged it into another study, the decision goes to the study it is part of now
        study_id = study_id if study_id in studies.members else studies.study(study_id)
        records = studies.members.get(study_id)
        if not records:
            raise ValueError(f"no such study in the project: {study_id}")
        rows.append((study_id, verdict, reason.strip(), note.strip(), records))
    if origin not in ORIGINS:
        raise ValueError(f"unknown origin {origin!r}; use one of: {', '.join(ORIGINS)}")
    made: list[int] = []
    with project.transaction() as conn:
        for study_id, verdict, reason, note, records in rows:
            cur = conn.execute(
                "INSERT INTO screen_decisions (stage, verdict, reason, note, record_ids, "
                "study_id, origin, made_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (stage, verdict, reason, note, json.dumps(records), study_id, origin, now()),
            )
            made.append(int(cur.lastrowid or 0))
        if len(rows) == 1 and log_detail is None:
            study_id, verdict, reason, note, _ = rows[0]
            project.log(
                conn,
                "screen_decision",
                decision_id=made[0],
                study_id=study_id,
                stage=stage,
                verdict=verdict,
                reason=reason,
                origin=origin,
            )
        elif rows:
            project.log(
                conn,
                "screen_decisions",
                first=made[0],
                last=made[-1],
                stage=stage,
                origin=origin,
                decisions=len(rows),
                **dict(log_detail or {}),
            )
    return made


def undo(project: Project, decision_id: int) -> Decision:
    """Take back a decision (it stays as history); the one before it is in force again."""
    with project.transaction() as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM screen_decisions WHERE decision_id = ?", (decision_id,)
        ).fetchone()
        if row is None:
            raise ProjectError(f"no screening decision {decision_id} in {project.path}")
        if row[-1] is not None:
            raise ProjectError(f"decision {decision_id} was already undone at {row[-1][:16]}")
        conn.execute(
            "UPDATE screen_decisions SET undone_at = ? WHERE decision_id = ?",
            (now(), decision_id),
        )
        project.log(conn, "screen_undo", decision_id=decision_id, study_id=row[6])
    return _decisions([row])[0]


# -- reading --------------------------------------------------------------------------------
_COLUMNS = (
    "decision_id, stage, verdict, reason, note, record_ids, study_id, origin, made_at, undone_at"
)


def _decisions(rows: Sequence[tuple[Any, ...]]) -> list[Decision]:
    # one json.loads for every row: 50k separate calls cost a tenth of a second
    ids = json.loads("[" + ",".join(r[5] for r in rows) + "]") if rows else []
    return [
        Decision(r[0], r[1], r[2], r[3], r[4], tuple(ids[i]), r[6], r[7], r[8], r[9])
        for i, r in enumerate(rows)
    ]


def load(
    project: Project | sqlite3.Connection, *, include_undone: bool = False, after: int = 0
) -> list[Decision]:
    """The stored decisions, oldest first (by default only those not undone; ``after``:
    only those with a larger id)."""
    conn = project.conn if isinstance(project, Project) else project
    where = " WHERE decision_id > ?" + ("" if include_undone else " AND undone_at IS NULL")
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM screen_decisions{where} ORDER BY decision_id", (after,)
    ).fetchall()
    return _decisions(rows)


def last_decision(project: Project, *, stage: str | None = None) -> Decision | None:
    """The newest decision not undone (at one stage, if given)."""
    sql = f"SELECT {_COLUMNS} FROM screen_decisions WHERE undone_at IS NULL"
    args: tuple[str, ...] = ()
    if stage:
        sql += " AND stage = ?"
        args = (stage,)
    row = project.conn.execute(sql + " ORDER BY decision_id DESC LIMIT 1", args).fetchone()
    return _decisions([row])[0] if row else None


def history(project: Project, study_id: str, studies: StudyMap | None = None) -> list[Decision]:
    """Every decision touching the study's records, undone ones included, oldest first."""
    studies = studies or study_map(project)
    mine = studies.members.get(study_id, [study_id])
    # the ids as they stand in the JSON arrays: a text search, then checked exactly
    quoted = [json.dumps(r) for r in mine]
    where = " OR ".join("instr(record_ids, ?) > 0" for _ in quoted)
    rows = project.conn.execute(
        f"SELECT {_COLUMNS} FROM screen_decisions WHERE {where} ORDER BY decision_id", quoted
    ).fetchall()
    return [d for d in _decisions(rows) if set(mine).intersection(d.record_ids)]


class Resolver:
    """Decisions applied one by one, oldest first, keeping each study's status current.

    `resolve` runs it over a whole list; `lib.screening.queue.current` keeps one per
    project and applies only the decisions made since, so a decision on a 50k-study
    project costs the work of that decision, not of every earlier one. `copy` gives an
    independent snapshot (a cached state must not change under a page that holds it).
    """

    __slots__ = ("_live", "last_id", "status", "study_of")

    def __init__(self, study_of: Mapping[str, str]) -> None:
        self.study_of = study_of
        # stage -> study -> [(records of the study the decision covered, decision)]
        self._live: dict[str, dict[str, list[tuple[frozenset[str], Decision]]]] = {
            s: {} for s in STAGES
        }
        self.status: dict[str, dict[str, Status]] = {s: {} for s in STAGES}
        self.last_id = 0

    def copy(self) -> Resolver:
        other = Resolver(self.study_of)
        other._live = {s: dict(v) for s, v in self._live.items()}
        other.status = {s: dict(v) for s, v in self.status.items()}
        other.last_id = self.last_id
        return other

    def apply(self, decision: Decision) -> None:
        study_of = self.study_of
        covered: dict[str, set[str]] = {}
        for record_id in decision.record_ids:
            covered.setdefault(study_of.get(record_id, record_id), set()).add(record_id)
        live = self._live[decision.stage]
        statuses = self.status[decision.stage]
        for study, records in covered.items():
            frozen = frozenset(records)
            before = live.get(study)
            kept = [(c, d) for c, d in before if not c <= frozen] if before else []
            kept.append((frozen, decision))
            live[study] = kept
            statuses[study] = _status(kept)
        self.last_id = max(self.last_id, decision.decision_id)


def _status(entries: list[tuple[frozenset[str], Decision]]) -> Status:
    newest = entries[-1][1]
    if len(entries) == 1:
        return Status(newest.verdict, newest.reason, newest.note, (newest,))
    in_force = tuple(d for _, d in entries)
    if len({d.verdict for d in in_force}) == 1:
        return Status(newest.verdict, newest.reason, newest.note, in_force)
    return Status(CONFLICT, "", "", in_force)


def resolve(
    decisions: Iterable[Decision], study_of: Mapping[str, str]
) -> dict[str, dict[str, Status]]:
    """stage -> study id -> `Status`, from decisions (oldest first, none undone).

    ``study_of`` maps record id -> current study id; a record it does not know is a
    study of its own. See the module docstring for the rules.
    """
    resolver = Resolver(study_of)
    for decision in decisions:
        resolver.apply(decision)
    return resolver.status


# -- the reviewer's list of reasons ---------------------------------------------------------
def reasons(project: Project) -> list[str]:
    """The exclusion reasons offered, in the reviewer's order (defaults until edited)."""
    stored = project.meta(_REASONS_KEY)
    return list(json.loads(stored)) if stored else list(DEFAULT_REASONS)


def set_reasons(project: Project, wanted: Iterable[str]) -> list[str]:
    """Save the list of reasons (blank lines and repeats dropped). Decisions keep the text
    of the reason they were given, so renaming or removing one changes no decision."""
    cleaned = list(dict.fromkeys(" ".join(r.split()) for r in wanted if r.strip()))
    with project.transaction() as conn:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (_REASONS_KEY, json.dumps(cleaned, ensure_ascii=False)),
        )
        project.log(conn, "screen_reasons", reasons=cleaned)
    return cleaned
