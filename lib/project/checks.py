"""A reviewer's checks of the automatic codes: confirmations, corrections, agreement.

The Check codes page takes a reviewer through the least sure studies first. For each
facet the reviewer either confirms the automatic code or corrects it. Both are checks,
kept in ``code_checks`` (one row each, never deleted; undoing marks it undone):

- a confirmation stores the automatic codes the reviewer saw; it does not pin them (a
  later codebook edit may change the automatic code, and `facet_checks` then says the
  confirmation was of another value);
- a correction is also a reviewer's override (`lib.project.coding.write_override`,
  written in the same transaction), so it wins over the automatic code whatever later
  codebook edits do.

When every checked facet of a study is decided (`finish_study`), the study is marked as
checked (``study_checks``, as the Study page's toggle does) and leaves the queue. The
agreement of the coder with the reviewer's recent checks (`agreement`) is read from the
same rows: a confirmation agrees, a correction disagrees.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lib.coding import FACETS
from lib.project import coding
from lib.project.store import Project, now

__all__ = [
    "CHECK_FACETS",
    "Agreement",
    "Check",
    "Progress",
    "agreement",
    "confirm",
    "correct",
    "facet_checks",
    "finish_study",
    "next_study",
    "overridden",
    "progress",
    "status_text",
    "undo_last",
]

# The facets the Check codes page asks about: those the evidence map and filters use most.
CHECK_FACETS: tuple[str, ...] = ("method", "population", "direction")
CONFIRMED, CORRECTED = "confirmed", "corrected"


@dataclass(frozen=True, slots=True)
class Check:
    """One check of one facet of one study."""

    check_id: int
    study_id: str
    facet: str
    verdict: str  # "confirmed" or "corrected"
    auto: tuple[str, ...]  # the automatic codes the reviewer saw
    codes: tuple[str, ...]  # the codes the reviewer settled on
    confidence: float | None
    override_id: int | None
    made_at: str


_COLUMNS = "check_id, study_id, facet, verdict, auto, codes, confidence, override_id, made_at"


def _check(row: Sequence[Any]) -> Check:
    cid, sid, facet, verdict, auto, codes, confidence, oid, made = row
    return Check(
        int(cid), sid, facet, verdict, tuple(json.loads(auto)), tuple(json.loads(codes)),
        confidence, oid, made,
    )  # fmt: skip


def _auto(project: Project, study_id: str, facet: str) -> tuple[list[str], float | None]:
    row = project.conn.execute(
        "SELECT codes, confidence FROM auto_codes WHERE study_id = ? AND facet = ?",
        (study_id, facet),
    ).fetchone()
    if row is None:
        raise ValueError(f"study {study_id} has no automatic {facet} code (is it in the project?)")
    return json.loads(row[0]), row[1]


def _insert(
    project: Project,
    conn: sqlite3.Connection,
    study_id: str,
    facet: str,
    verdict: str,
    auto: list[str],
    codes: list[str],
    confidence: float | None,
    override_id: int | None,
) -> int:
    # the reviewer's newest word on a facet replaces an earlier one (kept, as undone), so
    # agreement counts each study's facet once
    conn.execute(
        "UPDATE code_checks SET undone_at = ? WHERE study_id = ? AND facet = ? "
        "AND undone_at IS NULL",
        (now(), study_id, facet),
    )
    cur = conn.execute(
        f"INSERT INTO code_checks ({_COLUMNS.split(', ', 1)[1]}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            study_id,
            facet,
            verdict,
            json.dumps(auto, ensure_ascii=False),
            json.dumps(codes, ensure_ascii=False),
            confidence,
            override_id,
            now(),
        ),
    )
    check_id = int(cur.lastrowid or 0)
    project.log(
        conn, "code_check", check_id=check_id, study_id=study_id, facet=facet, verdict=verdict,
        auto=auto, codes=codes,
    )  # fmt: skip
    return check_id


def confirm(project: Project, study_id: str, facet: str) -> int:
    """The reviewer says the automatic code of ``facet`` is right; returns the check's id."""
    name = facet.replace("_", "-")
    if name not in FACETS:
        raise ValueError(f"unknown facet {facet!r}; facets are {', '.join(FACETS)}")
    if name in overridden(project, study_id):
        raise ValueError(f"{name} of study {study_id} was set by hand: undo that to confirm")
    auto, confidence = _auto(project, study_id, name)
    with project.transaction() as conn:
        return _insert(project, conn, study_id, name, CONFIRMED, auto, auto, confidence, None)


def correct(
    project: Project, study_id: str, facet: str, values: Sequence[str] | str, note: str = ""
) -> int:
    """The reviewer's codes for ``facet``: an override and a check, in one transaction.

    Codes equal to the automatic ones count as a confirmation (no override is written).
    Raises ValueError for an unknown facet or code, or a wrong number of codes.
    """
    name, cleaned = coding.check_values(project, facet, values)
    auto, confidence = _auto(project, study_id, name)
    with project.transaction() as conn:
        if cleaned == auto:
            return _insert(project, conn, study_id, name, CONFIRMED, auto, auto, confidence, None)
        note = note or "corrected in Check codes"
        override = coding.write_override(project, conn, study_id, name, cleaned, note)
        return _insert(
            project, conn, study_id, name, CORRECTED, auto, cleaned, confidence, override
        )


def facet_checks(project: Project, study_id: str) -> dict[str, Check]:
    """facet -> the newest check in force of that facet of a study."""
    rows = project.conn.execute(
        f"SELECT {_COLUMNS} FROM code_checks WHERE study_id = ? AND undone_at IS NULL "
        "ORDER BY check_id",
        (study_id,),
    ).fetchall()
    return {row[2]: _check(row) for row in rows}


def status_text(project: Project, study_id: str, facet: str, set_by_hand: bool) -> str:
    """How a facet's value in force came about, for the Study page's caption."""
    if set_by_hand:
        return "set by you"
    name = facet.replace("_", "-")
    found = facet_checks(project, study_id).get(name)
    if found is None or found.verdict != CONFIRMED:
        return "automatic"
    auto, _ = _auto(project, study_id, name)
    when = found.made_at[:10]
    if list(found.codes) == auto:
        return f"automatic, confirmed by you ({when})"
    return f"automatic; you confirmed {', '.join(found.codes) or 'none'} ({when}) before it changed"


def overridden(project: Project, study_id: str) -> set[str]:
    """The facets of a study whose value a reviewer set by hand (an override in force)."""
    rows = project.conn.execute(
        "SELECT DISTINCT facet FROM code_overrides WHERE study_id = ? AND undone_at IS NULL",
        (study_id,),
    )
    return {f for (f,) in rows}


def finish_study(
    project: Project, study_id: str, facets: Iterable[str] = CHECK_FACETS
) -> list[int]:
    """Confirm every facet of ``facets`` not yet checked (nor set by hand elsewhere), and
    mark the study as checked.

    The "confirm the rest, next study" step: one transaction. Returns the new checks' ids.
    """
    names = [f.replace("_", "-") for f in facets]
    done = set(facet_checks(project, study_id)) | overridden(project, study_id)
    todo = [(f, *_auto(project, study_id, f)) for f in names if f not in done]
    with project.transaction() as conn:
        made = [
            _insert(project, conn, study_id, f, CONFIRMED, auto, auto, confidence, None)
            for f, auto, confidence in todo
        ]
        conn.execute(
            "INSERT INTO study_checks (study_id, checked, changed_at) VALUES (?, 1, ?) "
            "ON CONFLICT (study_id) DO UPDATE SET checked = 1, changed_at = excluded.changed_at",
            (study_id, now()),
        )
        project.log(conn, "study_checked", study_id=study_id, checked=True, previous=False)
    return made


def undo_last(project: Project, study_id: str | None = None) -> str | None:
    """Take back the newest check in force (of one study, or of the project).

    A correction's override is undone with it (if it is still the one in force), and
    the study is no longer marked as checked, so it comes back to the queue. Returns
    the study id, or None when there is nothing to take back.
    """
    sql = f"SELECT {_COLUMNS} FROM code_checks WHERE undone_at IS NULL"
    args: tuple[str, ...] = ()
    if study_id is not None:
        sql += " AND study_id = ?"
        args = (study_id,)
    row = project.conn.execute(sql + " ORDER BY check_id DESC LIMIT 1", args).fetchone()
    if row is None:
        return None
    check = _check(row)
    if check.override_id is not None:
        in_force = project.conn.execute(
            "SELECT override_id FROM code_overrides WHERE study_id = ? AND facet = ? "
            "AND undone_at IS NULL ORDER BY override_id DESC LIMIT 1",
            (check.study_id, check.facet),
        ).fetchone()
        if in_force and in_force[0] == check.override_id:
            coding.undo_override(project, check.study_id, check.facet)
    with project.transaction() as conn:
        conn.execute(
            "UPDATE code_checks SET undone_at = ? WHERE check_id = ?", (now(), check.check_id)
        )
        conn.execute(
            "UPDATE study_checks SET checked = 0, changed_at = ? WHERE study_id = ?",
            (now(), check.study_id),
        )
        project.log(conn, "code_check_undo", check_id=check.check_id, study_id=check.study_id)
    return check.study_id


def next_study(
    project: Project,
    within: Collection[str] | None = None,
    skip: Collection[str] = (),
    facets: Sequence[str] = CHECK_FACETS,
) -> tuple[str, str, float | None] | None:
    """The study to check next: (study id, its least sure facet, confidence), or None.

    Unchecked studies of ``within`` (a scope; None: all), least sure first
    (`lib.project.coding.least_confident`), leaving out those in ``skip``. A study with
    some facets checked but not finished comes first (the one being checked, also after
    a reload: a correction takes the facet out of the confidence order).
    """
    started = project.conn.execute(
        "SELECT c.study_id, c.facet, c.confidence FROM code_checks c "
        "LEFT JOIN study_checks s ON s.study_id = c.study_id "
        "WHERE c.undone_at IS NULL AND COALESCE(s.checked, 0) = 0 ORDER BY c.check_id DESC"
    ).fetchall()
    for sid, facet, confidence in started:  # a study half checked is finished first
        if (within is None or sid in within) and sid not in skip:
            return sid, facet, confidence
    found = coding.least_confident(project, facets, limit=1, within=within, skip=skip)
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class Progress:
    checked: int  # studies marked as checked
    total: int  # studies (of the scope)


def progress(project: Project, within: Collection[str] | None = None) -> Progress:
    """How many of the studies (of ``within``) are marked as checked.

    The studies are those of the last deduplication (`lib.project.duplicates`), which
    the coder codes: counted without reading them (a distinct count of the coded studies
    took 0.2-0.45 s at 50k studies, on every decision).
    """
    if within is None:
        (total,) = project.conn.execute("SELECT COUNT(*) FROM dedupe_studies").fetchone()
        (done,) = project.conn.execute(
            "SELECT COUNT(*) FROM study_checks c WHERE c.checked AND EXISTS "
            "(SELECT 1 FROM dedupe_studies s WHERE s.study_id = c.study_id)"
        ).fetchone()
        return Progress(int(done), int(total))
    wanted = within if isinstance(within, set | frozenset) else set(within)
    rows = project.conn.execute("SELECT study_id FROM study_checks WHERE checked")
    return Progress(sum(1 for (s,) in rows if s in wanted), len(wanted))


@dataclass(frozen=True, slots=True)
class Agreement:
    """How often a facet's automatic code agreed with the reviewer's recent checks."""

    facet: str
    checks: int
    agreed: int

    @property
    def rate(self) -> float | None:
        return self.agreed / self.checks if self.checks else None


def agreement(
    project: Project, facets: Sequence[str] = CHECK_FACETS, last: int = 50
) -> list[Agreement]:
    """Per facet, of the reviewer's ``last`` checks in force: how many confirmed the code."""
    out = []
    for facet in facets:
        name = facet.replace("_", "-")
        rows = project.conn.execute(
            "SELECT verdict FROM code_checks WHERE facet = ? AND undone_at IS NULL "
            "ORDER BY check_id DESC LIMIT ?",
            (name, last),
        ).fetchall()
        out.append(Agreement(name, len(rows), sum(1 for (v,) in rows if v == CONFIRMED)))
    return out
