"""Record text placed where Streamlit reads Markdown shows literally."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.textsafe import escape_markdown

markdown_it = pytest.importorskip("markdown_it", reason="pip install markdown-it-py")
MD = markdown_it.MarkdownIt("commonmark")


def rendered(text: str) -> str:
    return MD.render(escape_markdown(text))


@pytest.mark.parametrize(
    "title",
    [
        "**bold** [x](javascript:alert(1))",
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "# heading",
        "1. not a list",
        "- not a list",
        "> not a quote",
        "`code` and ~~strike~~ and _under_",
        "![img](https://evil.example/x.png)",
        "&amp; &lt;b&gt;",
        "    four spaces",
        "a | table | row",
        "<https://autolink.example>",
    ],
)
def test_hostile_titles_render_as_exactly_their_text(title: str) -> None:
    out = rendered(title)
    assert out.startswith("<p>") and out.endswith("</p>\n")
    assert "<" not in out[3:-5]  # no element came from the title
    assert html.unescape(out[3:-5]).replace("\u200b", "") == title.strip()


def test_streamlit_directives_and_shortcodes_are_broken() -> None:
    escaped = escape_markdown(":red[alarm] :material/home: :smile: $x^2$")
    assert escaped == (
        "\\:\u200bred\\[alarm\\] \\:\u200bmaterial\\/home\\: \\:\u200bsmile\\: \\$x\\^2\\$"
    )
    # what the emoji and icon substitution sees after Markdown: no ":name:" left
    text = html.unescape(MD.render(escaped)[3:-5])
    assert ":smile:" not in text and ":material/home:" not in text


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
               max_size=60))  # fmt: skip
def test_any_text_renders_as_one_paragraph_of_itself(text: str) -> None:
    out = rendered(text)
    plain = " ".join(text.replace("\u2028", " ").replace("\u2029", " ").split())
    if not plain:
        return
    assert out.startswith("<p>") and out.endswith("</p>\n")
    inner = out[3:-5]
    assert "<" not in inner.replace("&lt;", "")  # no element came from the text
    assert " ".join(html.unescape(inner).replace("\u200b", "").split()) == plain


def test_a_colon_before_a_space_gets_no_invisible_character() -> None:
    """Text copied from the page is the text: "Background: peer support" carried a
    zero-width space after its colon, pasted along into notes and searches."""
    assert escape_markdown("Background: peer support") == "Background\\: peer support"
    assert "\u200b" not in escape_markdown("Listeners: a qualitative study, 2019: UK")
