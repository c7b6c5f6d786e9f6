"""One colour per code, the same on every page and in every chart.

Known codes get fixed colours (direction reads as a traffic light: benefit green,
challenge red); any other value (a country, a database, a code added to a codebook) gets
a colour from its name through a stable hash, so it too keeps its colour across pages,
reruns and machines (Python's own `hash` of a string changes with every process).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from lib.explore.labels import CODE_LABELS, NOT_CODED

__all__ = [
    "FIXED",
    "NOT_CODED_COLOUR",
    "PALETTE",
    "SCALE_LOW",
    "colour",
    "colour_map",
    "direction_scale",
    "mix",
    "text_on",
]

# Plotly's "Safe" + "Vivid" qualitative colours: distinguishable, print-safe, 22 in all.
PALETTE: tuple[str, ...] = (
    "#88CCEE", "#CC6677", "#DDCC77", "#117733", "#332288", "#AA4499",
    "#44AA99", "#999933", "#882255", "#661100", "#6699CC", "#888888",
    "#E58606", "#5D69B1", "#52BCA3", "#99C945", "#CC61B0", "#24796C",
    "#DAA51B", "#2F8AC4", "#764E9F", "#ED645A",
)  # fmt: skip

NOT_CODED_COLOUR = "#BDBDBD"  # grey, like "unclear": no code is known
FIXED: dict[str, dict[str, str]] = {
    "direction": {
        "benefit": "#1A9850",
        "mixed": "#FDAE61",
        "challenge": "#D73027",
        "null": "#4575B4",
        "unclear": "#BDBDBD",
    },
}
# Codes listed in the vocabulary take palette colours in codebook order (unclear is grey).
for _facet, _codes in CODE_LABELS.items():
    if _facet in FIXED:
        continue
    FIXED[_facet] = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(_codes)}
    if "unclear" in _codes:
        FIXED[_facet]["unclear"] = "#BDBDBD"


def colour(facet: str, value: object) -> str:
    """The colour of one value of a facet (hex ``#RRGGBB``)."""
    text = "" if value is None else str(value)
    if text == NOT_CODED:
        return NOT_CODED_COLOUR
    fixed = FIXED.get(facet, {}).get(text)
    if fixed:
        return fixed
    digest = hashlib.blake2b(f"{facet}\x00{text}".encode(), digest_size=4).digest()
    return PALETTE[int.from_bytes(digest, "big") % len(PALETTE)]


def colour_map(facet: str, values: Iterable[object]) -> dict[str, str]:
    """``{value: colour}`` for the values of one facet."""
    return {str(v): colour(facet, v) for v in values}


SCALE_LOW = "#C4C4C4"  # a share of 0: light grey, still plain to see on white


def direction_scale(direction: str) -> list[list[float | str]]:
    """A continuous scale for shares 0..1: from a grey that shows on white (0%) to the
    direction's own colour (a dark grey for "unclear", whose own colour is grey)."""
    top = "#4D4D4D" if direction == "unclear" else colour("direction", direction)
    return [[0.0, SCALE_LOW], [1.0, top]]


def mix(scale: list[list[float | str]], share: float) -> str:
    """The colour of ``share`` (0..1) on a two-stop `direction_scale`."""
    (_, low), (_, high) = scale[0], scale[-1]
    a = [int(str(low)[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(str(high)[i : i + 2], 16) for i in (1, 3, 5)]
    t = min(max(float(share), 0.0), 1.0)
    return "#" + "".join(f"{round(p + (q - p) * t):02X}" for p, q in zip(a, b, strict=True))


def text_on(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (WCAG relative luminance)."""

    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(background[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#111111" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#FFFFFF"
