"""`deduplicate`: normalise → block → score → decide → group (checked) → merge.

Each step is a function of its own module; this one wires them together. The matcher's
duplicates make the automatic groups; a person's decisions are then applied to them one
by one, in the order they were made (`lib.dedupe.cluster.apply_decision`): a "same" joins
groups, a "different" or a split takes records out. So the groups are the closure of every
"same", automatic or a person's, minus only what a person took apart, and a project can
apply a new decision to its stored groups alone and get exactly what a full run gives.
Every pair a decision covers is reported with the person's decision, so re-running after
a new import never asks again about a pair someone already decided.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

from lib.dedupe.blocking import candidate_pairs, key_codes
from lib.dedupe.cluster import Partition, apply_decision, constrained_groups, explain
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
    # the matcher's own decisions and reasons, before any person's
    automatic = PairTable(ids, ia, ib, codes.copy(), scores, dict(reasons))
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

    # The automatic groups: the matcher's duplicates, checked as groups. A person's
    # decisions never change them; they change the groups made from them, one by one.
    roots = constrained_groups(len(records), edges=edge_pairs, conflict=conflict)
    auto_cluster_of = _cluster_ids(ids, roots)
    by_root: dict[int, list[tuple[str, int]]] = {}
    for i, root in enumerate(roots):
        by_root.setdefault(root, []).append((ids[i], i))
    partition = Partition(by_root.values())
    constraints = Constraints(present=index)
    for d in decisions:
        rest: list[str] = []
        if d.kind == "split" and not d.against:
            inside = set(d.record_ids)
            for gid in dict.fromkeys(partition.group(r) for r in d.record_ids if r in index):
                rest += [r for r in partition.members[gid] if r not in inside]
        constraints.add(d, rest)
        apply_decision(partition, d.kind, d.record_ids, d.leaving)
    cluster_of = {rid: partition.group(rid) for rid in ids}
    _settle(codes, reasons, constraints, ids, index, ia, ib)
    stats["seconds_group"] = time.perf_counter() - t0

    pairs = PairTable(ids, ia, ib, codes, scores, reasons)
    joined_by = explain(
        partition.groups(),
        [(p.score, p.a, p.b, p.reason) for p in automatic.with_decision("duplicate")],
        constraints.musts,
    )
    final = [index[cluster_of[rid]] for rid in ids]
    links = _links(ids, final, verdicts) + constraints.links
    stats["groups"] = len(partition.members)
    stats["seconds_total"] = time.perf_counter() - started
    return DedupeResult(records, cluster_of, pairs, links, joined_by, stats,
                        auto_cluster_of=auto_cluster_of, automatic=automatic,
                        candidate_links=_links(ids, None, verdicts))  # fmt: skip


def _cluster_ids(ids: list[str], roots: list[int]) -> dict[str, str]:
    """record id -> its group's id, the id of the group's first record in input order."""
    first: dict[int, int] = {}
    for i, root in enumerate(roots):
        first.setdefault(root, i)
    return {ids[i]: ids[first[roots[i]]] for i in range(len(ids))}


def _settle(
    codes: np.ndarray,
    reasons: dict[int, str],
    constraints: Constraints,
    ids: list[str],
    index: dict[str, int],
    ia: np.ndarray,
    ib: np.ndarray,
) -> None:
    """Report the pairs a person decided with the person's decision and reason."""
    if not constraints.settled or not len(ia):
        return
    n = len(ids)
    keys = ia.astype(np.int64) * n + ib.astype(np.int64)
    order = np.argsort(keys)
    for (a, b), (decision, reason) in constraints.settled.items():
        i, j = index[a], index[b]
        for key in (i * n + j, j * n + i):
            at = int(np.searchsorted(keys, key, sorter=order))
            if at < len(keys) and keys[order[at]] == key:
                k = int(order[at])
                codes[k] = PAIR_DECISIONS.index(decision)
                reasons[k] = reason


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


def _links(
    ids: list[str], roots: list[int] | None, verdicts: dict[tuple[int, int], Verdict]
) -> list[Link]:
    """Automatic "other report" links between records in different groups (``roots``;
    ``None``: every candidate link, whatever the groups)."""
    out = []
    for (i, j), verdict in verdicts.items():
        if not verdict.link or verdict.decision == DUPLICATE:
            continue
        if roots is None or roots[i] != roots[j]:
            out.append(Link(ids[i], ids[j], "other-report", verdict.link))
    out.sort(key=lambda link: (link.a, link.b))
    return out
