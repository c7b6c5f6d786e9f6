"""Evidence highlighting: the right words marked, every record character literal."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lib.coding import Evidence
from lib.textsafe import neutralise
from lib.views.highlight import (
    FACET_COLOURS,
    coloured_markdown,
    escape_piece,
    evidence_marks,
    evidence_spans,
    highlighted_markdown,
    legend_markdown,
    merge_spans,
    segments,
)

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**x**",
    "[a](javascript:alert(1))",
    ":red[x]",
    "$x$",
    ":smile: and :material/home:",
    "# not a heading",
    "    four spaces, not code",
    "a\\]b and `code` and ~~strike~~ and <b>bold</b>",
]

spans_strategy = st.lists(st.tuples(st.integers(-5, 70), st.integers(-5, 70)), max_size=6)


def unescape(markdown: str) -> str:
    """The text a reader sees: directives unwrapped, escapes and zero-width spaces dropped."""
    text = re.sub(r":[a-z]+\[\*\*((?:\\.|[^\]\\])*)\*\*\]", r"\1", markdown)
    text = text.replace("\\:\u200b", "\\:")  # textsafe's break of :shortcode: patterns
    return re.sub(r"\\(.)", r"\1", text)


@given(st.text(max_size=60), spans_strategy)
def test_segments_rebuild_the_text_and_mark_exactly_the_merged_spans(text, spans) -> None:
    parts = segments(text, spans)
    assert "".join(p for p, _ in parts) == text
    merged = merge_spans(spans, len(text))
    pos, marked = 0, []
    for piece, is_marked in parts:
        if is_marked:
            marked.append((pos, pos + len(piece)))
        pos += len(piece)
    assert marked == merged


@given(spans_strategy, st.integers(0, 70))
def test_merged_spans_are_ordered_apart_and_inside_the_text(spans, length) -> None:
    merged = merge_spans(spans, length)
    assert all(0 <= s < e <= length for s, e in merged)
    assert all(e1 < s2 for (_, e1), (s2, _) in itertools.pairwise(merged))
    assert merge_spans(merged, length) == merged


@example("\u200b", [])  # an invisible character alone: dropped, as everywhere on the pages
@given(st.text(max_size=60), spans_strategy)
def test_what_the_reader_sees_is_the_record_text(text, spans) -> None:
    # White space may be folded (a browser folds it anyway), never dropped between words;
    # invisible characters (zero-width spaces, direction controls) are dropped on purpose.
    seen = unescape(highlighted_markdown(text, spans))
    assert seen.split() == neutralise(text).split()


def test_the_evidence_is_wrapped_and_nothing_else() -> None:
    text = "Semi-structured interviews with Listeners in two prisons"
    md = highlighted_markdown(text, [(16, 26), (32, 41)])
    assert md == (
        "Semi\\-structured :orange[**interviews**] with :orange[**Listeners**] in two prisons"
    )


def test_spaces_around_a_highlight_are_kept() -> None:
    assert highlighted_markdown("a b c", [(2, 3)]) == "a :orange[**b**] c"
    assert highlighted_markdown("a b c", [(1, 4)]) == "a :orange[**b**] c"
    assert escape_piece(" x ") == " x "
    assert escape_piece("\n") == " "


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_literally_in_commonmark(text: str) -> None:
    markdown_it = pytest.importorskip("markdown_it", reason="pip install markdown-it-py")
    md = markdown_it.MarkdownIt("commonmark")
    whole = f"Before {text} after"
    start = whole.index(text)
    rendered = md.render(highlighted_markdown(whole, [(start, start + len(text))]))
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
    # the one <strong> is the highlight itself (Streamlit colours it; CommonMark shows
    # the directive's brackets), and it holds the hostile text literally
    assert rendered.count("<strong>") == 1
    assert "<em>" not in rendered and "<code>" not in rendered
    assert "<h1>" not in rendered and "<pre>" not in rendered and "<b>" not in rendered
    # Streamlit's own syntax (colours, icons, maths) only ever appears escaped
    plain = highlighted_markdown(whole, [])
    assert not re.search(r"(?<!\\)[$:\[\]<>*`]", plain)
    assert unescape(plain) == whole.strip()


def test_evidence_spans_follow_the_field_and_facets_and_skip_stale_offsets() -> None:
    text = "Peer mentors: a qualitative study of Listeners"
    evidence = [
        Evidence("method", "qualitative", "qualitative", "abstract", 16, 27),
        Evidence("peer-role", "mentor", "Peer mentors", "abstract", 0, 12),
        Evidence("peer-role", "listener", "Listeners", "title", 37, 46),
        Evidence("method", "survey", "survey", "abstract", 16, 22),  # stale: text changed
    ]
    assert evidence_spans(evidence, "abstract", text) == [(16, 27), (0, 12)]
    assert evidence_spans(evidence, "abstract", text, ["peer_role"]) == [(0, 12)]
    assert evidence_spans(evidence, "abstract", text, []) == []


def test_no_space_is_put_between_a_highlight_and_the_next_character() -> None:
    md = highlighted_markdown("Listeners' views, in prisons.", [(0, 9), (21, 28)])
    assert md == ":orange[**Listeners**]\\' views\\, in :orange[**prisons**]\\."
    assert "-background[" not in md  # Streamlit pads backgrounds: it reads as a space


def test_each_facet_has_its_colour_and_the_first_facet_wins_an_overlap() -> None:
    text = "peer mentors in a women's prison"
    evidence = [
        Evidence("peer-role", "mentor", "peer mentors", "abstract", 0, 12),
        Evidence("population", "women", "women", "abstract", 18, 23),
        Evidence("setting", "prison", "prison", "abstract", 26, 32),
        Evidence("perspective", "peer-supporters", "peer", "abstract", 0, 4),
    ]
    marks = evidence_marks(evidence, "abstract", text, ["peer_role", "population", "perspective"])
    md = coloured_markdown(text, marks)
    assert md == ":yellow[**peer mentors**] in a :violet[**women**]\\'s prison"
    assert len(set(FACET_COLOURS.values())) == len(FACET_COLOURS)  # no two facets alike
    assert legend_markdown({"method": "Method", "peer_role": "Peer *role*"}) == (
        ":blue[**Method**] · :yellow[**Peer \\*role\\***]"
    )


@given(
    st.text(max_size=40),
    st.lists(
        st.tuples(st.integers(-3, 45), st.integers(-3, 45), st.sampled_from(["blue", "red"])),
        max_size=5,
    ),
)
def test_coloured_text_still_reads_as_the_record(text, marks) -> None:  # fmt: skip
    assert unescape(coloured_markdown(text, marks)).split() == text.split()
