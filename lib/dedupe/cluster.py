"""Groups from pairs, checked as groups: no two distinct studies chained through a third.

Plain connected components would let record B (no pages) join A (page 10) and C (page 20)
into one group although A and C contradict each other. Here two groups are joined only
when every pair across them is free of contradictions (`conflict`) and of a person's
"different" decision, and the most certain pairs are joined first, so a doubtful link
cannot pre-empt a sure one. Edges are ordered by score and then by record id, never by
input position, so shuffling the input cannot change the groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["constrained_groups"]


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
    must: Iterable[tuple[int, int]],
    edges: Iterable[tuple[int, int]],
    cannot: dict[int, set[int]],
    conflict: Callable[[int, int], bool],
) -> list[int]:
    """The group root of each of ``n`` records.

    ``must`` pairs (a person's "same") are joined first, checked only against ``cannot``
    (a person's "different"); ``edges`` (automatic duplicates, best first) are joined
    when no pair across the two groups is in ``cannot`` or has a ``conflict``.
    """
    groups = _Groups(n)

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
