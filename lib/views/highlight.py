"""Record text with the codebook's evidence highlighted, as Markdown that shows it literally.

The coding engine says where each code's evidence stands in a field (character offsets,
`lib.coding.Evidence`). The Study page shows the title and abstract with those stretches
in bold, coloured by facet (`FACET_COLOURS`). Streamlit's Markdown is the only way to
colour part of a text, and record
text is hostile input there (``<script>``, ``[x](javascript:…)``, ``:red[…]``, ``$…$``), so
every character of the record goes through `lib.textsafe.escape_markdown`; only the
highlight directives around it are Markdown written here.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence

from lib.coding import Evidence
from lib.textsafe import escape_markdown

__all__ = [
    "FACET_COLOURS",
    "HIGHLIGHT",
    "coloured_markdown",
    "escape_piece",
    "evidence_marks",
    "evidence_spans",
    "facet_colour",
    "highlighted_markdown",
    "legend_markdown",
    "merge_spans",
    "segments",
]

HIGHLIGHT = "orange"  # a Streamlit text colour directive: :orange[…]
# One colour per facet (Streamlit's text colours, all readable on white). Coloured bold
# text, not a coloured background: Streamlit pads background spans by 4 px a side, which
# reads as a space inserted before "'s" or "," after a highlighted word.
FACET_COLOURS: dict[str, str] = {
    "method": "blue",
    "population": "violet",
    "perspective": "orange",
    "direction": "green",
    "themes": "red",
    "setting": "gray",
    "country": "primary",
    "peer_role": "yellow",
}
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


def coloured_markdown(text: str, marks: Iterable[tuple[int, int, str]]) -> str:
    """Markdown showing ``text`` literally on one line, each ``(start, end, colour)`` mark
    in bold of its colour. Where marks overlap, the first one given wins."""
    marks = list(marks)
    cuts = sorted({0, len(text)} | {max(0, min(len(text), p)) for s, e, _ in marks for p in (s, e)})
    runs: list[tuple[str, str | None]] = []  # (piece, colour), neighbours of a colour joined
    for start, end in itertools.pairwise(cuts):
        colour = next((c for s, e, c in marks if s <= start and end <= e and s < e), None)
        if runs and runs[-1][1] == colour:
            runs[-1] = (runs[-1][0] + text[start:end], colour)
        else:
            runs.append((text[start:end], colour))
    parts = []
    for piece, colour in runs:
        escaped = escape_piece(piece)
        if colour and escaped.strip():
            lead = " " if escaped.startswith(" ") else ""
            trail = " " if escaped.endswith(" ") and len(escaped) > 1 else ""
            parts.append(f"{lead}:{colour}[**{escaped.strip(' ')}**]{trail}")
        else:
            parts.append(escaped)
    return _join(parts)


def _join(parts: list[str]) -> str:
    """Pieces joined, with no double spaces where two pieces each kept their space."""
    out = ""
    for part in parts:
        if out.endswith(" ") and part.startswith(" "):
            part = part[1:]
        out += part
    return out.strip(" ")


def highlighted_markdown(
    text: str, spans: Iterable[tuple[int, int]], *, colour: str = HIGHLIGHT
) -> str:
    """Markdown showing ``text`` literally on one line, ``spans`` in bold ``colour``."""
    return coloured_markdown(text, [(s, e, colour) for s, e in merge_spans(spans, len(text))])


def facet_colour(facet: str) -> str:
    """The colour of a facet's evidence (``peer-role`` and ``peer_role`` alike)."""
    return FACET_COLOURS.get(facet.replace("-", "_"), HIGHLIGHT)


def legend_markdown(labels: Mapping[str, str]) -> str:
    """``facet -> label`` as one line of labels, each in its facet's colour (labels are
    the codebook's, so they are escaped like record text)."""
    return " · ".join(
        f":{facet_colour(f)}[**{escape_markdown(label)}**]" for f, label in labels.items()
    )


def evidence_marks(
    evidence: Sequence[Evidence], field: str, text: str, facets: Iterable[str]
) -> list[tuple[int, int, str]]:
    """``(start, end, colour)`` of the evidence for ``field`` in ``text``, facet by facet
    in the order of ``facets`` (so an earlier facet's colour wins where they overlap)."""
    out = []
    for facet in facets:
        colour = facet_colour(facet)
        out += [(s, e, colour) for s, e in evidence_spans(evidence, field, text, [facet])]
    return out


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
