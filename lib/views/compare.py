"""Two records side by side, field by field, saying where and how they differ.

A reviewer deciding whether two records are one publication looks for the field that
tells them apart (a page range, a year, a word of the title). `compare_records` lines the
fields up, marks each one and finds the words only one side has; `comparison_markdown`
shows that as a table whose cells wrap (whole titles, never cut) with those words
highlighted. Record text goes into it escaped character by character
(`lib.textsafe.escape_markdown`): it shows literally, never as HTML or Markdown.

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
from lib.textsafe import escape_markdown

__all__ = [
    "COMPARED_FIELDS",
    "DIFFERENT",
    "ONLY_A",
    "ONLY_B",
    "SAME",
    "SIMILAR",
    "FieldComparison",
    "compare_records",
    "comparison_markdown",
    "comparison_table",
    "loose",
    "marked_markdown",
    "words_only_here",
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
_WORD = re.compile(r"\w+")
# Fields whose differing words are highlighted (others differ as a whole: a page range).
_WORDY = ("title", "journal", "abstract", "keywords", "authors")


@dataclass(frozen=True, slots=True)
class FieldComparison:
    """One field of two records: the values as shown, the mark, and a short note."""

    field: str
    label: str
    a: str
    b: str
    match: str
    note: str = ""
    spans_a: tuple[tuple[int, int], ...] = ()  # words of ``a`` that ``b`` lacks
    spans_b: tuple[tuple[int, int], ...] = ()


def loose(text: str) -> str:
    """Lower case, accents and punctuation dropped, spacing folded: for 'differ only in …'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", plain.casefold()).replace("_", " ").split())


def words_only_here(text: str, other: str) -> list[tuple[int, int]]:
    """Where the words of ``text`` stand that ``other`` lacks (compared loosely: case,
    accents and punctuation aside), as ``(start, end)`` offsets into ``text``."""
    theirs = set(loose(other).split())
    out: list[tuple[int, int]] = []
    for match in _WORD.finditer(text):
        word = loose(match.group())
        if word and not all(part in theirs for part in word.split()):
            start, end = match.span()
            gap = text[out[-1][1] : start] if out else "x"
            if out and len(gap) <= 3 and not _WORD.search(gap):  # one run: one highlight
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
    return out


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
        spans_a: tuple[tuple[int, int], ...] = ()
        spans_b: tuple[tuple[int, int], ...] = ()
        if match == DIFFERENT and field in _WORDY:
            whole_a, whole_b = _shown(record_a, field), _shown(record_b, field)
            spans_a = tuple(s for s in words_only_here(a, whole_b) if s[1] <= len(a))
            spans_b = tuple(s for s in words_only_here(b, whole_a) if s[1] <= len(b))
        rows.append(FieldComparison(field, label, a, b, match, note, spans_a, spans_b))
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


# How a row's mark reads on the page: a coloured badge, in words.
_BADGES = {
    DIFFERENT: ":red-badge[differ]",
    SIMILAR: ":blue-badge[same, written differently]",
    ONLY_A: ":orange-badge[only A has it]",
    ONLY_B: ":orange-badge[only B has it]",
    SAME: "",
}
MARK = "orange-background"  # the Streamlit directive around the words only one side has
_BREAKS = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # str.splitlines' breaks


def _run(piece: str) -> str:
    """A run of record text as literal Markdown, keeping a space at either end
    (`escape_markdown` trims, and words either side of a mark must not run together)."""
    folded = _BREAKS.sub(" ", piece)
    if not folded.strip():
        return " " if folded else ""
    lead = " " if folded[0].isspace() else ""
    trail = " " if folded[-1].isspace() else ""
    return lead + escape_markdown(folded) + trail


def marked_markdown(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` as Markdown that shows it literally on one line, ``spans`` (in order, not
    overlapping) inside ``:orange-background[…]``. Every piece of the text is escaped."""
    parts, pos = [], 0
    for start, end in spans:
        if start < pos or end <= start or end > len(text):
            continue
        parts.append(_run(text[pos:start]))
        inner = escape_markdown(text[start:end])
        parts.append(f":{MARK}[{inner}]" if inner else "")
        pos = end
    parts.append(_run(text[pos:]))
    return "".join(parts).strip()


def comparison_markdown(
    record_a: Record, record_b: Record, head_a: str = "Record A", head_b: str = "Record B"
) -> str:
    """The comparison as a Markdown table: whole values, wrapped by the page, with the
    words only one side has highlighted, each row's mark as a badge and how they differ
    in words. ``head_a``/``head_b`` (record text too) head the columns.

    Every piece of record text is escaped (`lib.textsafe.escape_markdown`), so nothing in
    a record can become a link, an image, HTML or a table cell of its own.
    """

    def cell(text: str, spans: Sequence[tuple[int, int]] = ()) -> str:
        return marked_markdown(text, spans) or " "

    lines = [f"| | {cell(head_a)} | {cell(head_b)} | how |", "|:--|:--|:--|:--|"]
    for row in compare_records(record_a, record_b):
        badge = _BADGES.get(row.match, "")
        lines.append(
            f"| **{row.label}** {badge} | {cell(row.a, row.spans_a)} | "
            f"{cell(row.b, row.spans_b)} | {cell(row.note)} |"
        )
    return "\n".join(lines)
