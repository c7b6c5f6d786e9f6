"""Duplicates: decide the possible pairs, look into merged studies, split them, undo.

Every decision is written to the project file at once (`lib.project.duplicates.decide`),
the project is regrouped and recoded (`lib.pipeline.refresh`), and the page reruns, so a
reload or another browser session sees it. Record text is shown only through elements
that do not read Markdown (``st.text``, ``st.dataframe``) or escaped.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from lib import pipeline, state
from lib.explore.filters import Filters, apply
from lib.model import Record
from lib.project import ProjectError, duplicates, open_project
from lib.textsafe import escape_markdown
from lib.views.bulk_decisions import accept_pairs, pairs_at_or_above
from lib.views.compare import DIFFERENT, ONLY_A, ONLY_B, SIMILAR, comparison_table

PER_PAGE = 10  # pairs shown at once
MAX_OPTIONS = 200  # merged studies offered in the picker (search narrows it)
RECENT = 20  # decisions listed with an undo button unless "show all"
FLASH = "duplicates_flash"  # the message of the last decision, shown after the rerun
PENDING = "duplicates_bulk_pending"  # (threshold, pairs) waiting for confirmation
KIND_LABELS = {
    "same": "Same publication",
    "different": "Different publications",
    "other-report": "Other report of the same study",
    "split": "Split off as a study of its own",
}
ROW_COLOURS = {
    DIFFERENT: "background-color: #f8d7da",
    ONLY_A: "background-color: #fff3cd",
    ONLY_B: "background-color: #fff3cd",
    SIMILAR: "background-color: #e8f1fa",
}

project = state.page_setup("Duplicates")
studies = state.studies(project)
counts = state.prisma(project)


@st.cache_resource(max_entries=2, show_spinner="Finding the pairs to review …")
def review_queue(path: str, version: int) -> list[duplicates.ReviewItem]:
    """The queue of one project version (page_setup has regrouped: this only reads)."""
    with open_project(path, create=False) as opened:
        return duplicates.review_queue(opened)


def decided(message: str) -> None:
    """After a write: recode, remember what to say, and show the new state."""
    pipeline.refresh(project)
    st.session_state[FLASH] = message
    st.rerun()


def decide(kind: str, record_ids: list[str], message: str) -> None:
    try:
        duplicates.decide(project, kind, record_ids)
    except ValueError as exc:
        st.error(f"Not recorded: {escape_markdown(exc)}.")
        return
    decided(message)


def short(record: Record | None, record_id: str, width: int = 90) -> str:
    """'id · database · title' for lists (plain text)."""
    if record is None:
        return record_id
    title = record.title if len(record.title) <= width else record.title[: width - 1] + "…"
    return f"{record_id} · {record.source_db or 'no database'} · {title or '(no title)'}"


def styled(table: pd.DataFrame) -> pd.io.formats.style.Styler:
    """Rows coloured by how their values differ (the colours are explained in a caption)."""
    return table.style.apply(lambda row: [ROW_COLOURS.get(row["Match"], "")] * len(row), axis=1)


queue = review_queue(str(project.path), project.version)
records = state.records_by_id(project)
made = duplicates.decisions(project, include_undone=True)
every_link = duplicates.links(project)
active = [d for d in made if d["undone_at"] is None]

st.title("Duplicates")
cols = st.columns(5)
cols[0].metric("Records", counts["records_identified"])
cols[1].metric("Studies", counts["studies"])
cols[2].metric("Duplicates merged", counts["duplicates_removed"])
cols[3].metric("Pairs to review", len(queue))
cols[4].metric("Your decisions", len(active))
if FLASH in st.session_state:
    st.success(escape_markdown(st.session_state.pop(FLASH)))

tab_queue, tab_groups, tab_decisions = st.tabs(
    [f"Review ({len(queue)})", "Merged studies", f"Your decisions ({len(active)})"]
)

# -- the review queue -----------------------------------------------------------------------
with tab_queue:
    if not queue:
        st.success("No possible duplicates left to review.")
        st.caption(
            f"{counts['records_identified']:,} records make {counts['studies']:,} studies: "
            f"{counts['duplicates_removed']:,} duplicates merged, {len(active):,} of them or "
            "their splits by your decisions. Import more files, or look into the merged "
            "studies."
        )
    else:
        st.caption(
            "Pairs the matcher could not decide alone, most likely first. Rows of the "
            "table are coloured: red where the values differ, yellow where one record has "
            "no value, blue where they differ only in case, punctuation or name form."
        )
        with st.expander("Accept many pairs at once"):
            threshold = st.slider(
                "Accept every pair scoring at least",
                min_value=0.0,
                max_value=1.0,
                value=0.9,
                step=0.01,
                key="bulk_threshold",
            )
            chosen = pairs_at_or_above(queue, threshold)
            st.caption(f"{len(chosen):,} of {len(queue):,} pairs score at least {threshold:.2f}.")
            if st.button(
                f"Accept {len(chosen):,} pairs as the same publication …",
                key="bulk_accept",
                disabled=not chosen,
            ):
                st.session_state[PENDING] = (threshold, chosen)
            pending = st.session_state.get(PENDING)
            if pending:
                level, pairs = pending
                st.warning(
                    f"Merge {len(pairs):,} pairs scoring at least {level:.2f}? Each becomes a "
                    "decision of yours, which you can undo one by one."
                )
                yes, no = st.columns(2)
                if yes.button("Yes, merge them", key="bulk_confirm", type="primary"):
                    del st.session_state[PENDING]
                    bar = st.progress(0.0, text="Merging …")
                    ids = accept_pairs(
                        project,
                        pairs,
                        note=f"bulk accept, score at least {level:.2f}",
                        progress=lambda done, total: bar.progress(
                            done / total, text=f"Merged {done:,} of {total:,} …"
                        ),
                    )
                    decided(f"Merged {len(ids):,} pairs as the same publication.")
                if no.button("Cancel", key="bulk_cancel"):
                    del st.session_state[PENDING]
                    st.rerun()

        n_pages = math.ceil(len(queue) / PER_PAGE)
        if st.session_state.get("queue_page", 1) > n_pages:
            st.session_state["queue_page"] = n_pages
        page = 1
        if n_pages > 1:
            page = int(
                st.number_input(f"Page (of {n_pages})", 1, n_pages, step=1, key="queue_page")
            )
        first = (page - 1) * PER_PAGE
        for number, item in enumerate(queue[first : first + PER_PAGE], start=first + 1):
            a, b = item.a, item.b
            pair = f"{a.record_id}|{b.record_id}"
            with st.container(border=True):
                st.markdown(f"**Pair {number:,} of {len(queue):,}** · score {item.score:.2f}")
                st.text(
                    f"Why: {item.reason}\n"
                    f"A: {a.record_id} · {a.source_db} · {a.source_file}\n"
                    f"B: {b.record_id} · {b.source_db} · {b.source_file}"
                )
                st.dataframe(
                    styled(comparison_table(a, b)),
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "Field": st.column_config.TextColumn(width=75),
                        "Record A": st.column_config.TextColumn(width=280),
                        "Record B": st.column_config.TextColumn(width=280),
                        "Match": st.column_config.TextColumn(width=60),
                        "How": st.column_config.TextColumn(width=220),
                    },
                )
                with st.expander("Titles and abstracts in full"):
                    st.text(f"A: {a.title}\n\n{a.abstract or '(no abstract)'}")
                    st.divider()
                    st.text(f"B: {b.title}\n\n{b.abstract or '(no abstract)'}")
                same, different, other = st.columns(3)
                ids = [a.record_id, b.record_id]
                if same.button("Same publication", key=f"same|{pair}", type="primary"):
                    decide("same", ids, f"Merged {a.record_id} and {b.record_id}.")
                if different.button("Different publications", key=f"different|{pair}"):
                    decide("different", ids, f"Kept {a.record_id} and {b.record_id} apart.")
                if other.button("Other report of the same study", key=f"other|{pair}"):
                    linked = f"Linked {a.record_id} and {b.record_id} as reports of one study."
                    decide("other-report", ids, linked)

# -- merged studies -------------------------------------------------------------------------
with tab_groups:
    merged = studies[studies["n_records"] > 1]
    st.caption(
        f"{len(merged):,} studies are made of several records "
        f"({int(merged['n_records'].sum()):,} records in all). Pick one to see its records, "
        "split some off, or open it."
    )
    if merged.empty:
        st.info("No study holds more than one record yet.")
    else:
        query = st.text_input(
            "Find a merged study", key="group_search", placeholder="words of the title or author"
        )
        found = apply(merged, Filters(query=query)) if query.strip() else merged
        options = list(found["study_id"][:MAX_OPTIONS])
        current = st.session_state.get("group_pick")
        if current in set(merged["study_id"]) and current not in options:
            options.insert(0, current)
        if not options:
            st.warning("No merged study matches: try other words.")
        else:
            by_id = merged.set_index("study_id")
            if len(found) > MAX_OPTIONS:
                st.caption(f"Showing {MAX_OPTIONS} of {len(found):,}: type more words to narrow.")
            picked = st.selectbox(
                "Merged study",
                options,
                key="group_pick",
                format_func=lambda sid: (
                    f"{by_id.at[sid, 'title'][:100] or '(no title)'} "
                    f"({by_id.at[sid, 'n_records']} records)"
                ),
            )
            row = by_id.loc[picked]
            members = list(row["record_ids"])
            st.page_link(
                state.PAGES["Study"],
                label="Open this study",
                icon="📄",
                query_params={"study": picked},
            )
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "record id": rid,
                            "database": rec.source_db if rec else "",
                            "file": rec.source_file if rec else "",
                            "title": rec.title if rec else "",
                            "year": rec.year if rec else None,
                            "journal": rec.journal if rec else "",
                            "DOI": rec.doi if rec else "",
                        }
                        for rid in members
                        for rec in [records.get(rid)]
                    ]
                ),
                hide_index=True,
                width="stretch",
                column_config={"year": st.column_config.NumberColumn(format="%d")},
            )
            split_ids = st.multiselect(
                "Records that are not this publication",
                members,
                key="split_records",
                format_func=lambda rid: short(records.get(rid), rid, 70),
                help="They leave the group and become a study of their own.",
            )
            if st.button(
                "Split them off",
                key="split",
                disabled=not split_ids or len(split_ids) == len(members),
            ):
                decide("split", split_ids, f"Split {len(split_ids)} record(s) off as a study.")

            inside = set(members)
            own_links = [link for link in every_link if link.a in inside or link.b in inside]
            if own_links:
                st.markdown("**Other reports of this study** (linked, not merged)")
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                "record": link.a if link.a in inside else link.b,
                                "other report": short(records.get(other), other),
                                "why": link.reason,
                                "by": "you" if link.decision_id else "the matcher",
                            }
                            for link in own_links
                            for other in [link.b if link.a in inside else link.a]
                        ]
                    ),
                    hide_index=True,
                    width="stretch",
                )

    with st.expander(f"Every 'other report' link ({len(every_link):,})"):
        if not every_link:
            st.write("No records are linked as other reports of one study.")
        else:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "record A": short(records.get(link.a), link.a, 70),
                            "record B": short(records.get(link.b), link.b, 70),
                            "why": link.reason,
                            "by": "you" if link.decision_id else "the matcher",
                        }
                        for link in every_link
                    ]
                ),
                hide_index=True,
                width="stretch",
            )

# -- decisions, newest first, with undo -----------------------------------------------------
with tab_decisions:
    if not made:
        st.info("No decisions yet: they appear here, newest first, each with an undo button.")
    else:
        show_all = st.toggle("Show all decisions", key="decisions_all")
        listed = list(reversed(active))
        if not show_all:
            listed = listed[:RECENT]
        if not listed:
            st.write("Every decision has been undone.")
        for item in listed:
            with st.container(border=True):
                text, button = st.columns([5, 1])
                lines = [
                    f"#{item['decision_id']} · {KIND_LABELS.get(item['kind'], item['kind'])} · "
                    f"{item['made_at'][:16].replace('T', ' ')}"
                    + (f" · note: {item['note']}" if item["note"] else "")
                ]
                lines += [f"  {short(records.get(rid), rid)}" for rid in item["record_ids"]]
                text.text("\n".join(lines))
                if button.button("Undo", key=f"undo_{item['decision_id']}"):
                    try:
                        duplicates.undo(project, int(item["decision_id"]))
                    except ProjectError as exc:  # undone in another session meanwhile
                        st.error(f"Not undone: {escape_markdown(exc)}.")
                    else:
                        decided(
                            f"Undid decision #{item['decision_id']} "
                            f"({KIND_LABELS.get(item['kind'], item['kind'])})."
                        )
        undone = [d for d in made if d["undone_at"] is not None]
        if undone:
            with st.expander(f"Undone decisions ({len(undone):,})"):
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                "decision": d["decision_id"],
                                "kind": KIND_LABELS.get(d["kind"], d["kind"]),
                                "records": ", ".join(d["record_ids"]),
                                "made": d["made_at"][:16].replace("T", " "),
                                "undone": d["undone_at"][:16].replace("T", " "),
                            }
                            for d in reversed(undone)
                        ]
                    ),
                    hide_index=True,
                    width="stretch",
                )
