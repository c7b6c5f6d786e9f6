"""Import: upload exports, label each with its database, and read each file's report."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import limits, state
from lib.ingest import read_bytes
from lib.pipeline import refresh
from lib.project import AlreadyImported
from lib.readers.base import ReadError
from lib.textsafe import escape_markdown

project = state.page_setup("Import")
st.title("Import")
st.caption(
    "Upload the exports of your searches (RIS, BibTeX, MEDLINE/.nbib, Web of Science, "
    "EndNote, CSV/TSV, CSL-JSON...). Each file is read completely or not at all; the report "
    "says what was read and what was skipped, with line numbers."
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
    results: list[tuple[str, str, list[str]]] = []  # (kind, file name, report lines)
    imported = 0
    for i, upload in enumerate(uploads or []):
        progress.progress(i / (len(uploads) + 1), text=f"Reading {escape_markdown(upload.name)} …")
        if upload.size > limits.MAX_FILE_BYTES:
            results.append(
                ("error", upload.name, [f"{upload.name}: over the {limits.MAX_FILE_BYTES // 10**6}"
                                        " MB limit; split the export into smaller files"])
            )  # fmt: skip
            continue
        try:
            read = read_bytes(upload.getvalue(), upload.name, database=labels[upload.file_id])
            project.add_import(read)
        except ReadError as exc:
            results.append(("error", upload.name, [exc.message()]))
            continue
        except AlreadyImported as exc:
            results.append(("warning", upload.name, [str(exc)]))
            continue
        imported += 1
        results.append(("success", upload.name, read.report.lines()))
    if imported:
        progress.progress(len(uploads) / (len(uploads) + 1), text="Finding duplicates, coding …")
        refresh(project)
    progress.progress(1.0, text="Done")
    st.session_state["import_results"] = results

for kind, name, lines in st.session_state.get("import_results", []):
    box = {"success": st.success, "warning": st.warning, "error": st.error}[kind]
    box(f"{escape_markdown(name)}: " + ("imported" if kind == "success" else "not imported"))
    st.text("\n".join(lines))

st.subheader("Imports in this project")
imports = project.imports()
if not imports:
    st.info("Nothing imported yet: upload your first export above.")
else:
    table = pd.DataFrame(
        [
            {
                "import": i["import_id"],
                "file": i["file_name"],
                "database": i["database"],
                "format": i["report"].format_label or i["format"],
                "encoding": i["encoding"],
                "read": i["records_read"],
                "skipped": i["records_skipped"],
                "imported at": i["imported_at"],
            }
            for i in imports
        ]
    )
    st.dataframe(table, hide_index=True, key="imports_table")
    for item in imports:
        name = escape_markdown(item["file_name"])
        with st.expander(f"Report: {name} (import {item['import_id']})"):
            st.text("\n".join(item["report"].lines()))
