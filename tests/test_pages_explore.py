"""AppTest runs of the Explore, Evidence map and Export pages.

Two kinds of project:

- a factory table (`tests.factories`), with hostile titles and codes, served in place of
  `lib.views.studies.study_table` (AppTest runs the page in this process, so a monkeypatched
  function is the one the page's loader calls): every page state can be reached, fast;
- the demo project, built through the public API (`tests.apptest_helpers`).

Widgets are found by key. AppTest cannot click a chart or select a table row; what a chart
click does is tested on selection dicts in test_explore_charts.py.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import lib.views.studies
from lib.explore.filters import FILTER_FACETS, Filters, apply
from lib.project import open_project
from lib.views.studies import STUDY_COLUMNS
from tests.apptest_helpers import (  # noqa: F401 (fixtures)
    ROOT,
    TIMEOUT,
    app_home,
    demo_project,
    demo_template,
    errors,
    open_page,
)
from tests.factories import make_studies

EXPLORE = "app_pages/5_Explore.py"
MAP = "app_pages/6_Evidence_map.py"
EXPORT = "app_pages/9_Export.py"
HOSTILE = "**bold** [x](javascript:alert(1)) <script>alert(1)</script>"

markdown_it = pytest.importorskip("markdown_it", reason="pip install markdown-it-py")
MD = markdown_it.MarkdownIt("commonmark")


def factory_table() -> pd.DataFrame:
    table = make_studies(240, seed=51, hostile=True)
    table.at[0, "country"] = [HOSTILE]
    table.at[1, "country"] = [HOSTILE, "Wales"]
    return table


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[[pd.DataFrame], Path]:
    """Make a project file whose studies table is the given table."""
    monkeypatch.setenv("LITREVIEW_HOME", str(tmp_path / "home"))

    def make(table: pd.DataFrame) -> Path:
        path = tmp_path / "home" / "project.sqlite"
        open_project(path).close()
        monkeypatch.setattr(lib.views.studies, "study_table", lambda project, **_: table.copy(),
                            raising=False)  # fmt: skip
        return path

    return make


def run(project: Path, page: str, query: dict | None = None) -> AppTest:
    """Open ``page`` of the app on ``project`` (without running the Overview first)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["project_path"] = str(project)
    if query:
        at.query_params.update(query)
    at.switch_page(page)
    return at.run()


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def results(at: AppTest) -> pd.DataFrame:
    frames = [d for d in at.dataframe if (d.key or "").startswith("results_")]
    assert len(frames) == 1
    return frames[0].value


def summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if " studies" in m.value)


def shown_count(at: AppTest) -> int:
    return int(summary(at).split("**")[1].replace(",", ""))


# -- Explore ---------------------------------------------------------------------------------
def test_explore_shows_every_filter_and_the_studies(serve) -> None:
    table = factory_table()
    at = run(serve(table), EXPLORE)
    assert_clean(at)
    for facet in FILTER_FACETS:
        assert at.multiselect(key=f"f_{facet}").value == []
    assert at.text_input(key="f_query").value == ""
    assert at.slider(key="f_years").value == (table["year"].min(), table["year"].max())
    assert at.toggle(key="f_checked").value is False
    assert at.selectbox(key="sort").value == "Newest first"
    assert shown_count(at) == len(table)
    assert len(results(at)) == len(table)
    assert len(at.get("plotly_chart")) == 0  # only the open tab is drawn
    at.session_state["explore_tab"] = "Charts"
    at.run()
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 4
    assert not [d for d in at.dataframe if (d.key or "").startswith("results_")]
    assert at.query_params == {}


def test_a_filter_set_in_the_sidebar_filters_the_table_and_the_url(serve) -> None:
    table = factory_table()
    at = run(serve(table), EXPLORE)
    at.multiselect(key="f_population").set_value(["women"]).run()
    assert_clean(at)
    expected = apply(table, Filters(population=("women",)))
    assert shown_count(at) == len(expected)
    shown = results(at)
    assert set(shown["study_id"]) == set(expected["study_id"])
    assert all("Women" in p for p in shown["population"])
    assert at.query_params == {"population": "women"}

    at.text_input(key="f_query").set_value("peer").run()
    at.slider(key="f_years").set_range(2010, 2020).run()
    assert_clean(at)
    expected = apply(table, Filters(population=("women",), query="peer", year_min=2010,
                                    year_max=2020))  # fmt: skip
    assert shown_count(at) == len(expected)
    assert at.query_params == {"population": "women", "q": "peer", "from": "2010", "to": "2020"}


def test_the_sidebar_counts_what_each_value_would_show(serve) -> None:
    table = factory_table()
    at = run(serve(table), EXPLORE, {"method": "qualitative"})
    widget = at.multiselect(key="f_population")
    women = next(o for o in widget.options if o.startswith("Women ("))
    expected = len(apply(table, Filters(method=("qualitative",), population=("women",))))
    assert women == f"Women ({expected})"


def test_a_selected_row_links_to_its_study_and_shows_its_title_as_text(serve) -> None:
    at = run(serve(factory_table()), EXPLORE, {"q": "bold"})
    table = results(at)
    key = next(d.key for d in at.dataframe if (d.key or "").startswith("results_"))
    at.session_state[key] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert_clean(at)
    chosen = table.iloc[0]
    assert chosen["title"] == "**bold** [x](javascript:alert(1))"
    assert any(t.value.startswith(chosen["title"]) for t in at.text)  # st.text: no Markdown
    link = next(p for p in at.get("page_link") if p.proto.label == "Open this study")
    assert link.proto.page == "Study"
    assert link.proto.query_string == f"study={chosen['study_id']}"


def test_a_shared_link_sets_the_widgets(serve) -> None:
    table = factory_table()
    query = {"population": ["women", "staff"], "from": "2010", "checked": "1", "q": "peer"}
    at = run(serve(table), EXPLORE, query)
    assert_clean(at)
    assert at.multiselect(key="f_population").value == ["staff", "women"]
    assert at.slider(key="f_years").value == (2010, table["year"].max())
    assert at.toggle(key="f_checked").value is True
    assert at.text_input(key="f_query").value == "peer"
    f = Filters(population=("women", "staff"), year_min=2010, checked_only=True, query="peer")
    assert shown_count(at) == len(apply(table, f))


def test_a_junk_link_opens_the_page_without_the_junk(serve) -> None:
    query = {"population": ["martians", "women"], "from": "20x0", "checked": "maybe",
             "study": "pm-1", "method": ""}  # fmt: skip
    at = run(serve(factory_table()), EXPLORE, query)
    assert_clean(at)
    assert at.multiselect(key="f_population").value == ["women"]
    assert at.query_params == {"population": "women"}


def test_clear_all_filters_empties_the_widgets_and_the_url(serve) -> None:
    table = factory_table()
    at = run(serve(table), EXPLORE, {"population": "women", "q": "peer"})
    at.button(key="clear").click().run()
    assert_clean(at)
    assert at.multiselect(key="f_population").value == []
    assert at.text_input(key="f_query").value == ""
    assert at.query_params == {}
    assert shown_count(at) == len(table)


def test_nothing_matching_says_what_to_do(serve) -> None:
    at = run(serve(factory_table()), EXPLORE, {"q": "zzz-nothing-like-it"})
    assert_clean(at)
    assert any("No studies match: clear a filter" in w.value for w in at.warning)
    at.button(key="clear_main").click().run()
    assert not at.warning and shown_count(at) == 240


@pytest.mark.parametrize("page", [EXPLORE, MAP, EXPORT])
def test_an_empty_project_says_to_import(serve, page: str) -> None:
    empty = pd.DataFrame({c: [] for c in STUDY_COLUMNS})
    at = run(serve(empty), page)
    assert_clean(at)
    assert any("No studies yet: import files on the Import page" in i.value for i in at.info)


@pytest.mark.parametrize("page", [EXPLORE, MAP, EXPORT])
def test_record_text_never_becomes_markup(serve, page: str) -> None:
    """A hostile country chosen in the filter shows in each page's summary as text."""
    at = run(serve(factory_table()), page, {"country": HOSTILE})
    assert_clean(at)
    assert "javascript" in summary(at)  # it is there, as text
    for element in [*at.markdown, *at.caption, *at.info, *at.warning, *at.title]:
        out = MD.render(element.value)
        assert "<a " not in out and "<script" not in out and "<img" not in out
        # the only bold is the page's own count of studies
        assert all(
            bold.replace(",", "").isdigit() for bold in re.findall(r"<strong>(.*?)</strong>", out)
        )
    assert HOSTILE in html.unescape(MD.render(summary(at))).replace("\u200b", "")


# -- Evidence map ----------------------------------------------------------------------------
def test_the_map_follows_the_explore_filter_and_keeps_its_axes_in_the_url(serve) -> None:
    table = factory_table()
    at = run(serve(table), MAP, {"population": "women"})
    assert_clean(at)
    assert at.selectbox(key="map_x").value == "method"
    assert at.selectbox(key="map_y").value == "population"
    assert at.selectbox(key="map_colour").value == "benefit"
    assert shown_count(at) == len(apply(table, Filters(population=("women",))))
    assert at.query_params == {"population": "women", "x": "method", "y": "population"}
    at.selectbox(key="map_y").set_value("themes").run()
    assert_clean(at)
    assert at.query_params["y"] == "themes"
    at.selectbox(key="map_y").set_value("method").run()
    assert any("two different facets" in i.value for i in at.info)


def test_the_map_controls_live_in_the_map_tab_not_beside_the_other_tabs(serve) -> None:
    """Columns, rows and colour were in the sidebar, so the Sources and Countries tabs
    showed controls that did nothing there."""
    at = run(serve(factory_table()), MAP, {})
    assert_clean(at)
    assert not [s for s in at.sidebar.selectbox if s.key and s.key.startswith("map_")]
    map_tab = at.tabs[0]
    assert map_tab.label == "Map"
    assert {s.key for s in map_tab.selectbox} >= {"map_x", "map_y", "map_colour"}
    assert not [s for t in at.tabs[1:] for s in t.selectbox if s.key.startswith("map_")]


def test_the_map_opens_on_axes_from_a_link(serve) -> None:
    at = run(serve(factory_table()), MAP, {"x": "setting", "y": "nonsense"})
    assert_clean(at)
    assert at.selectbox(key="map_x").value == "setting"
    assert at.selectbox(key="map_y").value == "population"
    assert len(at.get("plotly_chart")) == 4  # map, two source views, countries


# -- Export ----------------------------------------------------------------------------------
def test_export_offers_every_format_for_the_filtered_studies(serve) -> None:
    table = factory_table()
    at = run(serve(table), EXPORT, {"method": "rct"})
    assert_clean(at)
    n = len(apply(table, Filters(method=("rct",))))
    assert shown_count(at) == n
    buttons = {b.key: b for b in at.get("download_button")}
    assert set(buttons) >= {"download_csv", "download_xlsx", "download_ris", "download_bibtex",
                            "download_backup"}  # fmt: skip
    assert any("No imports recorded yet" in i.value for i in at.info)


def test_export_uses_the_filter_last_set_on_explore(serve) -> None:
    table = factory_table()
    at = run(serve(table), EXPLORE)
    at.multiselect(key="f_setting").set_value(["jail"]).run()
    at.query_params.clear()  # as after following the sidebar's link
    at.switch_page(EXPORT).run()
    assert_clean(at)
    assert shown_count(at) == len(apply(table, Filters(setting=("jail",))))
    assert at.query_params == {"setting": "jail"}
    at.switch_page(EXPLORE).run()  # and back: the widgets come back as they were
    assert at.multiselect(key="f_setting").value == ["jail"]


# -- a real project ----------------------------------------------------------------------------
@pytest.mark.parametrize("page", [EXPLORE, MAP, EXPORT])
def test_pages_run_on_the_demo_project(demo_project: Path, page: str) -> None:  # noqa: F811
    at = open_page(demo_project, page)
    assert not errors(at)
    assert shown_count(at) > 0


def test_filtering_the_demo_project_to_one_population(demo_project: Path) -> None:  # noqa: F811
    at = open_page(demo_project, EXPLORE)
    with open_project(demo_project) as project:
        table = lib.views.studies.study_table(project)
    at.multiselect(key="f_population").set_value(["sexual-offences"]).run()
    assert not errors(at)
    expected = apply(table, Filters(population=("sexual-offences",)))
    assert 0 < shown_count(at) == len(expected) < len(table)
    assert set(results(at)["study_id"]) == set(expected["study_id"])
    assert at.query_params == {"population": "sexual-offences"}
    at.switch_page(EXPORT).run()
    assert not errors(at)
    assert shown_count(at) == len(expected)
    assert len(at.get("image")) == 1  # the PRISMA flow of the project (an SVG)


# -- issue 12: filters that survive the next change --------------------------------------------
@pytest.fixture
def browser_labels(monkeypatch: pytest.MonkeyPatch) -> Callable[[AppTest], None]:
    """Make AppTest send multiselect values the way the browser does.

    Streamlit's frontend keeps the *label* it showed for each chosen option ("Women (33)")
    and sends that back on every later run, until the server sends it a new value;
    AppTest instead formats the chosen values with the newest labels, so it never sends
    a label whose count has since changed. Call the returned function after each run:
    it keeps, per multiselect, what the browser would hold.
    """
    from streamlit.testing.v1.element_tree import Multiselect

    held: dict[str, list[str]] = {}
    real_state, real_set = Multiselect._widget_state, Multiselect.set_value

    def send(self):  # type: ignore[no-untyped-def]
        state = real_state.fget(self)
        if self.id in held:
            state.string_array_value.data[:] = held[self.id]
        return state

    def pick(self, values):  # type: ignore[no-untyped-def]
        held[self.id] = [self.format_func(v) for v in values]  # the labels on screen now
        return real_set(self, values)

    monkeypatch.setattr(Multiselect, "_widget_state", property(send))
    monkeypatch.setattr(Multiselect, "set_value", pick)

    def observe(at: AppTest) -> None:
        for widget in at.multiselect:
            if widget.proto.set_value:  # the server told the browser a new value
                held[widget.id] = list(widget.proto.raw_values)

    return observe


def test_filters_stay_codes_when_the_counts_in_their_labels_change(serve, browser_labels) -> None:
    """Pick a population, then a method, then type a search: the population must stay the
    code ``women``. Before the fix it became the label "Women (33)", the URL said
    ``population=Women+(33)``, the sidebar "Any", and no study matched."""
    table = factory_table()
    at = run(serve(table), EXPLORE)
    at.multiselect(key="f_population").set_value(["women"]).run()
    browser_labels(at)
    at.multiselect(key="f_method").set_value(["qualitative"]).run()
    assert_clean(at)
    browser_labels(at)  # the population's count changed with the method: its label too
    at.text_input(key="f_query").set_value("peer").run()
    assert_clean(at)
    browser_labels(at)
    assert at.query_params.get("population") == "women"
    at.slider(key="f_years").set_range(2005, 2015).run()
    assert_clean(at)
    expected = Filters(population=("women",), method=("qualitative",), query="peer",
                       year_min=2005, year_max=2015)  # fmt: skip
    assert at.multiselect(key="f_population").value == ["women"]
    assert at.multiselect(key="f_method").value == ["qualitative"]
    assert at.query_params == {"population": "women", "method": "qualitative", "q": "peer",
                               "from": "2005", "to": "2015"}  # fmt: skip
    assert shown_count(at) == len(apply(table, expected)) > 0


def test_options_are_codes_and_only_their_labels_carry_counts(serve) -> None:
    at = run(serve(factory_table()), EXPLORE, {"method": "qualitative"})
    widget = at.multiselect(key="f_population")
    assert widget.value == []
    widget.set_value(["staff"]).run()
    widget = at.multiselect(key="f_population")
    assert widget.value == ["staff"]  # the value is the code ...
    assert all(re.fullmatch(r".+ \(\d[\d,]*\)", o) for o in widget.options)  # ... labels count


def test_the_url_changed_by_a_link_sets_the_widgets_even_after_filtering(serve) -> None:
    """A link to Explore with another filter (from the map, the Study page) wins over the
    widgets' state; the page's own URL writes never do (they are echoes)."""
    table = factory_table()
    at = run(serve(table), EXPLORE)
    at.multiselect(key="f_population").set_value(["women"]).run()
    at.switch_page(MAP).run()
    at.query_params.clear()
    at.query_params.update({"setting": "jail"})
    at.switch_page(EXPLORE).run()
    assert_clean(at)
    assert at.multiselect(key="f_setting").value == ["jail"]
    assert at.multiselect(key="f_population").value == []
    assert at.query_params == {"setting": "jail"}
