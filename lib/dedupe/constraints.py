"""What a person's decisions say about pairs: settled pairs, "same" ties, "other report" links.

The groups themselves change by `lib.dedupe.cluster.apply_decision`; this module reads
the rest off the decisions: every pair a decision covers is *settled* (reported with the
person's decision and reason, never queued for review again), a person's "same" pairs
explain why records share a group, and "other report" decisions make links. All of it
depends on the decisions alone, never on the groups, so a project file can read it from
its stored decisions at any time.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from itertools import combinations

from lib.dedupe.model import Decision, Link

__all__ = ["Constraints", "reason_of"]

_SAID = {
    "same": "a person decided: same publication",
    "different": "a person decided: different publications",
    "other-report": "a person decided: other report of the same study",
    "split": "a person split the group",
}


def reason_of(decision: Decision, said: str | None = None) -> str:
    """Why a pair or a group is as it is, in words, naming the decision and its note."""
    tag = f" (decision {decision.decision_id})" if decision.decision_id is not None else ""
    note = f": {decision.note}" if decision.note else ""
    return f"{said or _SAID[decision.kind]}{tag}{note}"


class Constraints:
    """The pairs a list of decisions settles (later decisions win), its ties and links.

    ``settled`` maps a pair of record ids (in sorted order) to ``("duplicate" | "distinct",
    reason)``; ``musts`` are ``(a, b, reason)`` ties of "same" decisions and of records
    split off together; ``links`` the "other report" links. Records not in ``present``
    are left out.
    """

    def __init__(self, decisions: Sequence[Decision] = (), present: Container[str] = ()) -> None:
        self.settled: dict[tuple[str, str], tuple[str, str]] = {}
        self.musts: list[tuple[str, str, str]] = []
        self.links: list[Link] = []
        self.present = present
        for d in decisions:
            self.add(d)

    def add(self, d: Decision, rest: Sequence[str] = ()) -> None:
        """Read one more decision (``rest``: for a split, the rest of its group when no
        ``against`` was stored)."""
        present = self.present
        ids = [r for r in dict.fromkeys(d.record_ids) if r in present]
        if d.kind == "same":
            self._together(ids, reason_of(d))
        elif d.kind in ("different", "other-report"):
            self.apart(ids, ids, reason_of(d))
            if d.kind == "other-report":
                for a, b in combinations(ids, 2):
                    self.links.append(Link(a, b, "other-report", reason_of(d), d.decision_id))
        elif d.kind == "split":
            self._together(ids, reason_of(d, "a person kept these together when splitting"))
            against = [r for r in (d.against or rest) if r in present and r not in ids]
            self.apart(ids, against, reason_of(d))

    def _together(self, ids: list[str], reason: str) -> None:
        for j in ids[1:]:
            self.musts.append((ids[0], j, reason))
        for a, b in combinations(ids, 2):
            self.settled[(a, b) if a < b else (b, a)] = ("duplicate", reason)

    def apart(self, left: Sequence[str], right: Sequence[str], reason: str) -> None:
        """Settle every pair across ``left`` and ``right`` as distinct."""
        for a in left:
            for b in right:
                if a != b:
                    self.settled[(a, b) if a < b else (b, a)] = ("distinct", reason)

    def is_settled(self, a: str, b: str) -> bool:
        return ((a, b) if a < b else (b, a)) in self.settled
