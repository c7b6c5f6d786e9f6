"""Agreement of the automatic codes with careful hand-coding, per facet, on real text.

Sets:

- ``../shared/benchmarks/coding/prison-abstracts/``: 168 real abstracts of prison research,
  hand-coded (title + abstract only). Reported whole, and in two fixed halves split by
  record id (`lib.coding.agreement.half_of`): the codebook was tuned looking only at the
  "tune" half, so the "held-out" half is the honest estimate for unseen abstracts.
- the demo corpus (``data/demo/studies.csv``): title + demo summary against the shared hand
  codes (summaries written in the codebook's words: a sanity check, not evidence).

Accuracy for single-valued facets, micro-F1 over (study, code) pairs for multi-valued
ones, then the confusion of method and direction (hand code -> automatic code) and how
well the confidence separates right from wrong codes.

    .venv/bin/python bench/coding_agreement.py                 # report
    .venv/bin/python bench/coding_agreement.py --half tune --misses method   # tuning aid
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.coding import FACETS, code_records, default_codebook_path, load_codebook  # noqa: E402
from lib.coding.agreement import (  # noqa: E402
    HandCoded,
    agreement,
    half_of,
    read_hand_coded,
)
from lib.model import Record  # noqa: E402

SHARED_SET = ROOT.parent / "shared" / "benchmarks" / "coding" / "prison-abstracts"
DEMO = ROOT / "data" / "demo" / "studies.csv"


def demo_items() -> list[HandCoded]:
    with DEMO.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        record = Record(record_id=r["study_id"], title=r["title"], abstract=r["summary"])
        codes = {
            f: tuple(p.strip() for p in r[f.replace("-", "_")].split(";") if p.strip())
            for f in FACETS
        }
        out.append(HandCoded(record, codes))
    return out


def table(sets: dict[str, list[HandCoded]], codebook) -> str:
    results = {name: agreement(items, codebook) for name, items in sets.items()}
    head = "| facet | measure | " + " | ".join(f"{n} ({len(sets[n])})" for n in sets) + " |"
    lines = [head, "|---|---|" + "---:|" * len(sets)]
    for facet in FACETS:
        first = next(iter(results.values()))[facet]
        cells = " | ".join(f"{results[n][facet].score:.3f}" for n in sets)
        lines.append(f"| {facet} | {first.measure} | {cells} |")
    return "\n".join(lines)


def confusion(items: list[HandCoded], codebook, facet: str) -> str:
    result = agreement(items, codebook)[facet]
    codes = list(codebook.facet(facet).codes)
    used = [c for c in codes if any(c in pair for pair in result.confusion)]
    lines = [
        f"| hand \\ auto | {' | '.join(used)} |",
        "|---|" + "---:|" * len(used),
    ]
    for h in used:
        row = [str(result.confusion.get((h, a), "")) or "·" for a in used]
        lines.append(f"| {h} | {' | '.join(row)} |")
    return "\n".join(lines)


def calibration(items: list[HandCoded], codebook) -> str:
    """Accuracy of method and direction by confidence band."""
    codings = {c.record_id: c for c in code_records([i.record for i in items], codebook)}
    bands = [(0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01)]
    lines = ["| facet | " + " | ".join(f"conf {a:.1f}-{min(b, 1):.1f}" for a, b in bands) + " |"]
    lines.append("|---|" + "---:|" * len(bands))
    for facet in ("method", "direction"):
        fallback = codebook.facet(facet).fallback
        cells = []
        for low, high in bands:
            got = [
                (next(iter(i.codes[facet]), fallback) == codings[i.record.record_id].one(facet))
                for i in items
                if low <= codings[i.record.record_id].confidence[facet] < high
            ]
            cells.append(f"{sum(got) / len(got):.2f} ({len(got)})" if got else "–")
        lines.append(f"| {facet} | {' | '.join(cells)} |")
    return "\n".join(lines)


def misses(items: list[HandCoded], codebook, facet: str) -> None:
    codings = {c.record_id: c for c in code_records([i.record for i in items], codebook)}
    for item in items:
        c = codings[item.record.record_id]
        hand, auto = set(item.codes[facet]), set(c.get(facet))
        if hand != auto:
            ev = "; ".join(f"{e.code}:{e.phrase}[{e.role}]" for e in c.evidence_for(facet))
            print(
                f"{item.record.record_id} hand={sorted(hand)} auto={sorted(auto)} "
                f"conf={c.confidence[facet]:.2f} :: {ev}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("all", "tune", "held-out", "demo"), default="all")
    parser.add_argument("--misses", metavar="FACET", help="list the records a facet gets wrong")
    args = parser.parse_args()
    codebook = load_codebook(default_codebook_path())
    if not SHARED_SET.exists():
        sys.exit(f"{SHARED_SET} is absent: the agreement on real abstracts needs ../shared")
    real = read_hand_coded(SHARED_SET)
    if args.misses:
        if args.half == "demo":
            chosen = demo_items()
        elif args.half == "all":
            chosen = real
        else:
            chosen = [i for i in real if half_of(i.record.record_id) == args.half]
        misses(chosen, codebook, args.misses)
        return
    sets = {
        "shared, all": real,
        "tune half": [i for i in real if half_of(i.record.record_id) == "tune"],
        "held-out half": [i for i in real if half_of(i.record.record_id) == "held-out"],
        "demo": demo_items(),
    }
    print(table(sets, codebook))
    for facet in ("method", "direction"):
        print(f"\nConfusion of {facet} on the shared set (rows: hand, columns: automatic):\n")
        print(confusion(real, codebook, facet))
    print("\nAccuracy by confidence on the shared set (records in brackets):\n")
    print(calibration(real, codebook))


if __name__ == "__main__":
    main()
