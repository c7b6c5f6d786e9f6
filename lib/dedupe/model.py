"""What deduplication takes and returns: decisions, pairs, links, studies, the result.

The engine never deletes a record: it returns groups (`cluster_of`), every candidate pair
with its decision and reason (`pairs`), "other report" links, and one merged study record
per group with its provenance (`studies()`), so every merge can be explained and undone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np

from lib.model import Record

__all__ = [
    "DECISION_KINDS",
    "Decision",
    "Link",
    "Pair",
    "PairTable",
    "Study",
]

DECISION_KINDS = ("same", "different", "other-report", "split")
PAIR_DECISIONS = ("duplicate", "possible", "distinct")
# A pair rejected on its titles alone scores its title similarity times this: the other
# fields were never compared, so it ranks below any pair that was.
TITLE_ONLY_WEIGHT = 0.5


@dataclass(frozen=True, slots=True)
class Decision:
    """A person's decision, applied as a constraint on every later run.

    - ``same``: the records are one publication: their groups become one, whatever the
      rules say;
    - ``different``: the records are not one publication; where two share a group, the
      records in ``leaving`` leave it (each on its own; without ``leaving``, all but the
      one that arrived first);
    - ``other-report``: the records report one study but are not one publication
      (like ``different``, and a link);
    - ``split``: ``record_ids`` leave their group and form one of their own; ``against``
      names the rest of the group at decision time (taken from the groups when empty).
    """

    kind: str
    record_ids: tuple[str, ...]
    against: tuple[str, ...] = ()
    decision_id: int | None = None
    note: str = ""
    leaving: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in DECISION_KINDS:
            raise ValueError(f"unknown decision kind {self.kind!r}; use one of {DECISION_KINDS}")
        if len(self.record_ids) < (1 if self.kind == "split" else 2):
            raise ValueError(f"a {self.kind!r} decision needs at least two records")


@dataclass(frozen=True, slots=True)
class Pair:
    """One candidate pair as scored: decision in duplicate / possible / distinct."""

    a: str
    b: str
    decision: str
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class Link:
    """Two records reporting one study without being one publication."""

    a: str
    b: str
    kind: str  # "other-report"
    reason: str
    decision_id: int | None = None  # set when a person made the link


@dataclass(slots=True)
class Study:
    """One group: its merged record and where every value came from."""

    study_id: str
    record: Record
    members: tuple[str, ...]
    databases: tuple[str, ...]
    imports: tuple[int, ...]
    files: tuple[str, ...]
    sources: dict[str, str] = field(default_factory=dict)  # field -> record_id


class PairTable(Sequence[Pair]):
    """Every candidate pair, stored as columns so a million records stay within memory.

    Reads like a list of `Pair`. Pairs rejected on titles alone keep no reason string;
    theirs is written when read.
    """

    def __init__(
        self,
        ids: Sequence[str],
        ia: np.ndarray,
        ib: np.ndarray,
        codes: np.ndarray,
        scores: np.ndarray,
        reasons: dict[int, str],
    ) -> None:
        self._ids = ids
        self.ia = ia
        self.ib = ib
        self.codes = codes  # index into PAIR_DECISIONS
        self.scores = scores
        self._reasons = reasons

    def __len__(self) -> int:
        return len(self.ia)

    @overload
    def __getitem__(self, k: int) -> Pair: ...
    @overload
    def __getitem__(self, k: slice) -> list[Pair]: ...
    def __getitem__(self, k: int | slice) -> Pair | list[Pair]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(k)
        score = float(self.scores[k])
        reason = self._reasons.get(k)
        if reason is None:
            reason = f"titles differ ({score / TITLE_ONLY_WEIGHT:.2f}); nothing else compared"
        return Pair(
            self._ids[int(self.ia[k])],
            self._ids[int(self.ib[k])],
            PAIR_DECISIONS[int(self.codes[k])],
            round(score, 3),
            reason,
        )

    def __iter__(self) -> Iterator[Pair]:
        for k in range(len(self)):
            yield self[k]

    def with_decision(self, decision: str) -> list[Pair]:
        """The pairs with one decision, best score first."""
        code = PAIR_DECISIONS.index(decision)
        idx = np.flatnonzero(self.codes == code)
        idx = idx[np.argsort(-self.scores[idx], kind="stable")]
        return [self[int(k)] for k in idx]
