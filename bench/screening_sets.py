"""The labelled screening sets of ``../shared/benchmarks/screening/``, read whole.

Every row of each file is read with the standard csv module (title, abstract, label), so
the figures compare with the README's reference numbers, which count every row; the
app's readers skip the 26 ACE rows that have an abstract but no title, author or DOI.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from lib.screening.ranking import document_text

SETS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "screening"
SETS = (
    "cohen_2006_ace_inhibitors",
    "bannach_brown_2019_depression_models",
    "kwok_2020_virus_metagenomics",
)


def load(name: str, abstract_only: bool = False) -> tuple[list[str], np.ndarray]:
    """Texts (title + abstract) and labels of one set; ``abstract_only`` keeps only the
    records with an abstract (as the versions ASReview's published figures were made on)."""
    with (SETS_DIR / name / "records.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if abstract_only:
        rows = [r for r in rows if r["abstract"].strip()]
    texts = [document_text(r["title"], r["abstract"]) for r in rows]
    labels = np.array([int(r["label_included"]) for r in rows], dtype=np.int8)
    return texts, labels
