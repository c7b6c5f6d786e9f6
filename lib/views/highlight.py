"""Record text with the codebook's evidence highlighted, as Markdown that shows it literally.

The coding engine says where each code's evidence stands in a field (character offsets,
`lib.coding.Evidence`). The Study page shows the title and abstract with those stretches
highlighted. Streamlit's Markdown is the only way to colour part of a text, and record
text is hostile input there (``<script>``, ``[x](javascript:…)``, ``:red[…]``, ``$…$``), so
every character of the record goes through `lib.textsafe.escape_markdown`; only the
highlight directives around it are Markdown written here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from lib.coding import Evidence
from lib.textsafe import escape_markdown

__all__ = [
    "HIGHLIGHT",
    "escape_piece",
    "evidence_spans",
    "highlighted_markdown",
    "merge_spans",
    "segments",
]

HIGHLIGHT = "orange-background"  # a Streamlit colour directive: :orange-background[…]
_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def merge_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Spans clipped to ``[0, length]``, empty ones dropped, overlapping or touching ones
    joined, in order."""
    clipped = sorted(
        (max(0, start), min(length, end)) for start, end in spans if min(length, end) > start
    )
    out: list[tuple[int, int]] = []
    for start, end in clipped:
        if start >= end:
            continue
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def segments(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The text cut into ``(piece, highlighted)`` runs; joining the pieces gives the text."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in merge_spans(spans, len(text)):
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def escape_piece(piece: str) -> str:
    """One run of record text as literal Markdown, keeping a space at either end.

    `escape_markdown` trims its text (a whole value must not start a code block); a run
    in the middle of a sentence needs its outer spaces, or words would run together.
    """
    folded = _BREAKS.sub(" ", piece)
    if not folded.strip():
        return " " if folded else ""
    lead = " " if folded[0].isspace() else ""
    trail = " " if folded[-1].isspace() else ""
    return lead + escape_markdown(folded) + trail


def highlighted_markdown(
    text: str, spans: Iterable[tuple[int, int]], *, directive: str = HIGHLIGHT
) -> str:
    """Markdown showing ``text`` literally on one line, ``spans`` inside ``:directive[…]``."""
    parts = []
    for piece, marked in segments(text, spans):
        escaped = escape_piece(piece)
        if marked and escaped.strip():
            lead = " " if escaped.startswith(" ") else ""
            trail = " " if escaped.endswith(" ") and len(escaped) > 1 else ""
            parts.append(f"{lead}:{directive}[{escaped.strip(' ')}]{trail}")
        else:
            parts.append(escaped)
    return "".join(parts).strip(" ")


def evidence_spans(
    evidence: Sequence[Evidence], field: str, text: str, facets: Iterable[str] | None = None
) -> list[tuple[int, int]]:
    """Where the evidence for ``field`` stands in ``text`` (optionally for some facets).

    Evidence whose offsets no longer point at its phrase (the text changed since coding)
    is left out rather than highlighting the wrong words.
    """
    wanted = None if facets is None else {f.replace("_", "-") for f in facets}
    out = []
    for item in evidence:
        if item.field != field or (wanted is not None and item.facet not in wanted):
            continue
        if 0 <= item.start < item.end <= len(text) and text[item.start : item.end] == item.phrase:
            out.append((item.start, item.end))
    return out
