"""Flow diagrams (PRISMA): every label inside its box, whatever the labels and stages.

The SVG scales as a whole, so what holds in its own coordinates holds at every window
width: each line of text (at the width it is forced to, ``textLength``) lies inside its
box, boxes do not overlap, and everything is inside the drawing.
"""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.views.flow import PAD, Box, Stage, flow_svg, text_width, wrap_to_width

SVG = "{http://www.w3.org/2000/svg}"

words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=40,
)
boxes = st.builds(
    Box, heading=words, lines=st.lists(words, max_size=6).map(tuple), fill=st.just("#FFFFFF")
)
stages = st.lists(
    st.builds(
        Stage,
        phase=st.sampled_from(["Identification", "Screening", "Included", "A very long phase"]),
        main=boxes,
        side=st.none() | boxes,
    ),
    min_size=1,
    max_size=7,
)


def geometry(svg: str) -> tuple[list[tuple[float, ...]], list[tuple[float, float, float]], float]:
    """Boxes (x, y, w, h), lines (centre x, baseline y, forced width), drawing width."""
    root = ElementTree.fromstring(svg)
    rects = [
        tuple(float(r.get(k, 0)) for k in ("x", "y", "width", "height"))
        for r in root.findall(f"{SVG}rect")
        if r.get("width") != "100%"
    ]
    lines = [
        (float(t.get("x")), float(t.get("y")), float(t.get("textLength") or 0))
        for t in root.findall(f"{SVG}text")  # the boxes' text (the band's is in a <g>)
    ]
    return rects, lines, float(root.get("width"))


@settings(max_examples=60, deadline=None)
@given(stages)
def test_every_line_is_inside_its_box_and_boxes_do_not_overlap(flow: list[Stage]) -> None:
    rects, lines, width = geometry(flow_svg(flow))
    boxes = rects
    for x, y, w in lines:
        holders = [r for r in boxes if r[0] <= x <= r[0] + r[2] and r[1] <= y <= r[1] + r[3]]
        assert holders, f"a line at ({x}, {y}) is in no box"
        bx, _, bw, _ = min(holders, key=lambda r: r[2] * r[3])
        assert bx + PAD - 0.2 <= x - w / 2 and x + w / 2 <= bx + bw - PAD + 0.2
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[0] + a[2] <= width + 0.5
        for b in boxes[i + 1 :]:
            apart = (
                a[0] + a[2] <= b[0] or b[0] + b[2] <= a[0] or a[1] + a[3] <= b[1]
                or b[1] + b[3] <= a[1]
            )  # fmt: skip
            assert apart, f"boxes {a} and {b} overlap"


def test_a_phase_band_is_tall_enough_for_its_label() -> None:
    svg = flow_svg([Stage("Identification", Box("Records (n = 1)"))])
    root = ElementTree.fromstring(svg)
    band = root.findall(f"{SVG}rect")[1]
    assert float(band.get("height")) >= text_width("Identification", bold=True) + 2 * PAD


def test_consecutive_stages_of_a_phase_share_one_band_and_arrows_join_the_boxes() -> None:
    flow = [
        Stage("Identification", Box("Records identified (n = 10)"), Box("Removed (n = 2)")),
        Stage("Screening", Box("Records screened (n = 8)"), Box("Excluded (n = 3)")),
        Stage("Screening", Box("Reports assessed (n = 5)"), Box("Excluded, with reasons")),
        Stage("Included", Box("Studies included (n = 5)")),
    ]
    root = ElementTree.fromstring(flow_svg(flow))
    bands = [r for r in root.findall(f"{SVG}rect") if r.get("fill") == "#DCE6F2"]
    assert len(bands) == 3
    assert len(root.findall(f"{SVG}line")) == 3 + 3  # three down, three to the side boxes


def test_long_words_are_cut_so_no_line_is_wider_than_asked() -> None:
    lines = wrap_to_width("A " + "x" * 200 + " tail", 120)
    assert all(text_width(line) <= 120 for line in lines)
    assert "".join(lines).replace("-", "").replace(" ", "") == "A" + "x" * 200 + "tail"


def test_an_empty_flow_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one stage"):
        flow_svg([])
