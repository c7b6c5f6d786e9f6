"""`deduplicate`: normalise → block → score → decide → group (checked) → merge.

Each step is a function of its own module; this one wires them together and applies a
person's decisions as constraints, so re-running after a new import never asks again
about a pair someone already decided.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

from lib.dedupe.blocking import candidate_pairs, key_codes
from lib.dedupe.cluster import constrained_groups
from lib.dedupe.compare import MIN_TRUNCATED, compare
from lib.dedupe.constraints import Constraints
from lib.dedupe.model import PAIR_DECISIONS, TITLE_ONLY_WEIGHT, Decision, Link, PairTable
from lib.dedupe.normalize import Norm, content_key, normalize
from lib.dedupe.result import DedupeResult
from lib.dedupe.rules import DUPLICATE, WEAK_TITLE, Verdict, decide
from lib.gcpause import gc_paused
from lib.model import Record

__all__ = ["DedupeResult", "deduplicate"]

_DUP = PAIR_DECISIONS.index("duplicate")
_POSSIBLE = PAIR_DECISIONS.index("possible")
_DISTINCT = PAIR_DECISIONS.index("distinct")


def deduplicate(records: list[Record], decisions: Sequence[Decision] = ()) -> DedupeResult:
    """Group the records that are one publication; see `DedupeResult`.

    ``decisions`` (a person's, oldest first) are applied as constraints. Raises
    `ValueError` when two records share a record id.
    """
    with gc_paused():
        return _deduplicate(records, decisions)


def _deduplicate(records: list[Record], decisions: Sequence[Decision]) -> DedupeResult:
    started = time.perf_counter()
    ids = [r.record_id for r in records]
    index = {rid: i for i, rid in enumerate(ids)}
    if len(index) != len(ids):
        seen: set[str] = set()
        dup = next(r for r in ids if r in seen or seen.add(r))  # type: ignore[func-returns-value]
        raise ValueError(f"record id {dup!r} appears twice; record ids must be unique")
    norms = [normalize(r) for r in records]
    stats: dict[str, float] = {"records": len(records)}
    stats["seconds_normalise"] = time.perf_counter() - started

    t0 = time.perf_counter()
    ia, ib, per_key = candidate_pairs(norms)
    stats.update({f"pairs_{k}": v for k, v in per_key.items()})
    stats["candidates"] = len(ia)
    stats["seconds_block"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    verdicts, codes, scores, reasons = _score_pairs(norms, ia, ib)
    _hold_incomplete(records, ia, ib, codes, reasons)
    stats["compared_in_detail"] = len(verdicts)
    stats["seconds_score"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    constraints = Constraints(decisions, ids, index)
    for k in range(len(ia)):
        settled = constraints.settled.get((int(ia[k]), int(ib[k])))
        if settled:
            codes[k], reasons[k] = settled
    edges = sorted(
        (
            (-float(scores[k]), ids[int(ia[k])], ids[int(ib[k])], int(ia[k]), int(ib[k]))
            for k in np.flatnonzero(codes == _DUP)
        ),
    )
    edge_pairs = [(e[3], e[4]) for e in edges]

    def conflict(x: int, y: int) -> bool:
        key = (x, y) if x < y else (y, x)
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = decide(norms[key[0]], norms[key[1]], compare(norms[key[0]], norms[key[1]]))
            verdicts[key] = verdict
        return verdict.conflict

    def group() -> list[int]:
        return constrained_groups(
            len(records),
            must=constraints.must,
            edges=edge_pairs,
            cannot=constraints.cannot,
            conflict=conflict,
        )

    roots = group()
    if constraints.open_splits and constraints.close_splits(roots):
        roots = group()
    first: dict[int, int] = {}
    for i, root in enumerate(roots):
        first.setdefault(root, i)
    cluster_of = {ids[i]: ids[first[roots[i]]] for i in range(len(ids))}
    stats["seconds_group"] = time.perf_counter() - t0

    pairs = PairTable(ids, ia, ib, codes, scores, reasons)
    joined_by = _joined_by(ids, roots, edges, constraints, pairs)
    links = _links(ids, roots, verdicts) + constraints.links
    stats["groups"] = len(first)
    stats["seconds_total"] = time.perf_counter() - started
    return DedupeResult(records, cluster_of, pairs, links, joined_by, stats)


def _score_pairs(
    norms: list[Norm], ia: np.ndarray, ib: np.ndarray
) -> tuple[dict[tuple[int, int], Verdict], np.ndarray, np.ndarray, dict[int, str]]:
    """Title similarity for every candidate (vectorised), full rules for the plausible."""
    m = len(ia)
    codes = np.full(m, _DISTINCT, dtype=np.int8)
    scores = np.zeros(m, dtype=np.float32)
    reasons: dict[int, str] = {}
    verdicts: dict[tuple[int, int], Verdict] = {}
    if m == 0:
        return verdicts, codes, scores, reasons
    compact = np.array([n.compact for n in norms], dtype=object)
    sims = process.cpdist(
        compact[ia], compact[ib], scorer=fuzz.ratio, workers=-1, dtype=np.float32
    ) / np.float32(100)
    doi = key_codes([n.doi for n in norms])
    head = key_codes(
        [n.compact[:MIN_TRUNCATED] if len(n.compact) >= MIN_TRUNCATED else "" for n in norms]
    )
    notice = np.array([bool(n.notice) for n in norms])
    # Titles that differ entirely still get a look at one place (a translation, a heading
    # or subtitle more) and between an online-first record and its team's issue version.
    place = key_codes([f"{n.jkey}|{n.volume}|{n.first_page}|{n.year}" if n.first_page else ""
                    for n in norms])  # fmt: skip
    online = np.array([n.online for n in norms])
    team = key_codes([f"{n.first_author}|{n.jkey}" if n.first_author and n.jkey else ""
                   for n in norms])  # fmt: skip
    keep = (
        (sims >= WEAK_TITLE)
        | ((doi[ia] == doi[ib]) & (doi[ia] != -1))
        | ((head[ia] == head[ib]) & (head[ia] != -1))
        | notice[ia]
        | notice[ib]
        | ((place[ia] == place[ib]) & (place[ia] != -1))
        | ((online[ia] != online[ib]) & (team[ia] == team[ib]) & (team[ia] != -1))
    )
    scores[:] = sims * np.float32(TITLE_ONLY_WEIGHT)
    # The verdict is a function of the two records' contents: copies of one record (one
    # database exported twice, a file imported twice) are decided once per pair of contents.
    content: dict[tuple, int] = {}
    content_of = [-1] * len(norms)
    decided: dict[tuple[int, int], Verdict] = {}
    for k in np.flatnonzero(keep):
        i, j = int(ia[k]), int(ib[k])
        for x in (i, j):
            if content_of[x] < 0:
                content_of[x] = content.setdefault(content_key(norms[x].record), len(content))
        key = (content_of[i], content_of[j])
        verdict = decided.get(key)
        if verdict is None:
            verdict = decided[key] = decide(norms[i], norms[j], compare(norms[i], norms[j]))
        verdicts[(i, j)] = verdict
        codes[k] = PAIR_DECISIONS.index(verdict.decision)
        scores[k] = verdict.score
        reasons[k] = verdict.reason
    return verdicts, codes, scores, reasons


def _hold_incomplete(
    records: list[Record],
    ia: np.ndarray,
    ib: np.ndarray,
    codes: np.ndarray,
    reasons: dict[int, str],
) -> None:
    """A pair with a record marked incomplete (`Record.incomplete`: nothing to identify it,
    or cut short) is at most "possible": a person decides, nothing is merged on its own."""
    flagged = np.array([bool(r.incomplete) for r in records], dtype=bool)
    if not len(ia) or not flagged.any():
        return
    held = (codes == _DUP) & (flagged[ia] | flagged[ib])
    for k in np.flatnonzero(held):
        reasons[int(k)] = f"{reasons.get(int(k), '')}; a record is incomplete: check by hand"
    codes[held] = _POSSIBLE


def _joined_by(
    ids: list[str],
    roots: list[int],
    edges: list[tuple[float, str, str, int, int]],
    constraints: Constraints,
    pairs: PairTable,
) -> dict[str, tuple[str, float, str]]:
    """For each record in a group of two or more: the best pair tying it to the group."""
    out: dict[str, tuple[str, float, str]] = {}
    for i, j in constraints.must:
        if roots[i] == roots[j]:
            reason = constraints.settled.get((min(i, j), max(i, j)), (0, "a person decided"))[1]
            out.setdefault(ids[i], (ids[j], 1.0, reason))
            out.setdefault(ids[j], (ids[i], 1.0, reason))
    reason_of = {}
    for k in np.flatnonzero(pairs.codes == _DUP):
        reason_of[(int(pairs.ia[k]), int(pairs.ib[k]))] = pairs[int(k)].reason
    for neg_score, _, _, i, j in edges:  # best first
        if roots[i] != roots[j]:
            continue
        reason = reason_of.get((i, j), "")
        out.setdefault(ids[i], (ids[j], -neg_score, reason))
        out.setdefault(ids[j], (ids[i], -neg_score, reason))
    return out


def _links(
    ids: list[str], roots: list[int], verdicts: dict[tuple[int, int], Verdict]
) -> list[Link]:
    """Automatic "other report" links between records left in different groups."""
    out = []
    for (i, j), verdict in verdicts.items():
        if verdict.link and verdict.decision != DUPLICATE and roots[i] != roots[j]:
            out.append(Link(ids[i], ids[j], "other-report", verdict.link))
    out.sort(key=lambda link: (link.a, link.b))
    return out
