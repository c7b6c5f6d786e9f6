"""Explore: filter the studies by code, year, database and words; charts that filter too.

The filter lives in the widgets while the page is open, and is written to the URL
(shareable, survives a reload) and, for the other pages, to the session. The URL is read
only when the page is entered or a link brings another filter: the page's own writes come
back from the browser late when changes are quick, and must never undo newer choices.
A widget's value is always a code; the counts are only in the options' labels.
"""

from __future__ import annotations

import hashlib
from functools import partial

import streamlit as st

from lib import state
from lib.explore import charts, urlstate
from lib.explore.filters import FILTER_FACETS, Filters, as_codes, facet_counts, mask, option_text
from lib.explore.labels import code_label, facet_label
from lib.explore.table import DISPLAY_COLUMNS, SHOWN_COLUMNS, SORTS
from lib.textsafe import escape_markdown

MAX_ROWS = 500  # rows sent to the browser (2,000 took ~0.3 s more per change at 50k studies)
ROW_PX, MAX_TABLE_PX = 35, 760  # the table grows with its rows up to about a screen
WRITTEN = "_explore_written"  # the queries this page wrote to the URL, newest last
FACET_KEYS = {facet: f"f_{facet}" for facet in FILTER_FACETS}

project = state.page_setup("Explore")
studies = state.studies(project)
st.title("Explore")
state.stop_if_empty(studies)

index, results = state.study_index(project)
scoped = state.scope_switch(project, studies, index)
index = scoped.index  # every filter, count and chart below works within the scope
known = index.known()
years = index.year_range()
ss = st.session_state


# -- widget state <-> Filters -------------------------------------------------------------
def facet_codes(facet: str) -> list[str]:
    """The facet's widget value as codes (a browser may send an option's old label)."""
    labels = {code: code_label(facet, code) for code in known.get(facet, ())}
    return as_codes(ss.get(FACET_KEYS[facet], ()), known.get(facet, set()), labels)


def filters_from_widgets() -> Filters:
    lo = hi = None
    if years and "f_years" in ss:
        lo, hi = ss["f_years"]
        lo = None if lo <= years[0] else int(lo)
        hi = None if hi >= years[1] else int(hi)
    return Filters(
        **{facet: tuple(facet_codes(facet)) for facet in FACET_KEYS if facet in known},
        year_min=lo,
        year_max=hi,
        query=ss.get("f_query", ""),
        checked_only=ss.get("f_checked", False),
    )


def widgets_from_filters(filters: Filters) -> None:
    for facet, key in FACET_KEYS.items():
        ss[key] = [v for v in filters.values(facet) if v in known.get(facet, ())]
    if years:
        lo = years[0] if filters.year_min is None else min(max(filters.year_min, years[0]),
                                                            years[1])  # fmt: skip
        hi = years[1] if filters.year_max is None else max(min(filters.year_max, years[1]),
                                                            years[0])  # fmt: skip
        ss["f_years"] = (lo, max(lo, hi))
    ss["f_query"] = filters.query
    ss["f_checked"] = filters.checked_only


def clear_filters() -> None:
    widgets_from_filters(Filters())


def on_chart(key: str) -> None:
    """A click or box selection on a chart narrows the filter (see `charts`)."""
    current = filters_from_widgets()
    changed = charts.selection_to_filters(ss.get(key), current)
    if changed != current:
        widgets_from_filters(changed)


def canonical(query: dict) -> str:
    return repr(sorted(urlstate.as_lists(query).items()))


params = state.url_params()
written: list[str] = ss.setdefault(WRITTEN, [])
widget_keys = [*(FACET_KEYS[f] for f in FILTER_FACETS if f in known), "f_query", "f_checked"]
url_filters = urlstate.from_query(params, known)
entering = not all(k in ss for k in widget_keys)
if urlstate.has_filters(params) and (entering or canonical(params) not in written):
    widgets_from_filters(url_filters)  # a shared link, a reload, a link from another page
elif entering:
    widgets_from_filters(urlstate.from_query(ss.get(state.EXPLORE_QUERY, {}), known))
else:  # every rerun: the widgets hold codes again, and show them with today's counts
    for facet in FACET_KEYS:
        if facet in known:
            ss[FACET_KEYS[facet]] = facet_codes(facet)

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
        shown = {
            value: option_text(label, count)
            for value, label, count in zip(
                counts["value"], counts["label"], counts["count"], strict=True
            )
        }
        st.multiselect(
            facet_label(facet),
            options=list(counts["value"]),
            key=FACET_KEYS[facet],
            format_func=lambda v, shown=shown: shown.get(v, v),
            placeholder="Any",
        )
    st.button("Clear all filters", key="clear", on_click=clear_filters, width="stretch")

# -- the URL and the session keep the filter -------------------------------------------------
query = {**urlstate.to_query(filters), **scoped.param}
if params != urlstate.as_lists(query) or not written or written[-1] != canonical(query):
    st.query_params.from_dict(query)  # the URL says exactly what is shown
    written[:] = [*[w for w in written if w != canonical(query)][-30:], canonical(query)]
ss[state.EXPLORE_QUERY] = query

# -- results ---------------------------------------------------------------------------------
selected = mask(studies, filters, index)
n_selected = int(selected.sum())
described = "; ".join(f"{label}: {values}" for label, values in filters.describe())
st.markdown(
    f"**{n_selected:,}** of {scoped.of_total()}"
    + (f" · {escape_markdown(described)}" if described else "")
)
links = st.columns(3)
links[0].page_link(state.PAGES["Evidence_map"], label="Evidence map of these studies",
                   icon=":material/map:", query_params=query)  # fmt: skip
links[1].page_link(state.PAGES["Export"], label="Export these studies", icon=":material/download:",
                   query_params=query)  # fmt: skip

if n_selected == 0:
    st.warning("No studies match: clear a filter (or all of them in the sidebar).")
    st.button("Clear all filters", key="clear_main", on_click=clear_filters)
    st.stop()

# Only the open tab is drawn (the charts cost more than the table), and a click in one
# keeps it open.
tab_table, tab_charts = st.tabs(["Studies", "Charts"], key="explore_tab", on_change="rerun")
if tab_table.open:
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
            height=min(ROW_PX * (len(view) + 1) + 3, MAX_TABLE_PX),
            column_order=SHOWN_COLUMNS,
            column_config={
                **{c: st.column_config.Column(label) for c, label in DISPLAY_COLUMNS.items()},
                "cite": st.column_config.TextColumn("Author, year", width=150),
                "title": st.column_config.TextColumn("Title", width=270),
                "method": st.column_config.TextColumn("Method", width=115),
                "direction": st.column_config.TextColumn("Findings", width=80),
                "population": st.column_config.TextColumn("Population", width=155),
                "year": st.column_config.NumberColumn("Year", format="%d", width=60),
                "checked": st.column_config.CheckboxColumn("Checked"),
                "link": st.column_config.LinkColumn("Link", display_text="open ↗"),
            },
        )
        rows = event.selection.rows if event is not None else []
        if rows and rows[0] < len(view):
            chosen = view.iloc[rows[0]]
            st.text(f"{chosen['title']} ({chosen['cite']})")
            st.page_link(state.PAGES["Study"], label="Open this study",
                         icon=":material/description:",
                         query_params={"study": str(chosen["study_id"])})  # fmt: skip
        else:
            st.caption("Select a row to open its study.")

if tab_charts.open:
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
