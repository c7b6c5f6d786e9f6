"""Explore: filter the studies by code, year, database and words; charts that filter too.

The filter lives in the URL (shareable, survives a reload) and, for the other pages, in
the session. Widgets hold it while the page is open; charts change it through callbacks.
"""

from __future__ import annotations

import hashlib
from functools import partial

import streamlit as st

from lib import state
from lib.explore import charts, urlstate
from lib.explore.filters import FILTER_FACETS, Filters, facet_counts, mask
from lib.explore.labels import facet_label
from lib.explore.table import DISPLAY_COLUMNS, SORTS
from lib.textsafe import escape_markdown

MAX_ROWS = 2_000  # rows sent to the browser; the rest are a sort or a filter away
WRITTEN = "_explore_url"  # what this page last wrote to the URL
FACET_KEYS = {facet: f"f_{facet}" for facet in FILTER_FACETS}

project = state.page_setup("Explore")
studies = state.studies(project)


st.title("Explore")
state.stop_if_empty(studies)

index, results = state.study_index(project)
known = index.known()
years = index.year_range()


# -- widget state <-> Filters -------------------------------------------------------------
def filters_from_widgets() -> Filters:
    ss = st.session_state
    lo = hi = None
    if years and "f_years" in ss:
        lo, hi = ss["f_years"]
        lo = None if lo <= years[0] else int(lo)
        hi = None if hi >= years[1] else int(hi)
    return Filters(
        **{facet: tuple(ss.get(key, ())) for facet, key in FACET_KEYS.items()},
        year_min=lo,
        year_max=hi,
        query=ss.get("f_query", ""),
        checked_only=ss.get("f_checked", False),
    )


def widgets_from_filters(filters: Filters) -> None:
    ss = st.session_state
    for facet, key in FACET_KEYS.items():
        ss[key] = [v for v in filters.values(facet) if v in known.get(facet, ())]
    if years:
        lo = (
            years[0] if filters.year_min is None else min(max(filters.year_min, years[0]), years[1])
        )
        hi = (
            years[1] if filters.year_max is None else max(min(filters.year_max, years[1]), years[0])
        )
        ss["f_years"] = (lo, max(lo, hi))
    ss["f_query"] = filters.query
    ss["f_checked"] = filters.checked_only


def clear_filters() -> None:
    widgets_from_filters(Filters())


def on_chart(key: str) -> None:
    """A click or box selection on a chart narrows the filter (see `charts`)."""
    current = filters_from_widgets()
    changed = charts.selection_to_filters(st.session_state.get(key), current)
    if changed != current:
        widgets_from_filters(changed)


params = state.url_params()
url_filters = urlstate.from_query(params, known)
widget_keys = [*(FACET_KEYS[f] for f in FILTER_FACETS if f in known), "f_query", "f_checked"]
if urlstate.to_query(url_filters) != st.session_state.get(WRITTEN) and urlstate.has_filters(params):
    widgets_from_filters(url_filters)  # a shared link, a reload, a link from another page
elif not all(k in st.session_state for k in widget_keys):
    saved = st.session_state.get(state.EXPLORE_QUERY, {})
    widgets_from_filters(urlstate.from_query(saved, known))  # back from another page

filters = filters_from_widgets()

# -- sidebar -------------------------------------------------------------------------------
with st.sidebar:
    st.header("Filters")
    st.text_input(
        "Search titles, abstracts and authors",
        key="f_query",
        placeholder='e.g. listener "self-harm"',
        help="Every word must occur (any case, accents ignored); quote a phrase.",
    )
    if years and years[0] < years[1]:
        st.slider("Years", min_value=years[0], max_value=years[1], step=1, key="f_years")
    st.toggle("Checked studies only", key="f_checked")
    st.caption("Within a facet, any chosen value matches; across facets, all must.")
    for facet in FILTER_FACETS:
        if facet not in known or not known[facet]:
            continue
        counts = facet_counts(studies, facet, filters, index=index)
        label_of = dict(zip(counts["value"], counts["label"], strict=True))
        count_of = dict(zip(counts["value"], counts["count"], strict=True))
        st.multiselect(
            facet_label(facet),
            options=list(counts["value"]),
            key=FACET_KEYS[facet],
            format_func=lambda v, lab=label_of, cnt=count_of: f"{lab.get(v, v)} ({cnt.get(v, 0)})",
            placeholder="Any",
        )
    st.button("Clear all filters", key="clear", on_click=clear_filters, width="stretch")

# -- the URL and the session keep the filter -------------------------------------------------
query = urlstate.to_query(filters)
if params != urlstate.as_lists(query):  # the URL says exactly what is shown
    st.query_params.from_dict(query)
st.session_state[WRITTEN] = query
st.session_state[state.EXPLORE_QUERY] = query

# -- results ---------------------------------------------------------------------------------
selected = mask(studies, filters, index)
n_selected = int(selected.sum())
described = "; ".join(f"{label}: {values}" for label, values in filters.describe())
st.markdown(
    f"**{n_selected:,}** of {len(studies):,} studies"
    + (f" · {escape_markdown(described)}" if described else "")
)
links = st.columns(3)
links[0].page_link(state.PAGES["Evidence_map"], label="Evidence map of these studies",
                   icon="🗺️", query_params=query)  # fmt: skip
links[1].page_link(state.PAGES["Export"], label="Export these studies", icon="⬇️",
                   query_params=query)  # fmt: skip

if n_selected == 0:
    st.warning("No studies match: clear a filter (or all of them in the sidebar).")
    st.button("Clear all filters", key="clear_main", on_click=clear_filters)
    st.stop()

tab_table, tab_charts = st.tabs(["Studies", "Charts"])
with tab_table:
    sort = st.selectbox("Order", list(SORTS), key="sort", label_visibility="collapsed")
    view = results.view(selected, sort, MAX_ROWS)
    if n_selected > MAX_ROWS:
        st.caption(f"Showing the first {MAX_ROWS:,} in this order; filter or export for all.")
    digest = hashlib.blake2b(repr((query, sort)).encode(), digest_size=6).hexdigest()
    event = st.dataframe(
        view,
        key=f"results_{digest}",  # a new filter starts with nothing selected
        on_select="rerun",
        selection_mode="single-row",
        hide_index=True,
        width="stretch",
        height=420,
        column_config={
            **{c: st.column_config.Column(label) for c, label in DISPLAY_COLUMNS.items()},
            "year": st.column_config.NumberColumn("Year", format="%d"),
            "title": st.column_config.TextColumn("Title", width="large"),
            "checked": st.column_config.CheckboxColumn("Checked"),
            "link": st.column_config.LinkColumn("Link", display_text="open ↗"),
        },
    )
    rows = event.selection.rows if event is not None else []
    if rows and rows[0] < len(view):
        chosen = view.iloc[rows[0]]
        st.text(f"{chosen['title']} ({chosen['first_author']}, {chosen['year']})")
        st.page_link(state.PAGES["Study"], label="Open this study", icon="📄",
                     query_params={"study": str(chosen["study_id"])})  # fmt: skip
    else:
        st.caption("Select a row to open its study.")

with tab_charts:
    st.caption("Click a bar (or drag across several) to filter by it.")
    left, right = st.columns(2)
    for column, key, figure in (
        (left, "chart_year", charts.year_method_figure(studies, filters, index)),
        (right, "chart_population",
         charts.facet_bar_figure(studies, "population", filters, index)),
        (left, "chart_themes", charts.direction_theme_figure(studies, filters, index)),
        (right, "chart_setting", charts.facet_bar_figure(studies, "setting", filters, index)),
    ):  # fmt: skip
        column.plotly_chart(
            figure,
            key=key,
            on_select=partial(on_chart, key),
            selection_mode=("points", "box"),
            config={"displaylogo": False},
        )
