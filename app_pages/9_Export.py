"""Export: the studies of the current Explore filter as CSV, Excel, RIS or BibTeX; the PRISMA flow.

The filter comes from the URL (the Explore page links here with it), else from this
session. Files are made when a button is clicked, not on every rerun.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import streamlit as st

from lib import exporting, state
from lib.explore import urlstate
from lib.explore.filters import apply
from lib.project import open_project
from lib.project.bundle import export_bundle
from lib.textsafe import escape_markdown
from lib.views import exports, prisma


def backup(path: str) -> bytes:
    """The project as a bundle, read through its own connection (made at click time)."""
    with open_project(path, create=False) as opened:
        return export_bundle(opened)


project = state.page_setup("Export")
studies = state.studies(project)


st.title("Export")
state.stop_if_empty(studies)

index, _ = state.study_index(project)
scoped = state.scope_switch(project, studies, index)
filters, params = state.shared_filters(scoped.index)
query = {**urlstate.to_query(filters), **scoped.param}
if params != urlstate.as_lists(query):
    st.query_params.from_dict(query)  # the URL says exactly what is exported

chosen = apply(studies, filters, scoped.index)
n = len(chosen)
described = "; ".join(f"{label}: {values}" for label, values in filters.describe())

st.subheader("Studies")
st.markdown(
    f"**{n:,}** of {scoped.of_total()}"
    + (f" · {escape_markdown(described)}" if described else " (no filter)")
)
st.page_link(state.PAGES["Explore"], label="Change the filter on Explore",
             icon=":material/filter_alt:", query_params=query)  # fmt: skip

if n == 0:
    st.warning("No studies match: clear a filter on the Explore page.")
else:
    layout = st.radio(
        "What each row or entry is",
        list(exports.LAYOUTS),
        format_func=exports.LAYOUTS.__getitem__,
        key="export_layout",
    )
    n_entries = exports.entry_count(chosen, layout)
    about = [
        ("Project", project.path.stem),
        ("Exported", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("Scope", scoped.describe()),
        ("Studies", str(n)),
        ("Rows", f"{n_entries} ({exports.LAYOUTS[layout]})"),
        ("Filter", described or "none"),
    ]
    columns = st.columns(len(exporting.FORMATS))
    for column, (name, fmt) in zip(columns, exporting.FORMATS.items(), strict=True):
        column.download_button(
            f"{fmt.label} ({fmt.suffix})",
            data=partial(exports.export_file, str(project.path), chosen, layout, name, about),
            file_name=exporting.export_file_name(project.path.stem, name, n),
            mime=fmt.mime,
            key=f"download_{name}",
            on_click="ignore",
            width="stretch",
        )
    st.caption(
        f"{n_entries:,} rows. Every format carries each study's codes, the databases that "
        "found it, its duplicate group and the reviewer's decisions: CSV and Excel in "
        "columns, RIS in notes (N1) with the codes as keywords, BibTeX in litreview- "
        "fields. Import the file into another project to get the same studies back; "
        "'every record' also brings back the duplicate groups (leave the database label "
        "empty on import to keep each record's own)."
    )

st.subheader("PRISMA 2020 flow")
st.caption("For the whole project, whatever the filter: from its imports and decisions.")
try:
    flow = state.prisma_flow(project)
except ValueError as exc:
    st.error(f"The PRISMA counts cannot be drawn: {escape_markdown(exc)}.")
else:
    if not flow.identification.identified:
        st.info("No imports recorded yet: import files on the Import page.")
    else:
        svg = prisma.prisma_svg(flow)
        st.image(svg, width="content")
        table = prisma.prisma_table(flow)
        st.dataframe(table, hide_index=True, key="prisma_table", height="content")
        stem = project.meta("name") or project.path.stem
        downloads = (
            ("PRISMA counts (CSV)", "csv", "text/csv", prisma.prisma_csv(flow)),
            ("PRISMA diagram (SVG)", "svg", "image/svg+xml", svg),
            ("PRISMA diagram (PNG)", "png", "image/png", partial(prisma.prisma_png, svg)),
        )
        for column, (label, suffix, mime, data) in zip(st.columns(3), downloads, strict=True):
            column.download_button(
                label,
                data=data,  # the PNG is made when clicked
                file_name=prisma.prisma_file_name(stem, suffix),
                mime=mime,
                key=f"download_prisma_{suffix}",
                on_click="ignore",
            )
st.caption("Charts: each chart's camera button (top right, on hover) saves it as a PNG.")

st.subheader("The whole project")
st.download_button(
    "Project backup (.json)",
    data=partial(backup, str(project.path)),  # made when clicked
    file_name=f"{project.path.stem}-backup.json",
    mime="application/json",
    key="download_backup",
    on_click="ignore",
)
st.caption(
    "Everything you imported and decided (records, duplicate decisions, code corrections, "
    "checks, codebooks, the log) in one file. Restore it on the Overview page, here or on "
    "another computer."
)
