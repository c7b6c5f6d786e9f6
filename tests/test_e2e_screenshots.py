"""Screenshots of the pages as a reviewer sees them at 1280 px, and labels that read.

Every page (and every tab of the Evidence map and the Codebook) is shown in Chromium at
1280 px wide, whole (the window is made as tall as the page), and saved under
``artifacts/screenshots/1280/`` for a person to look at; CI keeps them as artefacts.
What a script can check is checked too: in every chart, no two tick labels of one axis
overlap, and no tick label, title or note is cut off at the chart's edge.

Uses the app server, project and browser of `tests.test_e2e_browser` (the demo project
with a hostile record); skips like it without Chromium. Run alone with
``pytest tests/test_e2e_screenshots.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lib.project import Project
from tests.test_e2e_browser import (  # noqa: F401 (fixtures)
    PAGES,
    SHOTS,
    WAIT_MS,
    assert_clean,
    browser,
    project,
    project_file,
    server,
    settle,
)

pytestmark = pytest.mark.browser

WIDTH = 1280
FOLDER = SHOTS / str(WIDTH)

# Per chart: tick labels of one axis that overlap, and labels that stick out of the chart.
LABEL_PROBLEMS = """
() => {
  const problems = [];
  // A label as drawn: the four corners of its text box on the screen (it may be rotated).
  const corners = (el) => {
    const b = el.getBBox(), m = el.getScreenCTM();
    return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height],
            [b.x, b.y + b.height]].map(([x, y]) => [m.a * x + m.c * y + m.e,
                                                    m.b * x + m.d * y + m.f]);
  };
  // Two convex quadrilaterals overlap unless some edge's normal separates them (SAT);
  // a pixel of tolerance, for anti-aliasing.
  const overlap = (p, q) => {
    for (const poly of [p, q]) {
      for (let i = 0; i < 4; i++) {
        const [x1, y1] = poly[i], [x2, y2] = poly[(i + 1) % 4];
        const len = Math.hypot(x2 - x1, y2 - y1) || 1;
        const nx = (y1 - y2) / len, ny = (x2 - x1) / len;
        const span = (pts) => pts.map(([x, y]) => x * nx + y * ny);
        const a = span(p), b = span(q);
        if (Math.max(...a) <= Math.min(...b) + 1 || Math.max(...b) <= Math.min(...a) + 1) {
          return false;
        }
      }
    }
    return true;
  };
  document.querySelectorAll('.js-plotly-plot').forEach((plot, n) => {
    const outer = plot.getBoundingClientRect();
    const name = (plot.querySelector('.gtitle') || {}).textContent || `chart ${n + 1}`;
    const axes = {};
    plot.querySelectorAll('g.xtick > text, g.ytick > text, g.x2tick > text, g.y2tick > text')
      .forEach((t) => {
        const axis = t.parentNode.getAttribute('class');
        (axes[axis] = axes[axis] || []).push(t);
      });
    for (const [axis, ticks] of Object.entries(axes)) {
      const shown = ticks.filter((t) => t.textContent.trim() && t.getBBox().width > 0);
      const boxes = shown.map(corners);
      for (let i = 0; i < shown.length; i++) {
        for (let j = i + 1; j < shown.length; j++) {
          if (overlap(boxes[i], boxes[j])) {
            problems.push(`${name}: ${axis} labels overlap: '${shown[i].textContent}' and `
                          + `'${shown[j].textContent}'`);
          }
        }
      }
    }
    plot.querySelectorAll('.gtitle, .g-xtitle text, .g-ytitle text').forEach((title) => {
      if (!title.textContent.trim()) return;
      const t = corners(title);
      for (const ticks of Object.values(axes)) {
        for (const tick of ticks) {
          if (tick.textContent.trim() && overlap(t, corners(tick))) {
            problems.push(`${name}: '${title.textContent}' overlaps the label `
                          + `'${tick.textContent}'`);
          }
        }
      }
    });
    plot.querySelectorAll('g.xtick > text, g.ytick > text, .gtitle, .annotation-text, '
                          + '.g-xtitle text, .g-ytitle text').forEach((t) => {
      const b = t.getBoundingClientRect();
      if (!t.textContent.trim() || b.width === 0) return;
      if (b.left < outer.left - 1 || b.right > outer.right + 1
          || b.top < outer.top - 1 || b.bottom > outer.bottom + 1) {
        problems.push(`${name}: '${t.textContent}' is cut off at the chart's edge`);
      }
    });
    // a legend at the side must not squeeze the plot into a sliver (a dozen methods did)
    const area = plot.querySelector('.cartesianlayer .bg, .nsewdrag');
    if (plot.querySelector('.legend') && area
        && area.getBoundingClientRect().width < outer.width / 2) {
      problems.push(`${name}: the legend leaves the plot less than half the chart's width`);
    }
  });
  return problems;
}
"""


# On the Study page: highlighted words padded apart from their neighbours (Streamlit pads
# coloured backgrounds, which reads as a space before "'s" or a comma), and code tags of
# a widget that do not fit inside it.
HIGHLIGHT_PROBLEMS = """
() => {
  const problems = [];
  document.querySelectorAll('[data-testid="stMarkdownContainer"] span').forEach((s) => {
    const style = getComputedStyle(s);
    const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight)
                + parseFloat(style.marginLeft) + parseFloat(style.marginRight);
    if (s.className.includes('stMarkdownColored') && pad > 0) {
      problems.push(`highlight '${s.textContent}' is padded ${pad}px from its neighbours`);
    }
  });
  document.querySelectorAll('[data-testid="stMultiSelect"] span[data-baseweb="tag"]')
    .forEach((tag) => {
      const box = tag.getBoundingClientRect();
      const field = tag.closest('[data-baseweb="select"]').getBoundingClientRect();
      if (box.right > field.right - 30 || box.width < 20) {
        problems.push(`code tag '${tag.textContent}' is cut off`);
      }
    });
  document.querySelectorAll('[data-testid="stCheckbox"] label p').forEach((p) => {
    if (p.scrollWidth > p.clientWidth + 1) {
      problems.push(`the label '${p.textContent}' is cut off`);
    }
  });
  return problems;
}
"""


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def open_page(page: Any, base: str, name: str, query: str = "") -> None:
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(f"{base}/{PAGES[name]}{query}")
    page.locator("h1").first.wait_for()
    settle(page)


def charts_drawn(page: Any) -> None:
    """Wait until every visible Plotly chart has drawn its axes or its message."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .filter((c) => c.offsetParent !== null)
                 .every((c) => c.querySelector('.main-svg'))"""
    )
    page.wait_for_timeout(300)  # plotly lays out its text after drawing the frame


def whole_page(page: Any, name: str) -> list[str]:
    """Save the whole page at 1280 px (window as tall as the page); the label problems."""
    height = page.evaluate(
        """() => Math.max(...[...document.querySelectorAll(
               '[data-testid="stMain"], [data-testid="stMainBlockContainer"]')]
               .map((e) => e.scrollHeight), document.body.scrollHeight)"""
    )
    page.set_viewport_size({"width": WIDTH, "height": min(int(height) + 40, 12_000)})
    settle(page)
    charts_drawn(page)
    # widgets brought into view by the taller window draw a frame later
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stCheckbox"] label')]
                 .every((l) => l.getBoundingClientRect().width > 0)"""
    )
    page.wait_for_timeout(700)
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(FOLDER / f"{name}.png"))
    return list(page.evaluate(LABEL_PROBLEMS))


def click_tab(page: Any, label: str) -> None:
    page.get_by_role("tab", name=label).click()
    settle(page)


def test_every_page_at_1280_px_with_labels_that_read(tab: Any, server: str) -> None:  # noqa: F811
    problems: list[str] = []
    for name in ("Overview", "Import", "Duplicates", "Explore", "Export"):
        open_page(tab, server, name)
        assert_clean(tab, name)
        problems += whole_page(tab, name.replace(" ", "_"))
    nav = tab.locator("[data-testid='stSidebarNav']")
    assert nav.get_by_text("Overview", exact=True).count() == 1
    assert nav.get_by_text("app", exact=True).count() == 0

    open_page(tab, server, "Evidence map")
    for label in ("Map", "Sources", "Countries"):
        click_tab(tab, label)
        assert_clean(tab, f"Evidence map, {label}")
        problems += whole_page(tab, f"Evidence_map-{label}")

    open_page(tab, server, "Study")
    assert_clean(tab, "Study")
    problems += whole_page(tab, "Study")
    problems += tab.evaluate(HIGHLIGHT_PROBLEMS)

    open_page(tab, server, "Codebook")
    for label in ("Rules", "Change a code", "YAML", "History"):
        click_tab(tab, label)
        assert_clean(tab, f"Codebook, {label}")
        problems += whole_page(tab, f"Codebook-{label.split()[0]}")

    # a change previewed: the studies it changes, by title, each a link to its page
    open_page(tab, server, "Codebook")
    click_tab(tab, "Change a code")
    tab.get_by_role("combobox", name="Facet").click()
    tab.get_by_role("option", name="Setting", exact=True).click()
    settle(tab)
    tab.get_by_label("Cancelled by (phrases, separated by ;)").fill("prison*")
    tab.get_by_role("button", name="Preview this change").click()
    tab.get_by_text("Preview of version 2").first.wait_for()
    settle(tab)
    assert_clean(tab, "Codebook, preview")
    assert tab.locator("a[href*='Study?study=']").count() >= 5
    problems += whole_page(tab, "Codebook-preview")
    assert not problems, "\n".join(problems)


def test_long_names_and_many_columns_are_neither_cut_off_nor_overlapping(browser: Any) -> None:  # noqa: F811
    """The evidence map's charts drawn alone (Plotly's own bundle, no server) with long
    database names and every method as a column, in a window as narrow as the main
    column at 1280 px and in a wide one."""
    import json

    import plotly
    from plotly.io.json import to_json_plotly

    from lib.explore import evidence_map
    from lib.explore.filters import Filters
    from tests.factories import make_studies

    table = make_studies(400, seed=8)
    long_names = [
        "APA PsycInfo (EBSCOhost) 1806-present",
        "ProQuest Criminal Justice Database",
        "Web of Science Core Collection: Social Sciences Citation Index",
        "Scopus",
    ]
    table["databases"] = [sorted({long_names[i % 4], long_names[(i * 7) % 4]})
                          for i in range(len(table))]  # fmt: skip
    combos = evidence_map.overlap_combinations(table)
    figures = {
        "map": evidence_map.bubble_figure(
            evidence_map.bubble_matrix(table, Filters(), "method", "themes"), "method", "themes"
        ),
        "overlap": evidence_map.overlap_figure(evidence_map.overlap_matrix(table)),
        "upset": evidence_map.upset_figure(combos),
    }
    bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    context = browser.new_context(viewport={"width": 900, "height": 1000})
    page = context.new_page()
    problems = []
    for width in (900, 1400):
        page.set_viewport_size({"width": width, "height": 1000})
        for name, fig in figures.items():
            page.set_content("<div id='chart' class='js-plotly-plot'></div>")
            page.add_script_tag(path=str(bundle))
            page.evaluate(
                "([fig]) => Plotly.newPlot('chart', fig.data, fig.layout)",
                [json.loads(to_json_plotly(fig))],
            )
            page.wait_for_timeout(200)
            FOLDER.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(FOLDER / f"long-names-{name}-{width}.png"), full_page=True)
            problems += [f"{width} px, {name}: {p}" for p in page.evaluate(LABEL_PROBLEMS)]
    context.close()
    assert not problems, "\n".join(problems)


# The PRISMA table on the Overview shows every row of the flow, down to its last, with no
# inner scrolling: it is a Markdown table (a page-height HTML table, not a data grid).
# Returns the rows drawn and whether the last row is inside the page; -1 without it.
PRISMA_TABLE_ROWS = """
() => {
  const table = [...document.querySelectorAll('[data-testid="stMarkdownContainer"] table')]
    .find(t => t.innerText.includes('Records identified'));
  if (!table) return [-1, false];
  const rows = table.querySelectorAll('tbody tr');
  const last = rows[rows.length - 1];
  return [rows.length, last.innerText.includes('Reports of included studies')];
}
"""


def test_screening_pages_and_the_full_prisma_flow_at_1280_px(
    tab: Any,
    server: str,  # noqa: F811
    project_file: Project,  # noqa: F811
) -> None:
    """Issue 14's pages as a reviewer meets them mid-review: Screen and Check codes, and
    the Overview's PRISMA flow, Explore (included scope, then all) and the evidence map
    after decisions at both stages. The decisions are taken back at the end, so the other
    tests of this module see the project as before."""
    from lib.screening import decisions
    from lib.views.studies import study_table

    ids = list(study_table(project_file)["study_id"])
    made = decisions.decide_many(
        project_file,
        [(s, "include", "", "") for s in ids[:6]]
        + [(s, "exclude", "Wrong population", "") for s in ids[6:9]]
        + [(s, "exclude", "", "") for s in ids[9:11]]
        + [(ids[11], "maybe", "", "")],
    )
    made += decisions.decide_many(
        project_file,
        [(s, "include", "", "") for s in ids[:3]]
        + [(ids[3], "exclude", "Full text not available", "")]
        + [(ids[4], "exclude", "Wrong study design", "")],
        stage="full-text",
    )
    problems: list[str] = []
    try:
        for name, path in (("Screen", "Screen"), ("Check codes", "Check_codes")):
            tab.set_viewport_size({"width": WIDTH, "height": 900})
            tab.goto(f"{server}/{path}")
            tab.locator("h1").filter(has_text=name).wait_for()
            settle(tab)
            assert_clean(tab, name)
            problems += whole_page(tab, name.replace(" ", "_"))
            problems += [f"{name}: {p}" for p in tab.evaluate(HIGHLIGHT_PROBLEMS)]
        open_page(tab, server, "Overview")
        assert_clean(tab, "Overview, screened")
        problems += whole_page(tab, "Overview-screened")
        drawn, whole = tab.evaluate(PRISMA_TABLE_ROWS)
        assert drawn >= 15 and whole, f"the PRISMA table shows {drawn} rows, last row: {whole}"
        for name, query, shot_name in (
            ("Explore", "", "Explore-included"),
            ("Explore", "?scope=all", "Explore-all"),
            ("Evidence map", "", "Evidence_map-included"),
            ("Export", "", "Export-included"),
        ):
            open_page(tab, server, name, query)
            assert_clean(tab, shot_name)
            problems += whole_page(tab, shot_name)
    finally:
        for decision_id in made:
            decisions.undo(project_file, decision_id)
    assert not problems, "\n".join(problems)
