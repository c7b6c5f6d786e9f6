"""Evidence map: where the studies are (facet × facet), who found them, and where they were done.

Shows the studies of the current Explore filter (from the URL, else from this session);
the axes are in the URL too, so a map can be shared.
"""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.explore import charts, countries, evidence_map, urlstate
from lib.explore.filters import mask
from lib.explore.labels import code_label, count_text, facet_label
from lib.explore.table import DISPLAY_COLUMNS
from lib.textsafe import escape_markdown

MAX_ROWS = 1_000

project = state.page_setup("Evidence map")
studies = state.studies(project)


st.title("Evidence map")
state.stop_if_empty(studies)

index, results = state.study_index(project)
scoped = state.scope_switch(project, studies, index)
index = scoped.index  # the map, counts and lists below work within the scope
known = index.known()
filters, params = state.shared_filters(index)
query = {**urlstate.to_query(filters), **scoped.param}

# -- which map -------------------------------------------------------------------------------
axes = [a for a in evidence_map.AXES if known.get(a)]
first = params.get("x", [""])[0] if params.get("x") else ""
second = params.get("y", [""])[0] if params.get("y") else ""
if "map_x" not in st.session_state:
    st.session_state["map_x"] = first if first in axes else "method"
if "map_y" not in st.session_state:
    st.session_state["map_y"] = second if second in axes else "population"
selected = mask(studies, filters, index)
n_selected = int(selected.sum())
described = "; ".join(f"{label}: {values}" for label, values in filters.describe())
st.markdown(
    f"**{n_selected:,}** of {scoped.of_total()}"
    + (f" · {escape_markdown(described)}" if described else " (no filter)")
)
st.page_link(state.PAGES["Explore"], label="Change the filter on Explore",
             icon=":material/filter_alt:", query_params=query)  # fmt: skip
if n_selected == 0:
    st.warning("No studies match: clear a filter on the Explore page.")
    st.stop()

tab_map, tab_sources, tab_countries = st.tabs(["Map", "Sources", "Countries"])
with tab_map:  # the map's own controls, in its tab: the other tabs do not use them
    x_col, y_col, colour_col = st.columns(3)
    x = x_col.selectbox("Columns", axes, key="map_x", format_func=facet_label)
    y = y_col.selectbox("Rows", axes, key="map_y", format_func=facet_label)
    colour_by = colour_col.selectbox(
        "Colour: share of studies whose findings are",
        evidence_map.DIRECTIONS,
        key="map_colour",
        format_func=lambda d: code_label("direction", d),
    )
wanted = {**query, "x": x, "y": y}
if params != urlstate.as_lists(wanted):  # the URL says exactly what is shown
    st.query_params.from_dict(wanted)

with tab_map:
    if x == y:
        st.info("Choose two different facets for the columns and the rows.")
    else:
        matrix = evidence_map.bubble_matrix(studies, filters, x, y, index)
        event = st.plotly_chart(
            evidence_map.bubble_figure(matrix, x, y, colour_by),
            key=f"map_{x}_{y}",
            on_select="rerun",
            selection_mode=("points",),
            config={"displaylogo": False},
        )
        uncoded = {a: int((selected & ~index.present(a)).sum()) for a in (x, y)}
        st.caption(
            "A study coded with several values of a facet appears in each of their cells; "
            + "".join(
                f"{count_text(n)} with no {facet_label(a).lower()} code are in the "
                "'Not coded' " + ("column" if a == x else "row") + "; "
                for a, n in uncoded.items()
                if n
            )
            + "every matching study is on the map. Click a bubble to list its studies."
        )
        cell = evidence_map.cell_of(event, filters) if event is not None else (filters, ())
        if cell != (filters, ()):
            in_cell = evidence_map.cell_mask(studies, cell, index)
            where = "; ".join(
                [f"{label}: {values}" for label, values in cell[0].describe()]
                + [f"{facet_label(f)}: not coded" for f in cell[1]]
            )
            st.subheader(f"{count_text(int(in_cell.sum()))} in this cell")
            st.text(where)
            view = results.view(in_cell, "Newest first", MAX_ROWS)
            st.dataframe(
                view,
                hide_index=True,
                width="stretch",
                column_config={
                    **{c: st.column_config.Column(label) for c, label in DISPLAY_COLUMNS.items()},
                    "year": st.column_config.NumberColumn("Year", format="%d"),
                    "title": st.column_config.TextColumn("Title", width="large"),
                    "link": st.column_config.LinkColumn("Link", display_text="open ↗"),
                },
                key="cell_studies",
            )
            if cell[1]:
                st.caption("Explore cannot filter on 'not coded': correct these studies' "
                           "codes on the Study page.")  # fmt: skip
            else:
                in_explore = {**urlstate.to_query(cell[0]), **scoped.param}
                st.page_link(state.PAGES["Explore"], label="Open these studies in Explore",
                             icon=":material/filter_alt:", query_params=in_explore)  # fmt: skip

with tab_sources:
    combos = evidence_map.overlap_combinations(studies, filters, index)
    st.plotly_chart(evidence_map.upset_figure(combos), key="upset", config={"displaylogo": False})
    st.plotly_chart(
        evidence_map.overlap_figure(evidence_map.overlap_matrix(studies, filters, index)),
        key="overlap",
        config={"displaylogo": False},
    )
    if not combos.empty:
        only_one = combos[combos["size"] == 1]
        st.caption(
            f"{int(only_one['count'].sum()):,} of {n_selected:,} studies were found by one "
            "database only."
        )

with tab_countries:
    places = countries.country_table(studies, filters, index)
    event = st.plotly_chart(
        countries.country_map(places),
        key="countries",
        on_select="rerun",
        selection_mode=("points",),
        config=countries.MAP_CONFIG,
    )
    no_country = int((selected & ~index.present("country")).sum())
    off_map = places[places["iso3"] == ""]
    st.caption(
        "England, Scotland, Wales and Northern Ireland are counted as the United Kingdom "
        "(a study naming two of them counts once). A study done in several countries "
        "counts once for each"
        + (f"; {count_text(no_country)} name no country" if no_country else "")
        + (
            "; not on the map (no code, or too small at this scale): "
            + ", ".join(
                f"{escape_markdown(c)} ({n})"
                for c, n in zip(off_map["country"], off_map["studies"], strict=True)
            )
            if len(off_map)
            else ""
        )
        + "."
    )
    chosen = charts.selection_to_filters(event, filters) if event is not None else filters
    if chosen != filters:
        st.page_link(
            state.PAGES["Explore"],
            label="Open the selected countries' studies in Explore",
            icon=":material/filter_alt:",
            query_params={**urlstate.to_query(chosen), **scoped.param},
        )
    st.dataframe(
        places.assign(names=[", ".join(n) for n in places["names"]]),
        hide_index=True,
        column_config={
            "country": "Country",
            "iso3": None,
            "studies": st.column_config.NumberColumn("Studies", format="%d"),
            "names": "Coded as",
        },
        key="country_table",
    )
