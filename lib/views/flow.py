"""A flow diagram (PRISMA-style) as SVG: a column of boxes, side boxes, phase bands.

Drawn by hand as SVG rather than with Plotly, because Plotly draws text at a fixed pixel
size while its shapes stretch with the chart's width: in a narrow column the labels ran
out of their boxes. An SVG scales as a whole (text and boxes together), so a label stays
inside its box at any width. Graphviz would lay such a diagram out too, but needs its
own binary to make an SVG on the server (and the SVG is also the file a reviewer puts
in a report).

Each box is sized to its text: lines are measured with Helvetica's font metrics (the
widths below, from Adobe's Helvetica and Helvetica-Bold AFM files, match Arial and
Liberation Sans) and wrapped to the column's width. Every line also carries its measured
width as ``textLength``, so the browser fits it to exactly that width whichever font it
has: the measure and the drawing cannot disagree.

Any number of `Stage` values: each has a main box (joined to the next by an arrow
down), optionally a side box (an arrow to the right, e.g. "records excluded"), and a
phase ("Identification", "Screening", "Included"); consecutive stages of one phase share
a band on the left.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SLACK", "Box", "Stage", "flow_svg", "text_width", "wrap_to_width"]

FONT = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"
SIZE = 13  # px
LINE = 18  # px between baselines
PAD = 10  # px between a box's edge and its text
MAIN_MAX = 390  # px: the main column's widest box (text wraps beyond)
SIDE_MAX = 330  # px: the side column's
BAND = 30  # px: the phase band's width
GAP = 16  # px between the band and the boxes
SIDE_GAP = 44  # px between the main and the side column (the arrow)
ROW_GAP = 34  # px between two stages (the arrow)
# Room for a wider font: a viewer that ignores ``textLength`` draws a line in whatever
# sans-serif it has. DejaVu Sans Bold, the widest common fallback, measures up to ~1.21x
# Helvetica on these labels; lines are wrapped and boxes sized for 1.22x, so a label stays
# inside its box even then (browsers honour textLength and centre the line).
SLACK = 1.22

# Advance widths of printable ASCII (32..126) in 1/1000 em.
_REGULAR = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip
_BOLD = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
)  # fmt: skip
_WIDE = 1000  # East Asian wide characters
_OTHER = 600  # anything else not in the tables


def _advance(char: str, table: tuple[int, ...]) -> int:
    code = ord(char)
    if 32 <= code <= 126:
        return table[code - 32]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _WIDE
    if unicodedata.combining(char):
        return 0
    base = unicodedata.normalize("NFKD", char)[:1]  # é is as wide as e
    if base and 32 <= ord(base) <= 126:
        return table[ord(base) - 32]
    return _OTHER


def text_width(text: str, *, bold: bool = False, size: float = SIZE) -> float:
    """The width in px of ``text`` set in Helvetica at ``size`` px."""
    table = _BOLD if bold else _REGULAR
    return sum(_advance(c, table) for c in text) * size / 1000


def wrap_to_width(text: str, width: float, *, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` px (a word wider than
    that is cut, with a hyphen, so no line ever is)."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        while text_width(word, bold=bold) > width:  # a word too wide for any line
            if current:
                lines.append(current)
                current = ""
            cut = max(1, len(word) - 1)
            while cut > 1 and text_width(word[:cut] + "-", bold=bold) > width:
                cut -= 1
            lines.append(word[:cut] + "-")
            word = word[cut:]
        trial = f"{current} {word}" if current else word
        if text_width(trial, bold=bold) <= width:
            current = trial
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    return lines


@dataclass(frozen=True, slots=True)
class Box:
    """One box: a bold heading, then plain lines (each wrapped to the box's width)."""

    heading: str
    lines: tuple[str, ...] = ()
    fill: str = "#FFFFFF"


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the flow: its main box, an optional side box, and its phase."""

    phase: str
    main: Box
    side: Box | None = None


@dataclass(frozen=True, slots=True)
class _Laid:
    lines: tuple[tuple[str, bool], ...]  # (text, bold)
    width: float
    height: float


def _lay_out(box: Box, max_width: float) -> _Laid:
    inner = (max_width - 2 * PAD) / SLACK
    lines = [(t, True) for t in wrap_to_width(box.heading, inner, bold=True)]
    for line in box.lines:
        lines += [(t, False) for t in wrap_to_width(line, inner)]
    widest = max(text_width(t, bold=b) for t, b in lines)
    height = len(lines) * LINE + 2 * PAD - (LINE - SIZE)
    return _Laid(tuple(lines), widest * SLACK + 2 * PAD, height)


def _text(x: float, y: float, text: str, *, bold: bool, anchor: str = "middle") -> str:
    """One line of text, centred on ``x``, fitted to its measured width."""
    width = text_width(text, bold=bold)
    weight = ' font-weight="bold"' if bold else ""
    fit = f' textLength="{width:.1f}" lengthAdjust="spacingAndGlyphs"' if width else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{weight}{fit}>'
        f"{html.escape(text)}</text>"
    )


def _box(x: float, y: float, width: float, laid: _Laid, fill: str) -> list[str]:
    out = [
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{laid.height:.1f}" '
        f'fill="{html.escape(fill)}" stroke="#333333" stroke-width="1.2"/>'
    ]
    centre = x + width / 2
    for i, (text, bold) in enumerate(laid.lines):
        out.append(_text(centre, y + PAD + SIZE * 0.8 + i * LINE, text, bold=bold))
    return out


def _arrow(x0: float, y0: float, x1: float, y1: float) -> str:
    return (
        f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#333333" '
        'stroke-width="1.4" marker-end="url(#arrow)"/>'
    )


def flow_svg(stages: Sequence[Stage], *, title: str = "Flow diagram") -> str:
    """The stages drawn top to bottom as one SVG document (text escaped)."""
    if not stages:
        raise ValueError("a flow diagram needs at least one stage")
    mains = [_lay_out(s.main, MAIN_MAX) for s in stages]
    sides = [_lay_out(s.side, SIDE_MAX) if s.side else None for s in stages]
    main_w = max(m.width for m in mains)
    side_w = max((s.width for s in sides if s), default=0.0)
    heights = [max(m.height, s.height if s else 0) for m, s in zip(mains, sides, strict=True)]
    # a phase band must be tall enough for its (vertical) label: grow its last stage
    runs: list[tuple[str, int, int]] = []  # (phase, first stage, last stage)
    for i, stage in enumerate(stages):
        if runs and runs[-1][0] == stage.phase:
            runs[-1] = (stage.phase, runs[-1][1], i)
        else:
            runs.append((stage.phase, i, i))
    for phase, first, last in runs:
        span = sum(heights[first : last + 1]) + ROW_GAP * (last - first)
        need = text_width(phase, bold=True) + 2 * PAD
        if span < need:
            heights[last] += need - span
    tops = []
    y = 1.0
    for h in heights:
        tops.append(y)
        y += h + ROW_GAP
    total_h = y - ROW_GAP + 1
    main_x = BAND + GAP
    side_x = main_x + main_w + SIDE_GAP
    total_w = (side_x + side_w if side_w else main_x + main_w) + 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w:.0f}" height="{total_h:.0f}" '
        f'viewBox="0 0 {total_w:.0f} {total_h:.0f}" role="img" '
        f'aria-label="{html.escape(title)}" font-family="{html.escape(FONT)}" '
        f'font-size="{SIZE}" fill="#222222">',
        f"<title>{html.escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#333333"/></marker></defs>',
        '<rect width="100%" height="100%" fill="#FFFFFF"/>',
    ]
    for phase, first, last in runs:
        top, bottom = tops[first], tops[last] + heights[last]
        parts.append(
            f'<rect x="1" y="{top:.1f}" width="{BAND}" height="{bottom - top:.1f}" '
            'fill="#DCE6F2" stroke="#333333" stroke-width="1.2"/>'
        )
        mid = (top + bottom) / 2
        parts.append(
            f'<g transform="translate({1 + BAND / 2 + SIZE * 0.35:.1f} {mid:.1f}) rotate(-90)">'
            + _text(0, 0, phase, bold=True)
            + "</g>"
        )
    for i, (main, side) in enumerate(zip(mains, sides, strict=True)):
        row_mid = tops[i] + heights[i] / 2
        main_top = row_mid - main.height / 2
        parts += _box(main_x, main_top, main_w, main, stages[i].main.fill)
        if side is not None and stages[i].side is not None:
            side_top = row_mid - side.height / 2
            parts += _box(side_x, side_top, side_w, side, stages[i].side.fill)
            parts.append(_arrow(main_x + main_w, row_mid, side_x, row_mid))
        if i + 1 < len(stages):
            next_top = tops[i + 1] + heights[i + 1] / 2 - mains[i + 1].height / 2
            centre = main_x + main_w / 2
            parts.append(_arrow(centre, main_top + main.height, centre, next_top))
    parts.append("</svg>")
    return "\n".join(parts)
