"""Synthetic bibliographic exports with known duplicates, for the scale benchmark.

Publications are drawn from word, name and journal pools with realistic skew (a few very
common family names and title words, many rare ones); each publication is exported one
to four times, and every copy is corrupted the way databases differ: title case and
punctuation, titles cut short, journals abbreviated, authors as initials or full names,
missing DOI, pages written "1049-58", a dropped issue. The ground truth (publication id
per record) is returned alongside, so quality can be checked at scale too.

    python bench/dedupe_synthetic.py 10000 --out synthetic-10k.csv   # write a CSV
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib.model import Record

_SYLLABLES = (
    "ka ri to ma ne lo su vi an ter gen bio cyt neur card path hep ren mal psy soc ed lin "
    "ox im mun par tra pro syn dia met ast phy chem log ther cor med vas der gas col"
).split()
_FAMILY_PARTS = (
    "wang li zhang chen liu smith jones brown garcia muller kim park nguyen silva rossi "
    "berg dahl holm lund ek son sen man ton ley ford worth stein feld baum rich wald haus"
).split()
_GIVEN = (
    "John Mary Wei Li Anna Peter Maria James Yuki Sara Omar Ines Lars Emma Raj Chen Ana "
    "Paul Laura David Olga Ivan Mei Hugo Nora Ali Eva Tom Kai"
).split()
_JOURNAL_HEADS = ("Journal of", "International Journal of", "Annals of", "Archives of", "")
_JOURNAL_FIELDS = (
    "Clinical Research Medicine Psychology Criminology Nursing Oncology Cardiology Public "
    "Health Social Sciences Education Neuroscience Epidemiology Pharmacology Rehabilitation "
    "Behavior Justice Forensic Mental Community Applied Experimental Biological Chemistry"
).split()


def _zipf_choice(rng: random.Random, pool: list[str], s: float = 1.1) -> str:
    # Inverse-CDF sample of a Zipf-like rank: few items very common, a long tail rare.
    n = len(pool)
    rank = int(n ** rng.random() ** s) - 1
    return pool[min(max(rank, 0), n - 1)]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    out = sorted(words)
    rng.shuffle(out)
    return out


def _families(rng: random.Random, size: int) -> list[str]:
    """Family names, the most common first ("Wang", "Li", ...), then a long tail."""
    common = [p.capitalize() for p in _FAMILY_PARTS[:8]]
    names: set[str] = set()
    while len(names) < size:
        tail = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3)))
        names.add((rng.choice(_FAMILY_PARTS) + tail).capitalize())
    rest = sorted(names - set(common))
    rng.shuffle(rest)
    return common + rest


def _journals(rng: random.Random, size: int) -> list[tuple[str, str]]:
    """(full name, standard abbreviation) pairs."""
    out = {}
    while len(out) < size:
        fields = rng.sample(_JOURNAL_FIELDS, rng.randint(1, 3))
        head = rng.choice(_JOURNAL_HEADS)
        full = " ".join(
            x for x in (head, " and ".join(fields) if len(fields) == 2 else " ".join(fields)) if x
        )
        abbrev_words = []
        for word in full.split():
            if word.lower() in ("of", "and", "the"):
                continue
            cut = rng.randint(3, 6)
            abbrev_words.append(word if len(word) <= cut else word[:cut])
        out[full] = " ".join(abbrev_words)
    return list(out.items())


class _Pools:
    def __init__(self, rng: random.Random, n_publications: int) -> None:
        self.words = _vocabulary(rng, max(5000, min(60000, n_publications // 5)))
        self.families = _families(rng, max(2000, min(200000, n_publications // 3)))
        self.journals = _journals(rng, max(200, min(20000, n_publications // 50)))


def _publication(rng: random.Random, pools: _Pools, k: int) -> dict[str, object]:
    n_words = rng.randint(5, 18)
    words = [_zipf_choice(rng, pools.words) for _ in range(n_words)]
    title = " ".join(words).capitalize()
    if rng.random() < 0.3:
        cut = rng.randint(2, n_words - 2)
        title = " ".join(words[:cut]).capitalize() + ": " + " ".join(words[cut:])
    authors = [
        (
            _zipf_choice(rng, pools.families, 1.3),
            rng.choice(_GIVEN),
            rng.choice("ABCDEFGHJKLMNPRST"),
        )
        for _ in range(rng.randint(1, 8))
    ]
    journal = pools.journals[int(len(pools.journals) * rng.random() ** 2)]
    first = rng.randint(1, 2000)
    return {
        "title": title,
        "authors": authors,
        "year": rng.randint(1990, 2024),
        "journal": journal,
        "volume": str(rng.randint(1, 120)),
        "issue": str(rng.randint(1, 12)),
        "first": first,
        "last": first + rng.randint(0, 30),
        "doi": f"10.{rng.randint(1000, 9999)}/j.{k:07d}" if rng.random() < 0.75 else "",
    }


def _corrupt(rng: random.Random, pub: dict[str, object]) -> dict[str, str]:
    title = str(pub["title"])
    r = rng.random()
    if r < 0.15:
        title = title.upper()
    elif r < 0.3:
        title = title.lower()
    if rng.random() < 0.2:
        title = title.replace(":", " -").replace(",", "")
    if rng.random() < 0.1:
        title = title + "."
    if rng.random() < 0.08 and len(title) > 60:
        title = title[: rng.randint(50, len(title) - 5)]
    if rng.random() < 0.05:  # a typo
        i = rng.randrange(len(title))
        title = title[:i] + title[i + 1 :]
    initials = rng.random() < 0.5
    names = []
    for family, given, middle in pub["authors"]:  # type: ignore[union-attr]
        if initials:
            names.append(f"{family}, {given[0]}. {middle}.")
        else:
            names.append(f"{family}, {given} {middle}.")
    if len(names) > 3 and rng.random() < 0.1:
        names = [*names[:3], "et al."]
    full, abbrev = pub["journal"]  # type: ignore[misc]
    journal = abbrev if rng.random() < 0.4 else full
    if rng.random() < 0.1:
        journal = journal.upper()
    first, last = int(pub["first"]), int(pub["last"])  # type: ignore[arg-type]
    if last > first and rng.random() < 0.4:
        pages = f"{first}-{str(last)[-2:] if last >= 100 else last}"
    elif last > first:
        pages = f"{first}-{last}"
    else:
        pages = str(first)
    return {
        "title": title,
        "authors": "; ".join(names),
        "year": str(pub["year"]),
        "journal": journal,
        "volume": str(pub["volume"]),
        "issue": str(pub["issue"]) if rng.random() < 0.85 else "",
        "pages": pages if rng.random() < 0.95 else "",
        "doi": str(pub["doi"]) if rng.random() < 0.7 else "",
    }


def generate(n_records: int, *, seed: int = 7) -> tuple[list[dict[str, str]], dict[str, str]]:
    """``n_records`` rows (canonical CSV columns) and record id → publication id."""
    rng = random.Random(seed)
    pools = _Pools(rng, n_records)
    rows: list[dict[str, str]] = []
    truth: dict[str, str] = {}
    k = 0
    while len(rows) < n_records:
        pub = _publication(rng, pools, k)
        copies = rng.choices((1, 2, 3, 4), weights=(55, 30, 10, 5))[0]
        for _ in range(min(copies, n_records - len(rows))):
            row = _corrupt(rng, pub)
            row["record_id"] = f"r{len(rows):07d}"
            truth[row["record_id"]] = f"p{k:07d}"
            rows.append(row)
        k += 1
    order = list(range(len(rows)))
    rng.shuffle(order)
    return [rows[i] for i in order], truth


def to_records(rows: list[dict[str, str]]) -> list[Record]:
    """Rows as `Record`s, the way a reader would give them."""
    return [
        Record(
            record_id=row["record_id"],
            entrytype="article",
            title=row["title"],
            authors=row["authors"].split("; ") if row["authors"] else [],
            year=int(row["year"]),
            journal=row["journal"],
            volume=row["volume"],
            issue=row["issue"],
            pages=row["pages"],
            doi=row["doi"],
        )
        for row in rows
    ]


COLUMNS = ("record_id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi")


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rows, _ = generate(args.n, seed=args.seed)
    write_csv(rows, args.out)


if __name__ == "__main__":
    main()
