"""Import: upload exports, label each with its database, read each file's report, and take
back an import that was a mistake."""

from __future__ import annotations

import streamlit as st

from lib import limits, state
from lib.pipeline import refresh
from lib.project import ProjectError
from lib.textsafe import escape_markdown
from lib.views.imports import Outcome, import_file, imports_table, incomplete_table

project = state.page_setup("Import")
st.title("Import")
st.caption(
    "Upload the exports of your searches (RIS, BibTeX, MEDLINE/.nbib, Web of Science, "
    "EndNote, Ovid, CSV/TSV, CSL-JSON...). Each file is read completely or not at all; the "
    "report says what was read, what was kept but is incomplete, and what was skipped, with "
    "line numbers."
)

uploads = st.file_uploader(
    "Export files", accept_multiple_files=True, key="uploads", help="Several files at once"
)
labels: dict[str, str] = {}
if uploads:
    st.write("Database label for each file (leave empty to use what the file says):")
    for i, upload in enumerate(uploads):
        # The file name is shown as text, not used as the label: labels are Markdown, and a
        # screen reader would read the escapes that keep a name like "*x*.ris" literal.
        name, box = st.columns([2, 3], vertical_alignment="center")
        name.text(upload.name)
        labels[upload.file_id] = box.text_input(
            f"Database label, file {i + 1}",
            key=f"label_{i}_{upload.name}",
            placeholder="e.g. Scopus",
            label_visibility="collapsed",
        )

if st.button("Import", key="import", type="primary", disabled=not uploads):
    progress = st.progress(0.0, text="Reading …")
    results: list[Outcome] = []
    for i, upload in enumerate(uploads or []):
        progress.progress(i / (len(uploads) + 1), text=f"Reading {escape_markdown(upload.name)} …")
        if upload.size > limits.MAX_FILE_BYTES:
            too_big = f"{upload.name}: over the {limits.MAX_FILE_BYTES // 10**6} MB limit"
            results.append(Outcome("error", upload.name, "not imported", [too_big]))
            continue

        def waiting(message: str, at: float = i / (len(uploads) + 1)) -> None:
            progress.progress(at, text=escape_markdown(message) + " …")

        results.append(
            import_file(
                project,
                upload.getvalue(),
                upload.name,
                labels[upload.file_id],
                on_wait=waiting,
            )
        )
    if any(r.imported for r in results):
        progress.progress(len(uploads) / (len(uploads) + 1), text="Finding duplicates, coding …")
        refresh(project)
    st.session_state["import_results"] = results
    st.rerun()  # so the sidebar's record count and every table show the new records

for outcome in st.session_state.get("import_results", []):
    box = {"success": st.success, "warning": st.warning, "error": st.error}[outcome.kind]
    box(f"{escape_markdown(outcome.file_name)}: {outcome.headline}")
    st.text("\n".join(outcome.lines))

st.subheader("Imports in this project")
imports = project.imports()
if not imports:
    st.info("Nothing imported yet: upload your first export above.")
else:
    widths = {
        "import": 60,
        "file": 130,
        "database": 120,
        "format": 160,
        "read": 60,
        "incomplete": 85,
        "skipped": 70,
        "status": 140,
    }  # 825 px: in view at 1280
    narrow = {c: st.column_config.Column(width=w) for c, w in widths.items()}
    st.dataframe(imports_table(imports), hide_index=True, key="imports_table", width="stretch",
                 column_config=narrow)  # fmt: skip
    for item in imports:
        name = escape_markdown(item["file_name"])
        with st.expander(f"Report: {name} (import {item['import_id']})"):
            st.text("\n".join(item["report"].lines()))

    incomplete = incomplete_table(project)
    if not incomplete.empty:
        st.subheader("Incomplete records")
        st.caption(
            "Kept so that counts match the exports, but incomplete: nothing to identify "
            "them (no title, author or DOI), or cut short where the file ends. They are "
            "never merged as duplicates without you. Check them in the database."
        )
        st.dataframe(incomplete, hide_index=True, key="incomplete_table")

    st.subheader("Remove an import")
    st.caption(
        "Takes a wrong import's records out of the project (counts, PRISMA, duplicates and "
        "codes follow). Your decisions stay and apply again if you undo."
    )
    choices = {i["import_id"]: i for i in imports}
    chosen = st.selectbox(
        "Import",
        list(choices),
        format_func=lambda n: (
            f"{n}: {choices[n]['file_name']}" + (" (removed)" if choices[n]["removed_at"] else "")
        ),
        key="remove_choice",
    )
    item = choices[chosen]
    try:
        if item["removed_at"]:
            if st.button("Undo the removal", key="undo_removal"):
                project.undo_removal(chosen)
                refresh(project)
                st.session_state["import_results"] = []
                st.rerun()
        else:
            sure = st.checkbox(
                f"Yes, remove import {chosen} and its {item['records']} records",
                key=f"remove_confirm_{chosen}",
            )
            if st.button("Remove the import", key="remove_import", disabled=not sure):
                project.remove_import(chosen)
                refresh(project)
                st.session_state["import_results"] = []
                st.rerun()
    except ProjectError as exc:
        st.error(escape_markdown(str(exc)))
