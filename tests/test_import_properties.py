"""Property tests for the paths issue 16 added: exports joined, cut short, or random.

- Joined: two exports of one line-tagged format with a byte-order mark between them
  (with or without a line break before it) read as the two exports read apart.
- Cut: every record start left in a cut export is a record read (maybe marked
  incomplete) or skipped, never lost.
- Random: comments, escaped backslashes, trailing delimiters, NUL bytes and code pages
  drawn at random give the records the clean input gives.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lib.encoding import decode, normalise_newlines
from lib.readers import bibtex, cochrane, csvtable, medline, ovid, proquest, refer, ris, wos
from lib.readers.base import ReadError, ReadResult
from tests.conftest import DATA
from tests.reader_checks import assert_sane

READERS = DATA / "readers"
FAMILIES = DATA / "families"

# format -> (reader, fixtures written for the reader tests)
TAGGED = {
    "ris": (ris.read, ["ris/scopus.ris", "ris/ebsco_crlf.ris", "ris/ovid_numbered.ris"]),
    "medline": (medline.read, ["medline/peer-support.nbib"]),
    "wos": (wos.read, ["wos/full-record.txt"]),
    "cochrane": (cochrane.read, ["cochrane/central-three.txt"]),
    "ovid": (
        ovid.read,
        [
            "ovid/medline-labelled.txt",
            "ovid/biosis-ipsa-tagged.txt",
            "ovid/embase-labelled-crlf.txt",
        ],
    ),
    "proquest": (proquest.read, ["proquest/criminology-three.txt"]),
    "refer": (refer.read, ["refer/endnote.enw", "refer/scholar.enw", "refer/refer_classic.txt"]),
}


def _text(path: str) -> str:
    return decode((READERS / path).read_bytes(), path)[0]


TEXTS = {fmt: [_text(p) for p in paths] for fmt, (_, paths) in TAGGED.items()}


def _shape(result: ReadResult, offset: int = 0) -> list[tuple[object, ...]]:
    """What a user sees of each record, line numbers moved by ``offset``."""
    return [
        (r.title, tuple(r.authors), r.year, r.doi, r.abstract, r.incomplete, (r.line or 0) + offset)
        for r in result.records
    ]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(TAGGED)),
    st.data(),
    st.sampled_from(["", "\n", "\n\n"]),
)
def test_two_exports_joined_by_a_byte_order_mark_read_as_two(
    fmt: str, data: st.DataObject, joint: str
) -> None:
    read, _ = TAGGED[fmt]
    first = data.draw(st.sampled_from(TEXTS[fmt]), label="first").rstrip("\n")
    second = data.draw(st.sampled_from(TEXTS[fmt]), label="second")
    apart = _shape(read(first, "a")) + _shape(read(second, "b"), offset=(first + joint).count("\n"))
    joined = read(first + joint + "\ufeff" + second, "joined")
    assert _shape(joined) == apart
    assert_sane(read, first + joint + "\ufeff" + second, "joined")


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(TAGGED)), st.data())
def test_an_export_cut_anywhere_then_another_appended_keeps_the_second_whole(
    fmt: str, data: st.DataObject
) -> None:
    """Whatever the first export's cut left open, nothing of it runs into the second."""
    read, _ = TAGGED[fmt]
    first = data.draw(st.sampled_from(TEXTS[fmt]), label="first")
    cut = first[: data.draw(st.integers(0, len(first)), label="cut")]
    second = data.draw(st.sampled_from(TEXTS[fmt]), label="second")
    text = cut + "\ufeff" + second
    try:
        joined = read(text, "joined")
    except ReadError:
        return
    alone = _shape(read(second, "b"), offset=cut.count("\n"))
    assert _shape(joined)[-len(alone) :] == alone
    assert_sane(read, text, "joined")


# format -> the line that starts each record of its fixtures
STARTS = {
    "ris": re.compile(r"^TY  -", re.MULTILINE),
    "medline": re.compile(r"^PMID-", re.MULTILINE),
    "wos": re.compile(r"^PT(?: |$)", re.MULTILINE),
    "cochrane": re.compile(r"^\s*Record #\s*\d+ of \d+\s*$", re.MULTILINE),
    "proquest": re.compile(r"^\s*Document \d+ of \d+\s*$", re.MULTILINE),
}


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(STARTS)), st.data())
def test_every_record_start_left_in_a_cut_export_is_counted(fmt: str, data: st.DataObject) -> None:
    read, _ = TAGGED[fmt]
    text = normalise_newlines(data.draw(st.sampled_from(TEXTS[fmt]), label="export"))
    cut = text[: data.draw(st.integers(1, len(text)), label="cut")]
    starts = len(STARTS[fmt].findall(cut))
    try:
        result = read(cut, "cut")
    except ReadError:
        assert starts == 0
        return
    assert len(result.records) + len(result.skipped) == starts
    assert_sane(read, cut, "cut")


# -- BibTeX -----------------------------------------------------------------------------------
_ENTRY = "@article{{key{n},\n  title = {{Title {n}}},\n  year = {{20{n:02d}}},\n}}\n"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=8), st.sampled_from(["\n", "", "  "]))
def test_entries_wrapped_in_comments_never_come_back(hidden: list[bool], pad: str) -> None:
    parts = []
    for n, comment in enumerate(hidden):
        entry = _ENTRY.format(n=n)
        parts.append(f"@comment{{{pad}{entry}}}\n" if comment else entry)
    if all(hidden):
        with pytest.raises(ReadError, match="inside @comment blocks"):
            bibtex.read("\n".join(parts), "x.bib")
        return
    result = bibtex.read("\n".join(parts), "x.bib")
    assert [r.record_id for r in result.records] == [
        f"key{n}" for n, comment in enumerate(hidden) if not comment
    ]
    assert result.skipped == []


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 7), st.text(alphabet="ab {}\\", max_size=12))
def test_backslash_runs_before_a_closing_brace_read_by_parity(n: int, noise: str) -> None:
    text = (
        "@article{first,\n  title = {Path" + "\\" * n + "},\n  year = {2020},\n}\n"
        f"@article{{second,\n  title = {{Second {noise}}},\n  year = {{2021}},\n}}\n"
    )
    result = bibtex.read(text, "x.bib")
    assert_sane(bibtex.read, text, "x.bib")
    if n % 2 == 0:  # every backslash escaped by the one before: the brace closes the title
        first = next(r for r in result.records if r.record_id == "first")
        assert (first.year, first.incomplete) == (2020, "")


# -- CSV --------------------------------------------------------------------------------------
_ROWS = st.lists(
    st.tuples(
        st.text(alphabet="abc de", min_size=1, max_size=10),
        st.sampled_from(["Doe, J", "Roe, R", ""]),
        st.integers(1990, 2030),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=100, deadline=None)
@given(_ROWS, st.sets(st.integers(0, 7)), st.sampled_from([",", ";", "\t"]))
def test_an_empty_cell_after_the_last_column_changes_nothing(
    rows: list[tuple[str, str, int]], trailing: set[int], delimiter: str
) -> None:
    def table(extra: set[int]) -> str:
        lines = [delimiter.join(["Title", "Authors", "Year"])]
        for i, (title, author, year) in enumerate(rows):
            cells = [f'"{title}"', f'"{author}"', str(year)]
            lines.append(delimiter.join(cells) + (delimiter if i in extra else ""))
        return "\n".join(lines) + "\n"

    plain = csvtable.read(table(set()), "t.csv")
    ragged = csvtable.read(table(trailing), "t.csv")
    assert [r.to_row() for r in ragged.records] == [r.to_row() for r in plain.records]
    assert ragged.skipped == plain.skipped == []
    assert len(ragged.records) == len(rows)


# -- NUL bytes and code pages -----------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_few_nul_bytes_anywhere_in_the_text_change_no_record(data: st.DataObject) -> None:
    raw = (READERS / "ris" / "scopus.ris").read_bytes()
    positions = data.draw(st.lists(st.integers(0, len(raw)), min_size=1, max_size=8))
    dirty = raw
    for at in sorted(positions, reverse=True):
        dirty = dirty[:at] + b"\x00" + dirty[at:]
    text, _ = decode(dirty, "x.ris")
    clean, _ = decode(raw, "x.ris")
    assert text == clean
    assert [r.to_row() for r in ris.read(text, "x").records] == [
        r.to_row() for r in ris.read(clean, "x").records
    ]


_WORDS = (
    "prisoners’ peer “support” – — … détenus évaluation d’un à Lyon für Häftlinge größer "
    "Straße niños años coração ações não città perché più fångar åtgärder Ó Súilleabháin "
    "Núñez Müller Øster Ærø ça façon œuvre École study of the scheme in prison 1990–2000"
).split()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14))
def test_european_text_in_cp1252_is_read_as_cp1252(words: list[str]) -> None:
    text = "TI  - " + " ".join(words) + "\n"
    data = text.encode("cp1252")
    assume(not data.isascii())
    assert decode(data, "x.ris") == (text, "cp1252")
