"""Which study each record belongs to now: the one lookup screening resolves decisions by.

A screening decision stores the record ids of the study it was made on, never the
study id alone: studies are regrouped whenever records arrive or duplicate decisions
change, and a decision must follow its records. Everything in `lib.screening` asks this
module, and only this module, which study a record is in: its publication group
(`lib.project.duplicates.members_of`), folded into the main report's study when "other
report" links join several groups (`lib.project.reports.folding`), so a decision made on a
conference abstract belongs to the study whichever of its reports survive, and its id is
the study id of the studies table (`lib.views.studies`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lib.project import Project, duplicates, reports

__all__ = ["StudyMap", "study_map"]


@dataclass(frozen=True, slots=True)
class StudyMap:
    """The studies of a project and their records, at one state of its groups."""

    study_of: dict[str, str]  # record id -> study id
    order: list[str]  # study ids, in the order their first records arrived
    members: dict[str, list[str]] = field(repr=False)  # study id -> record ids, arrival order
    key: str = ""  # the groups' state it was read at
    position: dict[str, int] = field(default_factory=dict, repr=False)  # study -> its index

    def __post_init__(self) -> None:
        if not self.position and self.order:
            self.position.update((s, i) for i, s in enumerate(self.order))

    def study(self, record_id: str) -> str:
        """The study of a record (a record not grouped yet is a study of its own)."""
        return self.study_of.get(record_id, record_id)

    def __len__(self) -> int:
        return len(self.order)


def _record_to_study(project: Project) -> dict[str, str]:
    """record id -> study id. The single place to change what "one study" means.

    The groups are read whole, the links only for the groups they touch (few), so this
    costs what reading the groups costs. Links change only with the groups (a matcher's
    link at regrouping, a reviewer's as a duplicate decision), so the map's key, the
    groups' state, covers them too.
    """
    group_of = duplicates.members_of(project)
    folded = reports.folding(project)
    if not folded:
        return group_of
    return {record: folded.get(group, group) for record, group in group_of.items()}


_MEMO: dict[str, StudyMap] = {}  # path -> the last map read (one per project file)


def study_map(project: Project) -> StudyMap:
    """The project's studies, read once per state of its groups (about 60 ms at 50k
    records, so it is kept until the groups change). Does not regroup: callers in the app
    run after `lib.pipeline.refresh`."""
    conn = project.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one snapshot: the state key and the groups it describes
    try:
        key = project.meta("dedupe_state") or ""
        memo = _MEMO.get(str(project.path))
        if memo is not None and memo.key == key and key:
            return memo
        study_of = _record_to_study(project)
        arrival = [r for (r,) in conn.execute("SELECT record_id FROM records ORDER BY rid")]
    finally:
        if own:
            conn.execute("COMMIT")
    members: dict[str, list[str]] = {}
    for record_id in arrival:
        members.setdefault(study_of.get(record_id, record_id), []).append(record_id)
    full = {r: study_of.get(r, r) for r in arrival}
    made = StudyMap(full, list(members), members, key)
    _MEMO[str(project.path)] = made
    return made
