"""The side-by-side comparison of two records on the Duplicates page."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from lib.model import Record
from lib.views.compare import (
    ABSTRACT_CHARS,
    DIFFERENT,
    MARK,
    ONLY_A,
    ONLY_B,
    SAME,
    SIMILAR,
    compare_records,
    comparison_markdown,
    comparison_table,
    loose,
    marked_markdown,
    words_only_here,
)


def article(**changes: object) -> Record:
    base = {
        "record_id": "a1",
        "title": "Peer support workers in prisons: a qualitative study",
        "authors": ["Lee, Kim", "Young, Pat"],
        "year": 2016,
        "journal": "Howard Journal of Crime and Justice",
        "volume": "55",
        "issue": "3",
        "pages": "10-20",
        "entrytype": "article",
        "source_db": "Scopus",
    }
    base.update(changes)
    return Record(**base)  # type: ignore[arg-type]


def marks(a: Record, b: Record) -> dict[str, tuple[str, str]]:
    return {row.field: (row.match, row.note) for row in compare_records(a, b)}


def test_the_one_differing_field_is_marked_and_the_rest_are_not() -> None:
    result = marks(article(), article(record_id="j3", pages="200-210", source_db="PubMed"))
    assert result["pages"] == (DIFFERENT, "")
    assert {f for f, (m, _) in result.items() if m} == {"pages"}


def test_case_and_punctuation_only_is_told_apart_from_a_real_difference() -> None:
    a = article()
    b = article(title="PEER SUPPORT WORKERS IN PRISONS - A QUALITATIVE STUDY.")
    assert marks(a, b)["title"][0] == SIMILAR
    c = article(title="Peer support workers in prisons: a quantitative study")
    match, note = marks(a, c)["title"]
    assert match == DIFFERENT
    assert note == "only in A: qualitative; only in B: quantitative"


def test_a_value_missing_on_one_side_says_which_side_has_it() -> None:
    assert marks(article(doi="10.1/x"), article())["doi"][0] == ONLY_A
    assert marks(article(), article(doi="10.1/x"))["doi"][0] == ONLY_B


def test_authors_written_as_initials_are_similar_but_other_authors_differ() -> None:
    initials = article(authors=["Lee, K.", "Young, P."])
    assert marks(article(), initials)["authors"] == (
        SIMILAR,
        "same family names; given names written differently",
    )
    other = article(authors=["Park, Kim"])
    assert marks(article(), other)["authors"] == (DIFFERENT, "2 vs 1 authors; first author differs")


def test_fields_empty_on_both_sides_are_left_out_and_long_abstracts_are_cut() -> None:
    long = "word " * 200  # ends with a space: "more" is a word of its own
    rows = compare_records(article(abstract=long), article(abstract=long + "more"))
    fields = [r.field for r in rows]
    assert "doi" not in fields and "keywords" not in fields
    abstract = next(r for r in rows if r.field == "abstract")
    assert abstract.match == DIFFERENT and abstract.note == "only in B: more"
    assert len(abstract.a) == ABSTRACT_CHARS and abstract.a.endswith("…")


def test_the_table_has_the_columns_the_page_styles() -> None:
    table = comparison_table(article(), article(year=2017))
    assert list(table.columns) == ["Field", "Record A", "Record B", "Match", "How"]
    assert table.set_index("Field").at["Year", "Match"] == DIFFERENT
    assert table.set_index("Field").at["Year", "Record B"] == "2017"


def test_record_text_stays_text() -> None:
    hostile = "<script>alert(1)</script> **x** [a](javascript:alert(1))"
    table = comparison_table(article(title=hostile), article())
    assert table.set_index("Field").at["Title", "Record A"] == hostile


@given(st.text(max_size=60), st.text(max_size=60))
def test_marks_are_symmetric(x: str, y: str) -> None:
    a, b = article(title=x, journal=y), article(title=y, journal=x)
    there = marks(a, b)
    back = marks(b, a)
    flip = {ONLY_A: ONLY_B, ONLY_B: ONLY_A}
    assert {f: flip.get(m, m) for f, (m, _) in there.items()} == {
        f: m for f, (m, _) in back.items()
    }


@given(st.text(max_size=80))
def test_loose_is_idempotent_and_identical_values_are_the_same(text: str) -> None:
    assert loose(loose(text)) == loose(text)
    assert marks(article(title=text), article(title=text)).get("title", (SAME,))[0] == SAME


# -- the comparison as the page shows it (issue 12: whole titles, differing words marked) ------
def rendered(markdown: str) -> str:
    import markdown_it

    return markdown_it.MarkdownIt("commonmark").enable("table").render(markdown)


def test_whole_titles_are_shown_with_the_words_only_one_side_has_highlighted() -> None:
    long = "Peer support workers in prisons: " + "a long qualitative study " * 8
    a = article(title=long + "of women")
    b = article(title=long + "of men", pages="200-210")
    table = comparison_markdown(a, b)
    title_row = next(line for line in table.splitlines() if line.startswith("| **Title**"))
    assert ":orange-background[women]" in title_row and ":orange-background[men]" in title_row
    assert "qualitative" in title_row and ":orange-background[qualitative]" not in title_row
    assert title_row.count("long") == 16  # nothing cut: both whole titles
    assert ":red-badge[differ]" in title_row
    pages = next(line for line in table.splitlines() if line.startswith("| **Pages**"))
    assert "10\\-20" in pages and "200\\-210" in pages and ":red-badge[differ]" in pages


def test_the_markdown_comparison_keeps_record_text_as_text() -> None:
    hostile = "<script>alert(1)</script> | **x** [a](javascript:alert(1)) :red[r] $x$"
    html = rendered(comparison_markdown(article(title=hostile), article()))
    assert "<script" not in html and "<a " not in html and "<strong>x</strong>" not in html
    assert "&lt;" in html and "javascript" in html  # shown, literally
    rows = [line for line in html.split("<tr>") if "Title" in line]
    assert len(rows) == 1 and rows[0].count("<td") == 4  # the | did not add a cell


@given(st.text(max_size=60), st.text(max_size=60))
def test_highlighted_words_are_words_the_other_side_lacks(x: str, y: str) -> None:
    theirs = loose(y).split()
    for start, end in words_only_here(x, y):
        tokens = [loose(t) for t in re.findall(r"\w+", x[start:end])]
        assert tokens and all(t and not set(t.split()) <= set(theirs) for t in tokens if t)


@given(st.text(max_size=60), st.text(max_size=60))
def test_marking_words_changes_no_character_of_the_text(x: str, y: str) -> None:
    """Take the marks out and undo the escapes: the text itself, spacing aside."""
    shown = marked_markdown(x, words_only_here(x, y))
    shown = re.sub(r"(?<!\\)\]", "", shown.replace(f":{MARK}[", ""))
    shown = re.sub(r"\\(.)", r"\1", shown).replace(":\u200b", ":")  # escaped colons
    assert shown.split() == x.split()
