"""Quality on the shared labelled sets (skipped when ../shared is absent): no false merge,
nearly every duplicate found, a short review queue with the true duplicates first. Speed
is measured by bench/dedupe_quality.py, not here."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from lib.dedupe import deduplicate
from lib.ingest import read_path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "dedupe"
REAL_SETS = ("sra2015_stroke", "sra2015_cytology_screening", "asysd_diabetes", "iebh_tafenoquine")

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="shared benchmark sets not present")


def _pairs(counts: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


@cache
def _run(name: str):
    records = read_path(SHARED / name / "records.csv").records
    return records, deduplicate(records)


def _quality(name: str, scope_column: str | None = None) -> tuple[int, int, int]:
    """(true pairs, predicted pairs, correct pairs), within ``scope_column`` if given."""
    records, result = _run(name)
    predicted = result.cluster_of

    def scope(rec) -> str:
        return rec.original[scope_column][0] if scope_column else ""

    truth = Counter((scope(r), r.original["group_id"][0]) for r in records)
    pred = Counter((scope(r), predicted[r.record_id]) for r in records)
    both = Counter((scope(r), predicted[r.record_id], r.original["group_id"][0]) for r in records)
    return _pairs(truth), _pairs(pred), _pairs(both)


@pytest.mark.parametrize("name", [*REAL_SETS, "bibdedupe_special_cases"])
def test_no_false_merge_and_recall_at_least_97_percent(name: str) -> None:
    true, predicted, correct = _quality(name)
    assert predicted - correct == 0, f"{predicted - correct} false-merge pairs"
    assert correct / true >= 0.97, f"recall {correct / true:.3f}"


def test_pair_cases_make_no_false_merge_within_a_case() -> None:
    # 25 independent pairs; some records are copies of records in other cases, so only
    # pairs inside one case are scored (see BENCHMARKS.md).
    true, predicted, correct = _quality("bibdedupe_pair_cases", scope_column="case_id")
    assert predicted - correct == 0
    assert correct >= true - 1  # the Cochrane .pub2/.pub3 update is vetoed by its DOIs


@pytest.mark.parametrize("name", [*REAL_SETS, "bibdedupe_special_cases", "bibdedupe_pair_cases"])
def test_the_review_queue_is_short_and_true_duplicates_come_first(name: str) -> None:
    # At most one pair per 50 records on every labelled set (issue 15), the hard-built
    # look-alike cases included.
    records, result = _run(name)
    truth = {r.record_id: r.original["group_id"][0] for r in records}
    queue = result.possible()
    assert len(queue) <= len(records) / 50, f"{len(queue)} pairs to review"
    true = [k for k, p in enumerate(queue) if truth[p.a] == truth[p.b]]
    false = [k for k, p in enumerate(queue) if truth[p.a] != truth[p.b]]
    if true and false:  # the true duplicates rank, on average, above the look-alikes
        assert sum(true) / len(true) < sum(false) / len(false), (true, false)


_NOT_ALL_OFFERED = pytest.mark.xfail(
    strict=True,
    reason="one missed pair is vetoed, not offered (BENCHMARKS.md, 'The review queue'): "
    "one abstract printed in two journals, a duplicate only in this set's labels",
)


@pytest.mark.parametrize(
    "name",
    [
        "asysd_diabetes",
        "iebh_tafenoquine",
        "bibdedupe_special_cases",
        "bibdedupe_pair_cases",
        "sra2015_cytology_screening",
        pytest.param("sra2015_stroke", marks=_NOT_ALL_OFFERED),
    ],
)
def test_every_duplicate_the_groups_miss_is_offered_for_review(name: str) -> None:
    records, result = _run(name)
    groups: dict[str, set[str]] = {}
    for r in records:
        groups.setdefault(r.original["group_id"][0], set()).add(result.cluster_of[r.record_id])
    missed = {frozenset((x, y)) for found in groups.values() for x in found for y in found if x < y}
    group = result.cluster_of
    offered = {frozenset((group[p.a], group[p.b])) for p in result.possible()}
    assert missed <= offered, f"{len(missed - offered)} of {len(missed)} not offered"
