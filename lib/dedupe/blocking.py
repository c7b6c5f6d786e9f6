"""Candidate pairs: only records that share a blocking key are ever compared.

Each key catches what the others miss: the DOI; the first and the last letters of the
title (a changed start or end, a truncated title); the two rarest title words (typos
elsewhere); first author and year (a translated or reworded title); journal, volume and
first page (a title missing or in another language); and for an online-first record (a
journal, no volume, issue or pages yet), every record of the same first author in the
same journal (its issue version may have been retitled). Within a block, records are sorted
by title and each is paired with its next `WINDOW` neighbours, so a small block is
compared in full and a huge one ("Wang 2015" in a million records) costs linear time
instead of quadratic. All of it runs in numpy: no Python object per candidate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from lib.dedupe.normalize import Norm

__all__ = ["WINDOW", "block_keys", "candidate_pairs", "key_codes"]

WINDOW = 20
# Narrower windows for keys whose blocks are large and mostly unrelated: within
# "first author + year", records are sorted by title, so a variant of a title sits next
# to it and a few neighbours suffice.
WINDOWS = {"author_year": 6, "rare_words": 10, "locator": 10}
PREFIX = 24
MIN_RARE_WORDS = 4
MAX_TEAM_BLOCK = 60  # larger "first author + journal" blocks pair online-first records by window
_COMMON = frozenset(
    """a an the of in on and or for with to from by at as is are be its their this that between
    after before during among into using via vs versus""".split()
)


def block_keys(norms: Sequence[Norm]) -> dict[str, list[str]]:
    """Every blocking key of every record ("" where a record has none)."""
    freq: Counter[str] = Counter()
    for n in norms:
        freq.update(set(n.title.split()))
    doi, head, tail, rare, author_year, locator = [], [], [], [], [], []
    for n in norms:
        doi.append(n.doi)
        title = n.about.replace(" ", "") if n.notice else n.compact
        head.append(title[:PREFIX] if len(title) >= 8 else "")
        tail.append(title[-PREFIX:] if len(title) >= PREFIX + 6 else "")
        words = [w for w in set(n.title.split()) if w not in _COMMON and len(w) > 2]
        if len(words) >= MIN_RARE_WORDS:
            words.sort(key=lambda w: (freq[w], w))
            rare.append(" ".join(sorted(words[:2])))
        else:
            rare.append("")
        first = n.first_author
        author_year.append(f"{first}|{n.year}" if first and n.year else "")
        locator.append(f"{n.jkey}|{n.volume}|{n.first_page}" if n.first_page else "")
    return {
        "doi": doi,
        "title_head": head,
        "title_tail": tail,
        "rare_words": rare,
        "author_year": author_year,
        "locator": locator,
    }


def key_codes(keys: Sequence[str]) -> np.ndarray:
    """One integer per key, equal for equal keys; -1 for "" (no key).

    The string's hash serves: a key is only ever compared for equality, a collision (one
    in 2**64) costs one needless comparison and never a merge, and hashing is three times
    faster than factorising with pandas, which the command line then need not import.
    """
    return np.fromiter((hash(k) if k else -1 for k in keys), dtype=np.int64, count=len(keys))


def _pairs_for_key(keys: list[str], rank: np.ndarray, window: int) -> np.ndarray:
    """Pair codes (i * n + j, i < j) of records sharing a key, within the window."""
    n = len(keys)
    codes = key_codes(keys)  # a str's hash is never -1
    present = np.flatnonzero(codes != -1)
    if len(present) < 2:
        return np.empty(0, dtype=np.int64)
    order = present[np.lexsort((rank[present], codes[present]))]
    sorted_codes = codes[order]
    found = []
    for k in range(1, window + 1):
        if k >= len(order):
            break
        same = sorted_codes[:-k] == sorted_codes[k:]
        if not same.any():
            break
        i = order[:-k][same].astype(np.int64)
        j = order[k:][same].astype(np.int64)
        found.append(np.minimum(i, j) * n + np.maximum(i, j))
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def candidate_pairs(
    norms: Sequence[Norm], *, window: int = WINDOW
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """(first indices, second indices, pairs found per key), each pair once, i < j."""
    n = len(norms)
    if n < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, {}
    # Rank by title, ties broken by record id, so that which neighbours fall in a window
    # never depends on the order of the input.
    order = sorted(range(n), key=lambda i: norms[i].record.record_id)
    order.sort(key=lambda i: norms[i].compact)  # stable: ties stay in record-id order
    rank = np.empty(n, dtype=np.int64)
    rank[np.array(order, dtype=np.int64)] = np.arange(n)
    counts: dict[str, int] = {}
    found = []
    for name, keys in block_keys(norms).items():
        codes = _pairs_for_key(keys, rank, min(window, WINDOWS.get(name, window)))
        counts[name] = len(codes)
        found.append(codes)
    online = _online_first_pairs(norms, rank)
    counts["online_first"] = len(online)
    found.append(online)
    codes = np.sort(np.concatenate(found))
    # np.unique would import numpy.ma (50 ms of a command's start) to do the same.
    unique = codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if len(codes) else codes
    return unique // n, unique % n, counts


def _online_first_pairs(norms: Sequence[Norm], rank: np.ndarray) -> np.ndarray:
    """Pair codes of each online-first record with the records of its first author in its
    journal: all of them in a small block, its `WINDOW` title neighbours in a large one."""
    n = len(norms)
    blocks: dict[str, list[int]] = {}
    has_online: set[str] = set()
    for i, x in enumerate(norms):
        if x.first_author and x.jkey:
            key = f"{x.first_author}|{x.jkey}"
            blocks.setdefault(key, []).append(i)
            if x.online:
                has_online.add(key)
    found: list[int] = []
    for key in has_online:
        members = sorted(blocks[key], key=lambda k: rank[k])
        if len(members) < 2:
            continue
        for pos, i in enumerate(members):
            if not norms[i].online:
                continue
            near = (
                members
                if len(members) <= MAX_TEAM_BLOCK
                else members[max(0, pos - WINDOW) : pos + WINDOW + 1]
            )
            found += [min(i, j) * n + max(i, j) for j in near if j != i]
    return np.array(found, dtype=np.int64)
