"""Overview: what the project holds, its PRISMA 2020 flow, and the project switcher.

The app's first page (`app.py` lists the pages and names this one "Overview").
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from lib import paths, state
from lib.demo import ensure_demo_project
from lib.explore.index import StudyIndex
from lib.project import ProjectError, open_project
from lib.project.bundle import import_bundle
from lib.textsafe import escape_markdown
from lib.views import scope as scopes
from lib.views.overview import markdown_table
from lib.views.overview_charts import population_svg, year_method_svg
from lib.views.prisma import (
    prisma_csv,
    prisma_file_name,
    prisma_png,
    prisma_svg,
    prisma_table,
)

# Drawn for a cold start in well under 3 s at 50k studies: the headline from counts, the
# charts from four columns of the studies table read with a few queries (the whole table
# is built in the background once the page is drawn, for the pages that need it), and
# only elements whose browser code is already loaded (SVG images, Markdown): Plotly and
# the data grid would each be fetched and compiled first (`lib.views.overview_charts`).
project = state.page_setup("Overview")
counts = state.prisma(project)

st.title(escape_markdown(project.meta("name") or project.path.stem), anchor=False)
st.caption(f"Project file: {escape_markdown(project.path)}")

studies = state.overview_studies(project)
n_studies = len(studies)
known = int((studies["method"] != "unclear").sum()) if n_studies else 0
# The headline counts the scope Explore and the map show (included, until none is).
scoped = scopes.choose(project, studies, StudyIndex(studies), state.chosen_scope())
headline = scopes.headline(scoped.counts, counts["records_identified"],
                           scopes.screened(project), scoped.chosen,
                           scopes.awaiting(project))  # fmt: skip
cols = st.columns(5)
cols[0].metric("Records imported", f"{counts['records_identified']:,}")
cols[1].metric("Duplicates removed", f"{counts['duplicates_removed']:,}")
cols[2].metric(scoped.metric_label, f"{scoped.total:,}", help=headline)
cols[3].metric("Method coded", f"{known / n_studies:.0%}" if n_studies else "–")
cols[4].metric("Pairs to review", f"{counts['to_review']:,}", help="Possible duplicates to review")

if not n_studies:
    st.info("This project is empty: import your exports on the **Import** page.")
else:
    linked = counts["reports"] - counts["studies"]  # why records less duplicates != studies
    folded = (f". {counts['reports']:,} publications after duplicates are removed; "
              f"{linked:,} of them are other reports of a study, counted with it")  # fmt: skip
    st.caption(headline + (folded if linked else ""))
    name = project.meta("name") or project.path.stem
    st.subheader("PRISMA 2020 flow", anchor=False)
    try:
        flow = state.prisma_flow(project)
    except ValueError as exc:
        st.error(f"The PRISMA counts cannot be drawn: {escape_markdown(exc)}.")
    else:
        svg = prisma_svg(flow)
        st.image(svg, width="content")  # its own size; smaller, as a whole, in a narrow window
        table, files = st.columns([3, 1], vertical_alignment="bottom")
        table.markdown(markdown_table(prisma_table(flow)))
        for label, suffix, mime, data in (
            ("PRISMA counts (CSV)", "csv", "text/csv", prisma_csv(flow)),
            ("PRISMA diagram (SVG)", "svg", "image/svg+xml", svg),
            ("PRISMA diagram (PNG)", "png", "image/png", partial(prisma_png, svg)),  # on click
        ):
            files.download_button(label, data=data, mime=mime, on_click="ignore",
                                  file_name=prisma_file_name(name, suffix),
                                  key=f"download_prisma_{suffix}")  # fmt: skip
    st.subheader("Studies", anchor=False)
    st.caption(f"Charts of the {scoped.of_total()}.")
    left, right = st.columns(2)
    in_scope = scopes.scope_masks(project, studies)[scoped.shown]
    shown = studies if in_scope is None else studies[in_scope]
    left.image(year_method_svg(shown), width="stretch")
    right.image(population_svg(shown), width="stretch")
    if counts["to_review"]:
        st.page_link(
            state.PAGES["Duplicates"], label="Review possible duplicates", icon=":material/search:"
        )
    st.page_link(state.PAGES["Explore"], label="Explore the studies (charts that filter)",
                 icon=":material/explore:")  # fmt: skip

st.divider()
st.subheader("Project", anchor=False)
choice = st.radio(
    "Open",
    ["The demo project", "A new project", "An existing project file", "A backup"],
    horizontal=True,
    key="project_choice",
)
if choice == "The demo project":
    if st.button("Open the demo", key="open_demo"):
        state.switch_project(ensure_demo_project(paths.demo_project_path()))
        st.rerun()
elif choice == "A backup":
    backup = st.file_uploader("Project backup (.json, from the Export page)", key="backup_file")
    target = st.text_input(
        "Restore into (a new .sqlite file)",
        value=str(paths.data_home() / "restored-review.sqlite"),
        key="restore_file",
    )
    if st.button("Restore and open", key="restore", disabled=not (backup and target.strip())):
        path = Path(target.strip()).expanduser()
        try:
            import_bundle(backup.getvalue(), path, source=backup.name).close()
        except ProjectError as exc:
            st.error(f"{escape_markdown(exc)}.")
        else:
            state.switch_project(path)
            st.rerun()
else:
    default = str(paths.data_home() / "my-review.sqlite") if choice == "A new project" else ""
    target = st.text_input("Project file (.sqlite)", value=default, key="project_file")
    label = "Create and open" if choice == "A new project" else "Open"
    if st.button(label, key="open_project", disabled=not target.strip()):
        path = Path(target.strip()).expanduser()
        if choice == "A new project" and path.exists():
            st.error(
                f"{escape_markdown(path)} already exists: choose another name, or open it as "
                "existing."
            )
        elif choice == "An existing project file" and not path.exists():
            st.error(
                f"{escape_markdown(path)}: no such file. Check the path, or create a new project."
            )
        else:
            try:
                open_project(path).close()
            except ProjectError as exc:
                st.error(f"{escape_markdown(exc)}.")
            else:
                state.switch_project(path)
                st.rerun()

with st.expander("Imports and decisions (project log)"):
    events = project.events()
    if not events:
        st.write("Nothing has happened in this project yet.")
    elif st.toggle(f"Show the log ({len(events):,} entries)", key="show_log"):
        st.dataframe(pd.DataFrame(events), hide_index=True, key="log_table")

state.warm_studies(project)  # for the next page, once this one is drawn
