"""A person's decisions as constraints on grouping: must-links, cannot-links, links.

Each decision also *settles* the pairs it covers, so the engine reports them with the
person's decision and never queues them for review again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations

from lib.dedupe.model import PAIR_DECISIONS, Decision, Link

__all__ = ["Constraints"]

_DUP = PAIR_DECISIONS.index("duplicate")
_DISTINCT = PAIR_DECISIONS.index("distinct")


class Constraints:
    """A person's decisions as index pairs, plus the pairs they settle."""

    def __init__(
        self, decisions: Sequence[Decision], ids: list[str], index: dict[str, int]
    ) -> None:
        self.must: list[tuple[int, int]] = []
        self.cannot: dict[int, set[int]] = defaultdict(set)
        self.settled: dict[tuple[int, int], tuple[int, str]] = {}
        self.links: list[Link] = []
        self.open_splits: list[tuple[Decision, list[int]]] = []
        for d in decisions:
            idx = [index[r] for r in dict.fromkeys(d.record_ids) if r in index]
            tag = f" (decision {d.decision_id})" if d.decision_id is not None else ""
            note = f": {d.note}" if d.note else ""
            if d.kind == "same":
                self._same(idx, f"a person decided: same publication{tag}{note}")
            elif d.kind == "different":
                self._apart(idx, idx, f"a person decided: different publications{tag}{note}")
            elif d.kind == "other-report":
                reason = f"a person decided: other report of the same study{tag}{note}"
                self._apart(idx, idx, reason)
                for i, j in combinations(idx, 2):
                    self.links.append(Link(ids[i], ids[j], "other-report", reason, d.decision_id))
            elif d.kind == "split":
                against = [index[r] for r in d.against if r in index and r not in d.record_ids]
                self._same(idx, f"a person kept these together when splitting{tag}{note}")
                if d.against:
                    self._apart(idx, against, f"a person split the group{tag}{note}")
                else:
                    self.open_splits.append((d, idx))

    def _same(self, idx: list[int], reason: str) -> None:
        for j in idx[1:]:
            self.must.append((idx[0], j))
        for i, j in combinations(idx, 2):
            self.settled[(min(i, j), max(i, j))] = (_DUP, reason)

    def _apart(self, left: list[int], right: list[int], reason: str) -> None:
        for i in left:
            for j in right:
                if i != j:
                    self.cannot[i].add(j)
                    self.cannot[j].add(i)
                    self.settled[(min(i, j), max(i, j))] = (_DISTINCT, reason)

    def close_splits(self, roots: list[int]) -> bool:
        """Turn splits without ``against`` into cannot-links against their current group."""
        changed = False
        for d, idx in self.open_splits:
            inside = set(idx)
            group_roots = {roots[i] for i in idx}
            rest = [k for k, r in enumerate(roots) if r in group_roots and k not in inside]
            tag = f" (decision {d.decision_id})" if d.decision_id is not None else ""
            self._apart(idx, rest, f"a person split the group{tag}")
            changed = changed or bool(rest)
        self.open_splits = []
        return changed
