"""Groups from pairs, checked as groups: no two distinct studies chained through a third.

Plain connected components would let record B (no pages) join A (page 10) and C (page 20)
into one group although A and C contradict each other. Here two groups are joined only
when every pair across them is free of contradictions (`conflict`) and of a person's
"different" decision, and the most certain pairs are joined first, so a doubtful link
cannot pre-empt a sure one. Edges are ordered by score and then by record id, never by
input position, so shuffling the input cannot change the groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

__all__ = ["Partition", "apply_decision", "constrained_groups", "contradicted", "explain"]


class _Groups:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def find(self, i: int) -> int:
        parent = self.parent
        root = i
        while parent[root] != root:
            root = parent[root]
        while parent[i] != root:
            parent[i], i = root, parent[i]
        return root

    def join(self, a: int, b: int) -> None:
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))


def constrained_groups(
    n: int,
    *,
    edges: Iterable[tuple[int, int]],
    conflict: Callable[[int, int], bool],
    must: Iterable[tuple[int, int]] = (),
    cannot: dict[int, set[int]] | None = None,
) -> list[int]:
    """The group root of each of ``n`` records.

    ``must`` pairs (a person's "same") are joined first, checked only against ``cannot``
    (a person's "different"); ``edges`` (automatic duplicates, best first) are joined
    when no pair across the two groups is in ``cannot`` or has a ``conflict``.
    """
    groups = _Groups(n)
    cannot = cannot or {}

    def blocked(ra: int, rb: int, *, check_conflicts: bool) -> bool:
        small, big = sorted((groups.members[ra], groups.members[rb]), key=len)
        big_set = set(big)
        for x in small:
            if cannot.get(x, set()) & big_set:
                return True
        if check_conflicts:
            for x in small:
                for y in big:
                    if conflict(x, y):
                        return True
        return False

    for i, j in must:
        ri, rj = groups.find(i), groups.find(j)
        if ri != rj and not blocked(ri, rj, check_conflicts=False):
            groups.join(ri, rj)
    for i, j in edges:
        ri, rj = groups.find(i), groups.find(j)
        if ri != rj and not blocked(ri, rj, check_conflicts=True):
            groups.join(ri, rj)
    return [groups.find(i) for i in range(n)]


# -- a person's decisions, applied to groups ---------------------------------------------------
class Partition:
    """Record ids in groups: each group's members in arrival order, its id its first member.

    A person's decisions change it in place (`apply_decision`); `changes` then says which
    groups went and which came, so a project file rewrites only those. The groups may be
    all of a project's or only some: ``load(record_id)`` is asked for the group of a record
    not held yet (its members with their arrival positions), so one decision reads only
    the groups it touches.
    """

    def __init__(
        self,
        groups: Iterable[Sequence[tuple[str, int]]] = (),
        load: Callable[[str], Sequence[tuple[str, int]]] | None = None,
    ) -> None:
        self.order: dict[str, int] = {}
        self.group_of: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}
        self._load = load
        self._original: dict[str, tuple[str, ...]] = {}  # groups as first held
        for group in groups:
            self._hold(group)

    def _hold(self, group: Sequence[tuple[str, int]]) -> None:
        ordered = sorted(group, key=lambda item: item[1])
        ids = [rid for rid, _ in ordered]
        for rid, position in ordered:
            self.order[rid] = position
            self.group_of[rid] = ids[0]
        self.members[ids[0]] = ids
        self._original.setdefault(ids[0], tuple(ids))

    def __contains__(self, record_id: str) -> bool:
        return self._known(record_id)

    def _known(self, record_id: str) -> bool:
        if record_id not in self.group_of and self._load is not None:
            group = self._load(record_id)
            if group:
                self._hold(group)
        return record_id in self.group_of

    def group(self, record_id: str) -> str:
        """The id of the record's group (`KeyError` for a record not in the partition)."""
        if not self._known(record_id):
            raise KeyError(record_id)
        return self.group_of[record_id]

    def _put(self, ids: Iterable[str]) -> str:
        ordered = sorted(ids, key=self.order.__getitem__)
        for rid in ordered:
            self.group_of[rid] = ordered[0]
        self.members[ordered[0]] = ordered
        return ordered[0]

    def merge(self, record_ids: Sequence[str]) -> None:
        """One group of the groups of ``record_ids``."""
        groups = list(dict.fromkeys(self.group(r) for r in record_ids))
        if len(groups) > 1:
            self._put(rid for g in groups for rid in self.members.pop(g))

    def take_out(self, record_ids: Sequence[str]) -> None:
        """``record_ids`` leave their groups and form one group; the rest of each group
        stays together."""
        leaving = list(dict.fromkeys(record_ids))
        out = set(leaving)
        for g in dict.fromkeys(self.group(r) for r in leaving):
            rest = [r for r in self.members.pop(g) if r not in out]
            if rest:
                self._put(rest)
        self._put(leaving)

    def groups(self) -> list[list[str]]:
        """Every group held, as member lists in arrival order."""
        return list(self.members.values())

    def changes(self) -> tuple[list[str], list[list[str]]]:
        """``(gone, new)``: ids of the groups first held that no longer exist as they were,
        and the member lists of the groups that did not exist as they are now."""
        current = {gid: tuple(ids) for gid, ids in self.members.items()}
        gone = [gid for gid, ids in self._original.items() if current.get(gid) != ids]
        new = [list(ids) for gid, ids in current.items() if self._original.get(gid) != ids]
        return gone, new


def apply_decision(
    partition: Partition,
    kind: str,
    record_ids: Sequence[str],
    leaving: Sequence[str] = (),
) -> list[str]:
    """Change the groups as one decision says; returns the records that left a group.

    - ``same``: the groups of the records become one (whatever else they hold: a person's
      "same" adds to a group and never splits one);
    - ``different`` and ``other-report``: where two of the records share a group, the
      records in ``leaving`` leave it, each on its own; without one, every record but the
      one that arrived first leaves (so the study keeps its id);
    - ``split``: the records leave their groups and form one group of their own.

    Records not in the partition are ignored. Each result depends only on the groups and
    the decision, so applying decisions one by one to stored groups gives exactly the
    groups that applying them all to the automatic groups gives.
    """
    ids = [r for r in dict.fromkeys(record_ids) if r in partition]
    if kind == "same":
        partition.merge(ids)
        return []
    if kind == "split":
        partition.take_out(ids)
        return ids
    chosen = [r for r in dict.fromkeys(leaving) if r in ids]
    left: list[str] = []
    for rid in chosen:
        if _shares_group(partition, rid, ids):
            partition.take_out([rid])
            left.append(rid)
    by_group: dict[str, list[str]] = {}
    for rid in ids:
        by_group.setdefault(partition.group(rid), []).append(rid)
    for together in by_group.values():
        together.sort(key=partition.order.__getitem__)
        for rid in together[1:]:
            partition.take_out([rid])
            left.append(rid)
    return left


def _shares_group(partition: Partition, rid: str, ids: Sequence[str]) -> bool:
    group = partition.group(rid)
    return any(other != rid and partition.group(other) == group for other in ids)


def contradicted(partition: Partition, record_ids: Sequence[str]) -> list[list[str]]:
    """The records of a "different" decision that share a group, group by group (empty
    when none do): the person must say which of them leaves."""
    by_group: dict[str, list[str]] = {}
    for rid in dict.fromkeys(record_ids):
        if rid in partition:
            by_group.setdefault(partition.group(rid), []).append(rid)
    return [ids for ids in by_group.values() if len(ids) > 1]


def explain(
    groups: Iterable[Sequence[str]],
    edges: Sequence[tuple[float, str, str, str]],
    musts: Sequence[tuple[str, str, str]],
) -> dict[str, tuple[str, float, str]]:
    """For each record of a group of two or more: the pair that ties it to its group.

    ``musts`` are a person's "same" pairs ``(a, b, why)``, in decision order; ``edges`` the
    automatic duplicate pairs ``(score, a, b, why)``. A person's pair comes first, then the
    best automatic one; a record tied by neither (its link went with records split off)
    stayed by a person's decision. The same answer from any subset of groups, so stored
    groups can be explained again one at a time.
    """
    group_of: dict[str, int] = {}
    member_lists = []
    for k, members in enumerate(groups):
        if len(members) > 1:
            member_lists.append(members)
            for rid in members:
                group_of[rid] = k
    out: dict[str, tuple[str, float, str]] = {}
    for a, b, why in musts:
        if a in group_of and group_of.get(b) == group_of[a]:
            out.setdefault(a, (b, 1.0, why))
            out.setdefault(b, (a, 1.0, why))
    for score, a, b, why in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        if a in group_of and group_of.get(b) == group_of[a]:
            out.setdefault(a, (b, score, why))
            out.setdefault(b, (a, score, why))
    for members in member_lists:
        for rid in members:
            if rid not in out:
                other = members[0] if members[0] != rid else members[1]
                out[rid] = (other, 1.0, "kept in this group when a person took records out of it")
    return out
