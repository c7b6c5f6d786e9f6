"""Reports of one study: publication groups folded together by "other report" links.

Deduplication (`lib.project.duplicates`) makes *publication groups*: records that are one
publication (the same article found by Scopus and PubMed). A study can also have several
publications, its *reports*: an article and its erratum, a conference abstract and the
later article, a preprint and the published paper. Deduplication links those records
("other report of the same study", by the matcher or by a reviewer) without merging them.

Here the links fold publication groups into studies, so that every page counts a study
once. A study is the transitive closure of its links: if A is linked to B and B to C,
then A, B and C are one study.

Which report is the study's **main report** (whose merged record, codes and id the study
takes): the fullest report, by entry type,

1. a full publication: journal article, review, book, chapter, report, thesis;
2. a preprint;
3. a conference abstract or paper, a dataset, anything else;
4. a notice about a paper: erratum, editorial, letter;

and, among reports of the same rank, the one imported first. The study id is the main
report's group id (the record id of its first-imported record), so a study's codes and a
reviewer's corrections stay keyed by one id as long as its main report does not change.

`study_of` maps every record id to its study id; screening decisions and anything else
"per study" are keyed through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from lib.project.store import Project

__all__ = [
    "MAIN_RANK",
    "fold",
    "fold_groups",
    "folding",
    "link_pairs",
    "report_rank",
    "study_count",
    "study_of",
    "study_of_group",
]

# entry type -> rank as a main report (lower is fuller); unknown types rank as 2
MAIN_RANK: dict[str, int] = {
    "article": 0,
    "review": 0,
    "book": 0,
    "chapter": 0,
    "report": 0,
    "thesis": 0,
    "preprint": 1,
    "conference": 2,
    "dataset": 2,
    "misc": 2,
    "erratum": 3,
    "editorial": 3,
    "letter": 3,
}


def report_rank(entrytype: str) -> int:
    """How full a report of this entry type is (0 = a full publication; see the docstring)."""
    return MAIN_RANK.get(entrytype, 2)


class _Sets:
    """Union-find over group ids (the few that links touch)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while x != root:  # path compression
            parent[x], x = root, parent.get(x, x)
        return root

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[rb] = ra
        return True


def fold(
    group_of: Mapping[str, str],
    links: Iterable[tuple[str, str]],
    entrytype: Mapping[str, str],
    arrival: Mapping[str, int],
) -> dict[str, str]:
    """group id -> study id (its main report's group id), for the groups that links touch.

    ``group_of`` maps record ids to publication group ids; ``links`` are record id pairs;
    ``entrytype`` gives each group's (merged) entry type and ``arrival`` its position in
    arrival order. Groups no link touches are their own study and are left out, so the
    result is small on any project. Links naming an unknown record are ignored.
    """
    sets = _Sets()
    touched: set[str] = set()
    for a, b in links:
        ga, gb = group_of.get(a), group_of.get(b)
        if ga is None or gb is None or ga == gb:
            continue
        sets.union(ga, gb)
        touched.update((ga, gb))
    members: dict[str, list[str]] = {}
    for group in touched:
        members.setdefault(sets.find(group), []).append(group)
    out: dict[str, str] = {}
    for groups in members.values():
        main = min(
            groups,
            key=lambda g: (report_rank(entrytype.get(g, "")), arrival.get(g, len(arrival)), g),
        )
        for group in groups:
            out[group] = main
    return out


def link_pairs(project: Project) -> list[tuple[str, str]]:
    """The "other report" links as record id pairs: the matcher's between records in
    different groups and a reviewer's (`lib.project.duplicates.links`; no regrouping:
    call `lib.project.duplicates.refresh` first where it may be stale)."""
    from lib.project import duplicates

    return [(link.a, link.b) for link in duplicates.links(project, refresh_first=False)]


def _groups_in_order(project: Project) -> tuple[dict[str, str], dict[str, int]]:
    """record id -> group id, and group id -> arrival position, from the stored groups."""
    group_of: dict[str, str] = {}
    arrival: dict[str, int] = {}
    for rid, gid in project.conn.execute(
        "SELECT g.record_id, g.cluster_id FROM dedupe_groups g "
        "JOIN records r USING (record_id) ORDER BY r.rid"
    ):
        group_of[rid] = gid
        arrival.setdefault(gid, len(arrival))
    return group_of, arrival


def _lookup(project: Project, sql: str, keys: Sequence[str]) -> dict[str, str]:
    """``key -> value`` rows of ``sql`` (one ``IN ({marks})`` placeholder) for many keys,
    500 at a time (SQLite's limit on parameters)."""
    out: dict[str, str] = {}
    wanted = list(keys)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        out.update(project.conn.execute(sql.format(marks=", ".join("?" * len(chunk))), chunk))
    return out


def _entrytypes(project: Project, groups: Sequence[str]) -> dict[str, str]:
    """The merged entry type of some groups (those that links touch: few), read from the
    stored merged records (`lib.project.duplicates` keeps one per group): parsing the
    whole groups table for them took 2.4 s at 30k studies."""
    sql = "SELECT study_id, entrytype FROM dedupe_studies WHERE study_id IN ({marks})"
    return _lookup(project, sql, groups)


def fold_groups(project: Project, groups: pd.DataFrame) -> dict[str, str]:
    """group id -> study id for the linked groups of a groups table
    (`lib.project.duplicates.groups`, in arrival order); reads the stored links only."""
    links = link_pairs(project)
    if not links:
        return {}
    group_of = _linked_groups(project, links)
    ids = groups["study_id"].tolist()
    arrival = {gid: i for i, gid in enumerate(ids)}
    wanted = set(group_of.values())
    types = {
        gid: etype
        for gid, etype in zip(ids, groups["entrytype"].tolist(), strict=True)
        if gid in wanted
    }
    return fold(group_of, links, types, arrival)


def _mapping(project: Project) -> tuple[dict[str, str], dict[str, str]]:
    """(record id -> group id, group id -> study id) from the stored groups and links."""
    group_of, arrival = _groups_in_order(project)
    links = link_pairs(project)
    linked = {group_of[r] for pair in links for r in pair if r in group_of}
    folded = fold(group_of, links, _entrytypes(project, sorted(linked)), arrival)
    return group_of, {gid: folded.get(gid, gid) for gid in arrival}


def study_of_group(project: Project, *, refresh_first: bool = True) -> dict[str, str]:
    """group id -> study id for every publication group of the project."""
    from lib.project import duplicates

    if refresh_first:
        duplicates.refresh(project)
    return _mapping(project)[1]


def study_of(project: Project, *, refresh_first: bool = True) -> dict[str, str]:
    """record id -> study id for every record of the project (see the module docstring).

    Refreshes the duplicate groups first unless told not to (a cached reader must not
    write: refresh before, outside the cache).
    """
    from lib.project import duplicates

    if refresh_first:
        duplicates.refresh(project)
    group_of, by_group = _mapping(project)
    return {rid: by_group[gid] for rid, gid in group_of.items()}


def _linked_groups(project: Project, links: Sequence[tuple[str, str]]) -> dict[str, str]:
    """record id -> group id for the records that ``links`` name (few: looked up)."""
    linked = sorted({r for pair in links for r in pair})
    sql = "SELECT record_id, cluster_id FROM dedupe_groups WHERE record_id IN ({marks})"
    return _lookup(project, sql, linked)


def folding(project: Project) -> dict[str, str]:
    """group id -> study id for the groups that links touch, from lookups only (no read
    of the whole groups table: the app's studies table is patched with it per decision)."""
    links = link_pairs(project)
    if not links:
        return {}
    group_of = _linked_groups(project, links)
    groups = sorted(set(group_of.values()))
    sql = "SELECT record_id, rid FROM records WHERE record_id IN ({marks})"
    arrival = {gid: int(rid) for gid, rid in _lookup(project, sql, groups).items()}
    return fold(group_of, links, _entrytypes(project, groups), arrival)


def study_count(project: Project) -> tuple[int, int]:
    """``(publication groups, studies)`` from the stored groups and links (no regrouping)."""
    groups = project.conn.execute("SELECT COUNT(DISTINCT cluster_id) FROM dedupe_groups")
    n_groups = int(groups.fetchone()[0])
    links = link_pairs(project)
    group_of = _linked_groups(project, links) if links else {}
    sets = _Sets()
    joined = 0
    for a, b in links:
        ga, gb = group_of.get(a), group_of.get(b)
        if ga is not None and gb is not None and ga != gb and sets.union(ga, gb):
            joined += 1
    return n_groups, n_groups - joined
