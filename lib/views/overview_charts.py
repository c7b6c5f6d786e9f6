"""The Overview's two charts as small SVG images: studies per year by method, and studies
per population.

Why drawn here and not with Plotly, as on Explore: the Overview is the first page of
every start, and Plotly's browser bundle (4.7 MB, loaded and compiled on its first use)
took 1-4 s of a cold start before these two charts showed, on top of importing Plotly on
the server. Two static bar charts need none of it: they are counted with pandas and drawn
as a few rectangles (text escaped, labels measured with `lib.views.flow.text_width`).
Clicking through to the studies is Explore's job, where the charts filter the table.
"""

from __future__ import annotations

import html

import pandas as pd

from lib.explore.labels import NOT_CODED, code_label, count_text, order_values
from lib.explore.palette import colour
from lib.views.flow import FONT, text_width

__all__ = ["population_svg", "year_method_svg", "year_step"]

WIDTH = 440  # about the width of half the page at 1280 px: drawn at its own size
SIZE = 12  # font size of labels
_GRID = "#E5E5E5"


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{html.escape(title)}" '
        f'font-family="{html.escape(FONT)}" font-size="{SIZE}" fill="#222222">'
        f'<text x="0" y="16" font-size="15" font-weight="bold">{html.escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", **extra: object) -> str:
    attrs = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in extra.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{attrs}>{html.escape(text)}</text>'


def _ticks(top: int) -> list[int]:
    """About five round count ticks from 0 to at least ``top``."""
    step = min(
        (b * 10**p for b in (1, 2, 5) for p in range(9) if top / (b * 10**p) <= 5), default=1
    )
    return list(range(0, max(top, 1) + step, step))


def year_step(first: int, last: int) -> int:
    """Whole-year label spacing that keeps ten labels or fewer."""
    span = max(last - first, 0)
    return next((s for s in (1, 2, 5, 10, 20, 25, 50) if span / s <= 10), 100)


def year_method_svg(studies: pd.DataFrame) -> str:
    """Studies per year, stacked by method (colours as on Explore), with a legend and the
    number of studies without a year said under the chart."""
    title = "Studies per year, by method"
    dated = studies[studies["year"].notna()]
    missing = len(studies) - len(dated)
    if dated.empty:
        return _svg(WIDTH, 60, title, [_text(0, 44, "No study has a year yet.")])
    counts = dated.groupby([dated["year"].astype(int), "method"]).size()
    per_year = counts.groupby(level=0).sum()
    first, last = int(per_year.index.min()), int(per_year.index.max())
    methods = order_values("method", counts.index.get_level_values(1).unique())
    ticks = _ticks(int(per_year.max()))
    left, top, plot_h, plot_w = 44.0, 30.0, 220.0, WIDTH - 54.0
    scale = plot_h / ticks[-1]
    slot = plot_w / (last - first + 1)
    body: list[str] = []
    for t in ticks:
        y = top + plot_h - t * scale
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                    f'stroke="{_GRID}"/>')  # fmt: skip
        body.append(_text(left - 6, y + 4, f"{t:,}", "end", fill="#555555"))
    by_year = counts.unstack(fill_value=0)
    for year, row in by_year.iterrows():
        x = left + (int(year) - first) * slot + slot * 0.08
        y = top + plot_h
        for method in methods:
            n = int(row.get(method, 0))
            if n:
                h = n * scale
                y -= h
                tip = html.escape(f"{year} · {code_label('method', method)}: {count_text(n)}")
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.84:.1f}" height="{h:.1f}" '
                    f'fill="{colour("method", method)}"><title>{tip}</title></rect>'
                )
    step = year_step(first, last)
    for year in range(first - first % step, last + 1, step):
        if year >= first:
            x = left + (year - first + 0.5) * slot
            body.append(_text(x, top + plot_h + 16, str(year), "middle", fill="#555555"))
    # the legend, wrapped into rows across the width
    x, y = left, top + plot_h + 40
    for method in methods:
        label = code_label("method", method)
        w = 16 + text_width(label, size=SIZE) + 14
        if x + w > WIDTH and x > left:
            x, y = left, y + 18
        body.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="11" height="11" '
                    f'fill="{colour("method", method)}"/>')  # fmt: skip
        body.append(_text(x + 16, y, label))
        x += w
    if missing:
        y += 22
        body.append(_text(left, y, f"{count_text(missing)} without a year not shown.",
                          fill="#555555"))  # fmt: skip
    return _svg(WIDTH, y + 8, title, body)


def population_svg(studies: pd.DataFrame) -> str:
    """Studies per population (a study may count under several), with a "Not coded" bar
    for the studies with none, and each bar's count written at its end."""
    title = "Studies per population"
    values = studies["population"]
    counts = pd.Series([v for codes in values for v in codes], dtype=object).value_counts()
    uncoded = int(sum(1 for codes in values if not len(codes)))
    order = order_values("population", counts.index)
    rows = [(code_label("population", v), int(counts[v]), v) for v in order]
    if uncoded:
        rows.append((code_label("population", NOT_CODED), uncoded, NOT_CODED))
    if not rows:
        return _svg(WIDTH, 60, title, [_text(0, 44, "No studies yet.")])
    label_w = min(220.0, max(text_width(label, size=SIZE) for label, _, _ in rows) + 10)
    most = max(n for _, n, _ in rows)
    count_w = text_width(f"{most:,}", size=SIZE) + 8
    left, top, bar_h, gap = label_w, 30.0, 20.0, 8.0
    scale = (WIDTH - left - count_w) / most
    body: list[str] = []
    for i, (label, n, value) in enumerate(rows):
        y = top + i * (bar_h + gap)
        shown = label if text_width(label, size=SIZE) <= label_w - 10 else label[:28] + "…"
        style = {"font-style": "italic"} if value == NOT_CODED else {}
        body.append(_text(left - 8, y + 14, shown, "end", **style))
        w = max(n * scale, 1.0)
        tip = html.escape(f"{label}: {count_text(n)}")
        fill = colour("population", value)
        body.append(f'<rect x="{left:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" '
                    f'fill="{fill}"><title>{tip}</title></rect>')  # fmt: skip
        body.append(_text(left + w + 4, y + 14, f"{n:,}", fill="#555555"))
    height = top + len(rows) * (bar_h + gap) + 4
    return _svg(WIDTH, height, title, body)
