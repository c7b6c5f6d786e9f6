"""Record text shown where Streamlit reads Markdown, so that it shows literally.

Prefer elements that never read Markdown for record text (``st.text``, ``st.code``,
``st.dataframe``). Labels, captions and messages always read Markdown (and Streamlit's
extensions: ``:red[...]`` colours, ``:material/…:`` icons, ``:smile:`` emoji, ``$…$``
LaTeX), so a title like ``**bold** [x](javascript:alert(1))`` placed in one would turn
into formatting and a link. `escape_markdown` makes it literal text.
"""

from __future__ import annotations

import re

__all__ = ["escape_markdown"]

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and escaped
# it is always literal; escaping all of them is simpler and safer than choosing.
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit turns ":smile:" and ":material/home:" into an emoji or icon even when the
# colons are escaped (that substitution runs on the text after Markdown parsing), so a
# zero-width space after each colon breaks the pattern without changing what one sees.
_COLON = "\\:"
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def escape_markdown(text: object) -> str:
    """The text as Markdown that renders as exactly this text, on one line."""
    raw = "" if text is None else str(text)
    raw = _LINE_BREAKS.sub(" ", raw).strip()  # leading spaces would make a code block
    escaped = _PUNCT.sub(r"\\\1", raw)
    return escaped.replace(_COLON, _COLON + "\u200b")
