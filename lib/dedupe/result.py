"""What `deduplicate` returns: groups, every scored pair, links, merged studies on request."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from lib.dedupe.merge import merge_group
from lib.dedupe.model import Link, Pair, PairTable, Study
from lib.model import Record

__all__ = ["DedupeResult"]


@dataclass(slots=True)
class DedupeResult:
    """Groups, scored pairs, links and (on request) merged studies.

    ``cluster_of`` maps every record id to its group's id, which is the id of the group's
    first record in input order (so a group keeps its id when later imports join it).
    ``joined_by`` says, for each record that joined a group, through which pair and why
    (score 1.0 where a person's decision did it).
    """

    records: list[Record]
    cluster_of: dict[str, str]
    pairs: PairTable
    links: list[Link]
    joined_by: dict[str, tuple[str, float, str]] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)
    # The groups before any person's decision, and every pair as the matcher decided it
    # (`pairs` reports the pairs a person decided with the person's decision).
    auto_cluster_of: dict[str, str] = field(default_factory=dict)
    automatic: PairTable | None = None
    # Every automatic "other report" link, also between records now in one group.
    candidate_links: list[Link] = field(default_factory=list)

    def clusters(self) -> dict[str, list[str]]:
        """Group id → member record ids, in input order."""
        out: dict[str, list[str]] = defaultdict(list)
        for rec in self.records:
            out[self.cluster_of[rec.record_id]].append(rec.record_id)
        return dict(out)

    def studies(self) -> list[Study]:
        """One merged `Study` per group, in the order of each group's first record."""
        members: dict[str, list[Record]] = defaultdict(list)
        for rec in self.records:
            members[self.cluster_of[rec.record_id]].append(rec)
        return [merge_group(cid, recs) for cid, recs in members.items()]

    def possible(self) -> list[Pair]:
        """Pairs to review, most likely first: possible pairs whose records are in
        different groups, one pair (the best) per two groups."""
        out = []
        seen: set[tuple[str, str]] = set()
        for pair in self.pairs.with_decision("possible"):
            ga, gb = self.cluster_of[pair.a], self.cluster_of[pair.b]
            key = (ga, gb) if ga < gb else (gb, ga)
            if ga != gb and key not in seen:
                seen.add(key)
                out.append(pair)
        return out

    def same_group(self, a: str, b: str) -> bool:
        return self.cluster_of[a] == self.cluster_of[b]
