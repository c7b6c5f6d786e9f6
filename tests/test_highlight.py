"""Evidence highlighting: the right words marked, every record character literal."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.coding import Evidence
from lib.views.highlight import (
    escape_piece,
    evidence_spans,
    highlighted_markdown,
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
    text = re.sub(r":orange-background\[((?:\\.|[^\]\\])*)\]", r"\1", markdown)
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


@given(st.text(max_size=60), spans_strategy)
def test_what_the_reader_sees_is_the_record_text(text, spans) -> None:
    # White space may be folded (a browser folds it anyway), never dropped between words.
    seen = unescape(highlighted_markdown(text, spans))
    assert seen.split() == text.split()


def test_the_evidence_is_wrapped_and_nothing_else() -> None:
    text = "Semi-structured interviews with Listeners in two prisons"
    md = highlighted_markdown(text, [(16, 26), (32, 41)])
    assert md == (
        "Semi\\-structured :orange-background[interviews] with "
        ":orange-background[Listeners] in two prisons"
    )


def test_spaces_around_a_highlight_are_kept() -> None:
    assert highlighted_markdown("a b c", [(2, 3)]) == "a :orange-background[b] c"
    assert highlighted_markdown("a b c", [(1, 4)]) == "a :orange-background[b] c"
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
    assert "<strong>" not in rendered and "<em>" not in rendered and "<code>" not in rendered
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
