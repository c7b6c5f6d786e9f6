"""Two records side by side, field by field, saying where and how they differ.

A reviewer deciding whether two records are one publication looks for the field that
tells them apart (a page range, a year, a word of the title). `compare_records` lines the
fields up and marks each one, so the page can show the table as plain text and colour
the rows that differ; nothing here renders HTML or Markdown.

The marks, weakest difference first:

- ``""`` the values are identical (or both empty);
- ``"≈"`` they differ only in case, accents, punctuation or spacing (for authors: the
  same family names in the same order, given names written differently);
- ``"A only"`` / ``"B only"`` one record has a value, the other none;
- ``"≠"`` they differ; the note says how (words only in one title, page ranges).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from lib.model import Record

__all__ = [
    "COMPARED_FIELDS",
    "DIFFERENT",
    "ONLY_A",
    "ONLY_B",
    "SAME",
    "SIMILAR",
    "FieldComparison",
    "compare_records",
    "comparison_table",
    "loose",
]

SAME, SIMILAR, ONLY_A, ONLY_B, DIFFERENT = "", "≈", "A only", "B only", "≠"

# (Record attribute, label) in the order a reviewer reads a reference.
COMPARED_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Title"),
    ("authors", "Authors"),
    ("year", "Year"),
    ("journal", "Journal"),
    ("volume", "Volume"),
    ("issue", "Issue"),
    ("pages", "Pages"),
    ("doi", "DOI"),
    ("entrytype", "Kind"),
    ("abstract", "Abstract"),
    ("keywords", "Keywords"),
    ("language", "Language"),
)
ABSTRACT_CHARS = 400  # an abstract is cut to this in the table; the page shows it whole
_MAX_WORDS = 8  # words listed per side in a note

_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """One field of two records: the values as shown, the mark, and a short note."""

    field: str
    label: str
    a: str
    b: str
    match: str
    note: str = ""


def loose(text: str) -> str:
    """Lower case, accents and punctuation dropped, spacing folded: for 'differ only in …'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", plain.casefold()).replace("_", " ").split())


def _shown(record: Record, field: str) -> str:
    value = getattr(record, field)
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _family_names(authors: Sequence[str]) -> list[str]:
    """Family names as written: text before the comma ("Smith, J."), else the last word."""
    out = []
    for name in authors:
        family = name.split(",", 1)[0] if "," in name else (name.split() or [""])[-1]
        out.append(loose(family))
    return out


def _word_note(a: str, b: str) -> str:
    """Words found in one value only, in the order they appear (a few of each)."""
    words_a, words_b = loose(a).split(), loose(b).split()
    set_a, set_b = set(words_a), set(words_b)
    only_a = list(dict.fromkeys(w for w in words_a if w not in set_b))
    only_b = list(dict.fromkeys(w for w in words_b if w not in set_a))
    parts = []
    for side, words in (("A", only_a), ("B", only_b)):
        if words:
            more = f" (+{len(words) - _MAX_WORDS} more)" if len(words) > _MAX_WORDS else ""
            parts.append(f"only in {side}: {' '.join(words[:_MAX_WORDS])}{more}")
    if not parts:
        return "same words, different order or repeats"
    return "; ".join(parts)


def _compare(field: str, record_a: Record, record_b: Record) -> tuple[str, str]:
    """(mark, note) for one field."""
    a, b = _shown(record_a, field), _shown(record_b, field)
    if a == b:
        return SAME, ""
    if not b:
        return ONLY_A, ""
    if not a:
        return ONLY_B, ""
    if field == "authors":
        fam_a, fam_b = _family_names(record_a.authors), _family_names(record_b.authors)
        if loose(a) == loose(b) or fam_a == fam_b:
            return SIMILAR, "same family names; given names written differently"
        note = f"{len(fam_a)} vs {len(fam_b)} authors" if len(fam_a) != len(fam_b) else ""
        first = "first author differs" if fam_a[:1] != fam_b[:1] else ""
        return DIFFERENT, "; ".join(p for p in (note, first) if p)
    if loose(a) == loose(b):
        return SIMILAR, "case, accents or punctuation only"
    if field in ("title", "journal", "abstract", "keywords"):
        return DIFFERENT, _word_note(a, b)
    return DIFFERENT, ""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def compare_records(record_a: Record, record_b: Record) -> list[FieldComparison]:
    """The bibliographic fields of two records side by side, in `COMPARED_FIELDS` order.

    Fields empty in both records are left out. Abstracts are cut to `ABSTRACT_CHARS`
    characters for the table (the comparison itself uses the whole text). Where each
    record comes from (id, database, file) is not compared: it always differs.
    """
    rows: list[FieldComparison] = []
    for field, label in COMPARED_FIELDS:
        a, b = _shown(record_a, field), _shown(record_b, field)
        if not a and not b:
            continue
        match, note = _compare(field, record_a, record_b)
        if field == "abstract":
            a, b = _cut(a, ABSTRACT_CHARS), _cut(b, ABSTRACT_CHARS)
        rows.append(FieldComparison(field, label, a, b, match, note))
    return rows


def comparison_table(record_a: Record, record_b: Record) -> pd.DataFrame:
    """`compare_records` as a table: Field, Record A, Record B, Match, How."""
    rows = compare_records(record_a, record_b)
    return pd.DataFrame(
        {
            "Field": [r.label for r in rows],
            "Record A": [r.a for r in rows],
            "Record B": [r.b for r in rows],
            "Match": [r.match for r in rows],
            "How": [r.note for r in rows],
        }
    )
