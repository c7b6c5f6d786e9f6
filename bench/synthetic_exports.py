"""Synthetic RIS and BibTeX exports of any size, for the ingest benchmark.

Records look like real database output (several authors, an abstract of ~1,500
characters, keywords, DOI, pages) so that parse time per record is realistic. Seeded, so
every run writes the same files.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (
    "peer support prison listener mentor desistance wellbeing suicide self-harm qualitative "
    "interviews thematic analysis offenders custody rehabilitation programme evaluation "
    "outcomes identity recovery staff culture training volunteers reoffending education"
).split()
FAMILIES = ["Smith", "Jones", "Perrin", "Blagden", "Frost", "Ware", "Müller", "García", "Nguyen"]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _fields(rng: random.Random, i: int) -> dict[str, object]:
    return {
        "title": _sentence(rng, 12),
        "authors": [f"{rng.choice(FAMILIES)}, {chr(65 + rng.randrange(26))}." for _ in range(4)],
        "year": 1990 + i % 35,
        "journal": f"Journal of {rng.choice(WORDS).title()} Studies",
        "volume": str(1 + i % 60),
        "issue": str(1 + i % 6),
        "pages": (100 + i % 900, 110 + i % 900),
        "doi": f"10.{1000 + i % 9000}/bench.{i}",
        "abstract": " ".join(_sentence(rng, 15) for _ in range(12)),
        "keywords": [rng.choice(WORDS) for _ in range(5)],
    }


def write_ris(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            f = _fields(rng, i)
            lines = ["TY  - JOUR", f"ID  - bench{i}"]
            lines += [f"AU  - {a}" for a in f["authors"]]  # type: ignore[union-attr]
            lines += [
                f"TI  - {f['title']}",
                f"PY  - {f['year']}",
                f"T2  - {f['journal']}",
                f"VL  - {f['volume']}",
                f"IS  - {f['issue']}",
                f"SP  - {f['pages'][0]}",  # type: ignore[index]
                f"EP  - {f['pages'][1]}",  # type: ignore[index]
                f"DO  - {f['doi']}",
                f"AB  - {f['abstract']}",
            ]
            lines += [f"KW  - {k}" for k in f["keywords"]]  # type: ignore[union-attr]
            lines += ["ER  - ", ""]
            fh.write("\n".join(lines) + "\n")


def write_bibtex(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            f = _fields(rng, i)
            fh.write(
                f"@article{{bench{i},\n"
                f"  author = {{{' and '.join(f['authors'])}}},\n"  # type: ignore[arg-type]
                f"  title = {{{f['title']}}},\n"
                f"  journal = {{{f['journal']}}},\n"
                f"  year = {{{f['year']}}},\n"
                f"  volume = {{{f['volume']}}},\n"
                f"  number = {{{f['issue']}}},\n"
                f"  pages = {{{f['pages'][0]}--{f['pages'][1]}}},\n"  # type: ignore[index]
                f"  doi = {{{f['doi']}}},\n"
                f"  abstract = {{{f['abstract']}}},\n"
                f"  keywords = {{{', '.join(f['keywords'])}}}\n"  # type: ignore[arg-type]
                "}\n\n"
            )
