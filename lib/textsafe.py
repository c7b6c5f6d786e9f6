"""Record text that shows literally: no Markdown read into it, no reordering by hidden marks.

Prefer elements that never read Markdown for record text (``st.text``, ``st.code``,
``st.dataframe``). Labels, captions and messages always read Markdown (and Streamlit's
extensions: ``:red[...]`` colours, ``:material/…:`` icons, ``:smile:`` emoji, ``$…$``
LaTeX), so a title like ``**bold** [x](javascript:alert(1))`` placed in one would turn
into formatting and a link. `escape_markdown` makes it literal text.

`neutralise` removes the invisible characters that change how text around them shows:
the bidirectional embeddings, overrides and isolates (U+202A-202E, U+2066-2069), with
which a title can display reversed and spoof its neighbours in a table or a spreadsheet,
and zero-width spaces. It keeps the zero-width joiner and non-joiner, which Persian and
Indic scripts and emoji sequences need, and the left-to-right and right-to-left marks,
which only settle the direction of neutral characters next to them. Ingest applies it
to every record, and records read from a project pass through it again (files imported
before it existed), so what pages show and exports write is neutral.
"""

from __future__ import annotations

import re

__all__ = ["escape_markdown", "neutralise", "neutralise_export"]

_INVISIBLE = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0xFEFF],
    None,
)


# The same characters, found in a whole export at C speed; a byte-order mark is left in
# place there, where it marks a second export appended (`lib.readers._tagged.sections`).
_INVISIBLE_IN_EXPORT = re.compile("[\u202a-\u202e\u2066-\u2069\u200b]")


def neutralise_export(text: str) -> str:
    """A whole export's text without bidirectional controls and zero-width spaces, before
    it is read: so every field of every record, original fields included, is neutral.
    None of these characters is syntax in any format, nor a line break."""
    if text.isascii() or not _INVISIBLE_IN_EXPORT.search(text):
        return text
    return _INVISIBLE_IN_EXPORT.sub("", text)


def neutralise(text: str) -> str:
    """``text`` without bidirectional controls and zero-width spaces (see above)."""
    if text.isascii():
        return text
    cleaned = text.translate(_INVISIBLE)
    return text if cleaned == text else cleaned


# Every ASCII punctuation character may be backslash-escaped in CommonMark, and escaped
# it is always literal; escaping all of them is simpler and safer than choosing.
_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit turns ":smile:" and ":material/home:" into an emoji or icon, and ":red[x]"
# into colour, even when the colons are escaped (that substitution runs on the text after
# Markdown parsing), so a zero-width space after a colon breaks the pattern without
# changing what one sees. Only where a pattern can start: a colon followed by a space
# ("Background: ...", the common case) gets none, so text copied from the page is the
# text; one at the end keeps it (highlighting escapes a text in pieces, joined after).
_COLON = re.compile(r"\\:(?!\s)")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def escape_markdown(text: object) -> str:
    """The text as Markdown that renders as exactly this text, on one line."""
    raw = neutralise("" if text is None else str(text))
    raw = _LINE_BREAKS.sub(" ", raw).strip()  # leading spaces would make a code block
    escaped = _PUNCT.sub(r"\\\1", raw)
    return _COLON.sub("\\:\u200b", escaped)
