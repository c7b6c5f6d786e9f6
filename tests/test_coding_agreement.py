"""Agreement of automatic coding with hand-coding, per facet, against the project's targets.

Primary set: the demo corpus (``data/demo/studies.csv``): 41 real studies, coded by hand in
the shared fact sheet; a record here is the study's title and its demo summary, as the
app sees it. Single-valued facets are scored by accuracy, multi-valued ones by micro-F1
over all (study, code) pairs. Targets: method >= 0.90, population >= 0.85,
direction >= 0.80; the other facets are reported.

Real prison-research abstracts (``../shared/benchmarks/coding/prison-abstracts/``, 168
hand-coded; skipped when absent): a floor under today's agreement per facet, so that a
codebook or engine change cannot silently fall back. The floor guards against regressions;
it is not the target (method 0.90, population 0.90, direction 0.75; see BENCHMARKS.md).

Held-out check: the `method` of the 47 records with an abstract in a real Zotero export
of green-criminology literature (``../shared/samples``), coded by hand for this project
(``tests/data/coding/green_criminology_method.csv``, codes only). Off-topic for the
codebook, so it shows how far the method rules carry to unseen real abstracts; its
threshold is what the rules honestly reach, not the target.

Run with ``-s`` to see the report.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest

from lib.coding import (
    FACETS,
    code_records,
    code_texts,
    default_codebook_path,
    facet_column,
    load_codebook,
)
from lib.coding.agreement import agreement, half_of, read_hand_coded
from lib.model import Record
from tests.conftest import DATA, ROOT, shared_path

DEMO = ROOT / "data" / "demo" / "studies.csv"
TARGETS = {"method": 0.90, "population": 0.85, "direction": 0.80}
HELD_OUT_METHOD_FLOOR = 0.60


def split(cell: str) -> set[str]:
    return {part.strip() for part in cell.split(";") if part.strip()}


@cache
def demo_scores() -> tuple[dict[str, float], dict[str, int], int]:
    if not DEMO.exists():
        pytest.skip(f"{DEMO} is absent")
    with DEMO.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codebook = load_codebook(default_codebook_path())
    records = [
        Record(record_id=r["study_id"], title=r["title"], abstract=r["summary"]) for r in rows
    ]
    codings = code_records(records, codebook)
    scores: dict[str, float] = {}
    unclear: dict[str, int] = {}
    for facet in FACETS:
        column = facet_column(facet)
        gold = [split(r[column]) for r in rows]
        pred = [set(c.get(facet)) for c in codings]
        if codebook.facet(facet).single:
            scores[facet] = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(rows)
            unclear[facet] = sum(p == {"unclear"} for p in pred)
        else:
            tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
            fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
            fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
            scores[facet] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return scores, unclear, len(rows)


def test_demo_agreement_meets_the_targets() -> None:
    scores, unclear, n = demo_scores()
    print(f"\nagreement with hand-coding on the demo corpus ({n} studies, title + summary):")
    for facet, score in scores.items():
        kind = "accuracy" if facet in unclear else "micro-F1"
        target = f"  (target {TARGETS[facet]:.2f})" if facet in TARGETS else ""
        print(f"  {facet:12s} {kind:9s} {score:.3f}{target}")
    for facet, count in unclear.items():
        print(f"  {facet} left unclear: {count} of {n}")
    failing = {f: round(scores[f], 3) for f, t in TARGETS.items() if scores[f] < t}
    assert not failing, f"below target: {failing} (targets {TARGETS})"


def test_every_facet_agrees_better_than_chance_level() -> None:
    # a floor well under today's figures, so a codebook edit that breaks a facet shows up
    scores, _, _ = demo_scores()
    assert all(score >= 0.6 for score in scores.values()), scores


def test_held_out_method_on_real_criminology_abstracts() -> None:
    sample = shared_path("samples", "zotero-csv-green-criminology.csv")
    with (DATA / "coding" / "green_criminology_method.csv").open(encoding="utf-8") as fh:
        gold = {r["key"]: r["method"] for r in csv.DictReader(fh)}
    with Path(sample).open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Key"] in gold]
    assert len(rows) == len(gold) == 47
    codebook = load_codebook(default_codebook_path())
    right = 0
    confusions: dict[tuple[str, str], int] = {}
    for row in rows:
        texts = {"title": row["Title"], "abstract": row["Abstract Note"]}
        got = code_texts(row["Key"], texts, codebook).method
        want = gold[row["Key"]]
        right += got == want
        if got != want:
            confusions[(want, got)] = confusions.get((want, got), 0) + 1
    accuracy = right / len(rows)
    print(f"\nheld-out method accuracy (green criminology, {len(rows)} abstracts): {accuracy:.3f}")
    for (want, got), count in sorted(confusions.items(), key=lambda kv: -kv[1]):
        print(f"  hand {want:18s} -> automatic {got:18s} x{count}")
    assert accuracy >= HELD_OUT_METHOD_FLOOR


# Agreement on the 168 real abstracts when this floor was set (round 3): method 0.804,
# population 0.780, direction 0.637 (held-out half 0.731 / 0.814 / 0.487). A little under,
# for noise from codebook edits that are improvements elsewhere.
SHARED_FLOORS = {"method": 0.78, "population": 0.76, "direction": 0.61, "country": 0.90}


def test_agreement_on_real_prison_abstracts_does_not_fall_back() -> None:
    folder = ROOT.parent / "shared" / "benchmarks" / "coding" / "prison-abstracts"
    if not folder.exists():
        pytest.skip(f"{folder} is absent (the shared data)")
    items = read_hand_coded(folder)
    assert len(items) == 168
    codebook = load_codebook(default_codebook_path())
    result = agreement(items, codebook)
    held_out = agreement([i for i in items if half_of(i.record.record_id) == "held-out"], codebook)
    print("\nagreement on 168 real prison abstracts (held-out half in brackets):")
    for facet, found in result.items():
        print(f"  {facet:12s} {found.measure:9s} {found.score:.3f} ({held_out[facet].score:.3f})")
    low = {f: round(result[f].score, 3) for f, floor in SHARED_FLOORS.items()
           if result[f].score < floor}  # fmt: skip
    assert not low, f"fell below the floor: {low} (floors {SHARED_FLOORS})"


def test_the_tuning_split_is_fixed_and_about_half() -> None:
    halves = [half_of(f"cd{n:03d}") for n in range(1, 169)]
    assert halves == [half_of(f"cd{n:03d}") for n in range(1, 169)]
    assert 60 <= halves.count("held-out") <= 108
