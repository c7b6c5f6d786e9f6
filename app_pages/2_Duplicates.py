"""Duplicates: decide the possible pairs, look into merged studies, split them, undo.

Every decision is written to the project file at once by a button's callback
(`lib.project.duplicates.decide`, which regroups only the studies it touches; the
changed studies are then recoded, `lib.pipeline.refresh`), so a reload or another browser
session sees it. A decision that goes against the groups (a "different" inside one study,
a "same" over an earlier "different") is asked about first. Tabs keep their place after
every action and only the open one is drawn. Record text is shown only through elements
that do not read Markdown (``st.text``, ``st.dataframe``) or escaped.
"""

from __future__ import annotations

import math

import streamlit as st

from lib import pipeline, state
from lib.explore.filters import Filters, apply
from lib.project import duplicates, open_project
from lib.textsafe import escape_markdown
from lib.views import duplicate_review as words
from lib.views.bulk_decisions import pairs_at_or_above
from lib.views.compare import comparison_markdown

PER_PAGE = 10  # pairs shown at once
MAX_OPTIONS = 200  # merged studies offered in the picker (search narrows it)
RECENT = 20  # decisions listed with an undo button unless "show all"
FLASH = "duplicates_flash"  # what the last action did, shown after the rerun
PROBLEM = "duplicates_problem"  # an action that could not be done, and why
ASK = "duplicates_ask"  # (kind, ids, Contradiction): a decision waiting for an answer
PENDING = "duplicates_bulk_pending"  # (threshold, pairs) waiting for confirmation
ss = st.session_state

project = state.page_setup("Duplicates")
path = str(project.path)
pipeline.warm_up(project)  # the first decision need not wait for the coder's rules
counts = state.prisma(project)
records = state.records_by_id(project)


@st.cache_resource(max_entries=2, show_spinner="Finding the pairs to review …")
def review_queue(path: str, version: int) -> list[duplicates.ReviewItem]:
    """The queue of one project version (page_setup has regrouped: this only reads)."""
    with open_project(path, create=False) as opened:
        return duplicates.review_queue(opened)


# -- writes (callbacks: they run before the page is drawn again) -----------------------------
def show(outcome: words.Outcome, kind: str = "", ids: list[str] | None = None) -> None:
    ss.pop(ASK, None)
    if outcome.asked is not None:
        ss[ASK] = (kind, ids, outcome.asked)
    ss.update({FLASH: outcome.done} if outcome.done else {})
    ss.update({PROBLEM: outcome.problem} if outcome.problem else {})


def decide(kind: str, ids: list[str], leaving: tuple[str, ...] = (), sure: bool = False) -> None:
    show(words.decide(path, kind, ids, leaving, sure=sure), kind, ids)


def undo(decision_id: int, kind: str) -> None:
    show(words.undo(path, decision_id, kind))


def accept_many() -> None:
    show(words.accept(path, *ss.pop(PENDING)))


# -- header ----------------------------------------------------------------------------------
queue = review_queue(path, project.version)
made = duplicates.decisions(project, include_undone=True)
active = [d for d in made if d["undone_at"] is None]
st.title("Duplicates")
cols = st.columns(5)
cols[0].metric("Records", counts["records_identified"])
cols[1].metric("Studies", counts["studies"])
cols[2].metric("Duplicates merged", counts["duplicates_removed"])
cols[3].metric("Pairs to review", len(queue))
cols[4].metric("Your decisions", len(active))
st.caption(words.flow_caption(counts))
if FLASH in ss:
    st.success(escape_markdown(ss.pop(FLASH)))
if PROBLEM in ss:
    st.error(escape_markdown(ss.pop(PROBLEM)))
if ASK in ss:
    kind, ids, asked = ss[ASK]
    records.fetch(ids)
    with st.container(border=True):
        st.warning(escape_markdown(words.question(asked, records)))
        yes, no = st.columns(2)
        if asked.together:
            st.radio("Leaves the study", [r for group in asked.together for r in group],
                     key="ask_leaving", format_func=lambda r: words.record_line(records.get(r), r),
                     horizontal=False)  # fmt: skip
            yes.button("It leaves: record the decision", key="ask_yes", type="primary",
                       on_click=lambda: decide(kind, ids, (ss["ask_leaving"],)))  # fmt: skip
        else:
            yes.button("Merge anyway", key="ask_yes", type="primary", on_click=decide,
                       args=(kind, ids), kwargs={"sure": True})  # fmt: skip
        no.button("Cancel", key="ask_no", on_click=lambda: ss.pop(ASK, None))

review, groups, mine = st.tabs(["Review pairs", "Merged studies", "Your decisions"],
                               key="duplicates_tab", on_change="rerun")  # fmt: skip


# -- the review queue -----------------------------------------------------------------------
def show_queue() -> None:
    if not queue:
        st.success("No possible duplicates left to review.")
        st.caption(f"{len(active):,} decisions of yours. Import more files, or look into "
                   "the merged studies.")  # fmt: skip
        return
    st.caption(
        "Pairs the matcher could not decide alone, most likely first. Words only one record "
        "has are highlighted; each row says whether the values differ, and how."
    )
    with st.expander("Accept many pairs at once"):
        threshold = st.slider("Accept every pair scoring at least", 0.0, 1.0, 0.9, 0.01,
                              key="bulk_threshold")  # fmt: skip
        chosen = pairs_at_or_above(queue, threshold)
        st.caption(f"{len(chosen):,} of {len(queue):,} pairs score at least {threshold:.2f}.")
        if st.button(f"Accept {len(chosen):,} pairs as the same publication …",
                     key="bulk_accept", disabled=not chosen):  # fmt: skip
            ss[PENDING] = (threshold, chosen)
        if ss.get(PENDING):
            level, pairs = ss[PENDING]
            st.warning(f"Merge {len(pairs):,} pairs scoring at least {level:.2f}? Each becomes "
                       "a decision of yours, which you can undo one by one.")  # fmt: skip
            yes, no = st.columns(2)
            yes.button("Yes, merge them", key="bulk_confirm", type="primary",
                       on_click=accept_many)  # fmt: skip
            no.button("Cancel", key="bulk_cancel", on_click=lambda: ss.pop(PENDING, None))
    n_pages = math.ceil(len(queue) / PER_PAGE)
    ss["queue_page"] = min(ss.get("queue_page", 1), n_pages)
    page = 1
    if n_pages > 1:
        page = int(st.number_input(f"Page (of {n_pages})", 1, n_pages, step=1, key="queue_page"))
    first = (page - 1) * PER_PAGE
    for number, item in enumerate(queue[first : first + PER_PAGE], start=first + 1):
        a, b = item.a, item.b
        pair, ids = f"{a.record_id}|{b.record_id}", [a.record_id, b.record_id]
        with st.container(border=True):
            st.markdown(f"**Pair {number:,} of {len(queue):,}** · score {item.score:.2f}")
            st.text(f"Why: {item.reason}")
            st.markdown(comparison_markdown(
                a, b, f"A: {a.record_id} · {a.source_db} · {a.source_file}",
                f"B: {b.record_id} · {b.source_db} · {b.source_file}"))  # fmt: skip
            with st.expander("Titles and abstracts in full"):
                st.text(f"A: {a.title}\n\n{a.abstract or '(no abstract)'}")
                st.divider()
                st.text(f"B: {b.title}\n\n{b.abstract or '(no abstract)'}")
            same, different, other = st.columns(3)
            same.button("Same publication", key=f"same|{pair}", type="primary",
                        on_click=decide, args=("same", ids))  # fmt: skip
            different.button("Different publications", key=f"different|{pair}",
                             on_click=decide, args=("different", ids))  # fmt: skip
            other.button("Other report of the same study", key=f"other|{pair}",
                         on_click=decide, args=("other-report", ids))  # fmt: skip


# -- merged studies -------------------------------------------------------------------------
def show_groups() -> None:
    merged = words.study_members(state.studies(project))
    n_in = int(merged["n_records"].sum() + merged["other_record_ids"].map(len).sum())
    st.caption(f"{len(merged):,} studies are made of several records ({n_in:,} records in "
               "all, with their linked reports). Pick one to see its records, split some "
               "off, or open it.")  # fmt: skip
    every_link = duplicates.links(project)
    if merged.empty:
        st.info("No study holds more than one record yet.")
    else:
        query = st.text_input("Find a merged study", key="group_search",
                              placeholder="words of the title or author")  # fmt: skip
        found = apply(merged, Filters(query=query)) if query.strip() else merged
        options = list(found["study_id"][:MAX_OPTIONS])
        current = ss.get("group_pick")
        if current in set(merged["study_id"]) and current not in options:
            options.insert(0, current)
        if not options:
            st.warning("No merged study matches: try other words.")
            return
        by_id = merged.set_index("study_id")
        if len(found) > MAX_OPTIONS:
            st.caption(f"Showing {MAX_OPTIONS} of {len(found):,}: type more words to narrow.")
        n_of = by_id["n_records"] + by_id["other_record_ids"].map(len)
        picked = st.selectbox("Merged study", options, key="group_pick", format_func=lambda sid: (
            f"{by_id.at[sid, 'title'][:100] or '(no title)'} ({n_of[sid]} records)"))  # fmt: skip
        reports = words.reports_of_study(project, picked, by_id.at[picked, "other_reports"])
        members = [r for _, ids in reports for r in ids]
        records.fetch(members)
        st.page_link(state.PAGES["Study"], label="Open this study", icon=":material/description:",
                     query_params={"study": picked})  # fmt: skip
        year = st.column_config.NumberColumn(format="%d")
        report_of = {r: label for label, ids in reports for r in ids}
        st.dataframe(words.members_table(members, records, report_of), hide_index=True,
                     width="stretch", column_config={"year": year})  # fmt: skip
        merged_ids = [ids for _, ids in reports if len(ids) > 1]
        split_ids = st.multiselect("Records that are not this publication", [
            r for ids in merged_ids for r in ids], key="split_records", help="They leave their "
            "publication and become a study of their own.", format_func=lambda r: (
                words.record_line(records.get(r), r, 70)))  # fmt: skip
        whole = any(set(ids) <= set(split_ids) for ids in merged_ids)
        st.button("Split them off", key="split", on_click=decide, args=("split", split_ids),
                  disabled=not split_ids or whole)  # fmt: skip
        own = words.link_rows(every_link, records, set(members))
        if len(own):
            st.markdown("**Other reports of this study** (linked, not merged)")
            st.dataframe(own, hide_index=True, width="stretch")
    with st.expander(f"Every 'other report' link ({len(every_link):,})"):
        if not every_link:
            st.write("No records are linked as other reports of one study.")
        else:
            records.fetch([r for link in every_link for r in (link.a, link.b)])
            st.dataframe(words.link_rows(every_link, records), hide_index=True, width="stretch")


# -- decisions, newest first, with undo -----------------------------------------------------
def show_decisions() -> None:
    if not made:
        st.info("No decisions yet: they appear here, newest first, each with an undo button.")
        return
    listed = list(reversed(active))
    if not st.toggle("Show all decisions", key="decisions_all"):
        listed = listed[:RECENT]
    if not listed:
        st.write("Every decision has been undone.")
    records.fetch([r for item in listed for r in item["record_ids"]])
    for item in listed:
        with st.container(border=True):
            text, button = st.columns([5, 1])
            text.text(words.decision_text(item, records))
            button.button("Undo", key=f"undo_{item['decision_id']}", on_click=undo,
                          args=(int(item["decision_id"]), item["kind"]))  # fmt: skip
    undone = words.undone_table(made)
    if len(undone):
        with st.expander(f"Undone decisions ({len(undone):,})"):
            st.dataframe(undone, hide_index=True, width="stretch")


for tab, draw in ((review, show_queue), (groups, show_groups), (mine, show_decisions)):
    if tab.open:
        with tab:
            draw()
