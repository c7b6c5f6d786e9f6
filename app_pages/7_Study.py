"""Study: one study with all its fields, its evidence highlighted, its codes to correct.

The study comes from the URL (``?study=<study id>``, as the Explore page links here) or
the picker. A code changed here is written to the project file at once as a reviewer's
override (`lib.project.coding.set_override`), with the value it replaced and the note
typed for it, and can be undone. What is shown is computed in `lib.views.study`; record
text is shown as text (``st.text``/``st.dataframe``), or escaped character by character
(`lib.views.highlight`) where it must be Markdown to be coloured.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import state
from lib.coding import FACETS, facet_column
from lib.explore.filters import Filters, apply
from lib.project import checks, coding, duplicates
from lib.safe_links import safe_url, study_link
from lib.textsafe import escape_markdown
from lib.views import study as view
from lib.views import study_codes as edit
from lib.views.highlight import coloured_markdown, evidence_marks, legend_markdown

MAX_OPTIONS = 200  # studies offered in the picker at once (the search narrows them)
MAX_BOXES = 30  # a facet with more codes (country) is corrected in a searchable list
URL_SEEN = "_study_url"  # the ?study= value this session last applied to the picker
FLASH, PROBLEM, NOTE = edit.FLASH, edit.PROBLEM, edit.NOTE
ss = st.session_state

project = state.page_setup("Study")
studies = state.studies(project)
codebook = coding.project_codebook(project)


@st.cache_resource(max_entries=2)  # groups and links change with records and decisions only
def study_of_record(path: str, dedupe_state: str, _studies: pd.DataFrame) -> dict[str, str]:
    return view.study_of_record(_studies)


@st.cache_resource(max_entries=2)
def indexed(path: str, version: int, _studies: pd.DataFrame) -> pd.DataFrame:
    return _studies.set_index("study_id", drop=False)


# -- which study ---------------------------------------------------------------------------
st.title("Study")
state.stop_if_empty(studies)
by_id = indexed(str(project.path), project.version, studies)
owners = study_of_record(str(project.path), project.meta("dedupe_state") or "", studies)
wanted = st.query_params.get("study")
if wanted and wanted not in by_id.index:
    if wanted in owners:
        st.info(f"Record {escape_markdown(wanted)} is part of this study (merged as a duplicate, "
                "or linked as another report of it).")  # fmt: skip
        wanted = owners[wanted]
    else:
        st.warning(f"No study {escape_markdown(wanted)} in this project (it may have been "
                   "split or the project changed): pick one below.")  # fmt: skip
        wanted = None
if wanted and wanted != st.session_state.get(URL_SEEN):
    st.session_state["study_pick"] = wanted
    st.session_state[URL_SEEN] = wanted

query = st.text_input("Find a study", key="study_search",
                      placeholder="words of the title, abstract or an author")  # fmt: skip
found = apply(studies, Filters(query=query)) if query.strip() else studies
options = list(found["study_id"][:MAX_OPTIONS])
options = view.picker_options(st.session_state, options, set(by_id.index), str(by_id.index[0]))
if query.strip():
    more = f"; the first {MAX_OPTIONS} are listed" if len(found) > MAX_OPTIONS else ""
    st.caption(f"{len(found):,} studies match{more}")

picker, back, forward = st.columns([8, 1, 1], vertical_alignment="bottom")
pick = picker.selectbox("Study", options, key="study_pick",
                        format_func=view.picker_labels(by_id, options).__getitem__)  # fmt: skip
for col, arrow, key, delta in ((back, "◀", "previous", -1), (forward, "▶", "next", 1)):
    col.button(arrow, key=key, help=f"{key.capitalize()} study in the list", on_click=view.step,
               args=(st.session_state, options, pick, delta), width="stretch")  # fmt: skip
if st.query_params.get("study") != pick:
    st.query_params["study"] = pick
st.session_state[URL_SEEN] = pick
if FLASH in st.session_state:
    st.success(escape_markdown(st.session_state.pop(FLASH)))
if PROBLEM in st.session_state:
    st.error(escape_markdown(st.session_state.pop(PROBLEM)))

# -- the study -----------------------------------------------------------------------------
row = by_id.loc[pick]
study, members = view.merged_study(pick, row["record_ids"], state.records_by_id(project))
evidence = coding.study_evidence(project, pick)
facet_names = {facet: codebook.facets[facet].label for facet in FACETS}
highlight = st.pills(
    "Evidence shown in colour for",
    list(FACETS),
    selection_mode="multi",
    default=list(FACETS),
    key="highlight_facets",
    format_func=lambda f: facet_names[f],
    help="Words of the title, abstract and keywords that made the automatic codes, in "
    "bold and in the colour of their facet.",
)
st.markdown(legend_markdown({f: facet_names[f] for f in highlight or []}) or " ")


def coloured(text: str, field: str) -> str:
    return coloured_markdown(text, evidence_marks(evidence, field, text, highlight or []))


st.subheader(coloured(study.title, "title") or "(no title)", anchor=False)
st.text(view.citation(study))
st.caption(escape_markdown(view.screening_text(project, pick)))
link = study_link(study.doi, study.url)
if link:
    st.link_button("Open the publication ↗", link)
st.markdown("**Abstract**")
if study.abstract.startswith(view.DEMO_PREFIX):
    where = "Follow the link to the publication" if study.doi else "Search for it by its title"
    st.info("This abstract is a summary written for the demo, not the publisher's abstract. "
            f"{where} for the original.", icon=":material/info:")  # fmt: skip
if study.abstract:
    st.markdown(coloured(study.abstract, "abstract"))
else:
    st.caption("No abstract in any of this study's records.")
keywords = "; ".join(k for k in study.keywords if k)
if keywords:
    st.markdown("**Keywords:** " + coloured(keywords, "keywords"))

# -- codes ---------------------------------------------------------------------------------
st.subheader("Codes", anchor=False)
st.caption("Change a code and it is saved at once as your correction, with the note below; "
           "automatic coding never overwrites it. Undo brings back the value before.")  # fmt: skip
path = str(project.path)
note_col, check_col = st.columns([3, 2], vertical_alignment="bottom")
note_col.text_input("Note for your next correction (optional)", key=NOTE,
                    placeholder="why, e.g. 'interviews only with staff'")  # fmt: skip
view.sync(st.session_state, "checked", bool(row["checked"]), pick)
check_col.toggle("I have checked this study's codes", key="checked",
                 on_change=edit.save_checked, args=(ss, path, pick))  # fmt: skip
overridden = set(row["overridden"])
for facet in FACETS:
    spec = codebook.facets[facet]
    column = facet_column(facet)
    value = row[column]
    now = [value] if isinstance(value, str) else list(value)
    choices = list(spec.codes) + [v for v in now if v not in spec.codes]
    key = f"code_{column}"
    boxes = not spec.single and len(choices) <= MAX_BOXES
    keys = tuple(f"{key}:{c}" for c in choices) if boxes else (key,)
    change = {"format_func": spec.label_of, "label_visibility": "collapsed",
              "on_change": edit.save_code,
              "args": (ss, codebook, path, pick, facet, keys, tuple(now))}  # fmt: skip
    with st.container(border=True):
        name, widget, why = st.columns([2, 7, 4])
        name.markdown(f"**{escape_markdown(spec.label)}**")
        name.caption(checks.status_text(project, pick, facet, column in overridden))
        if column in overridden:
            name.button("Undo", key=f"undo_{column}", on_click=edit.undo_code,
                        args=(ss, codebook, path, pick, facet))  # fmt: skip
        if spec.single:
            view.sync(st.session_state, key, value if value in choices else spec.fallback, pick)
            widget.selectbox(spec.label, choices, key=key, **change)
        elif len(keys) > 1:  # a box per code: every code in view, none cut off
            grid = widget.columns(2)
            for i, (code, box) in enumerate(zip(choices, keys, strict=True)):
                view.sync(st.session_state, box, code in now, pick)
                grid[i % 2].checkbox(spec.label_of(code), key=box, on_change=edit.save_code,
                                     args=change["args"])  # fmt: skip
        else:
            view.sync(st.session_state, key, now, pick)
            widget.multiselect(spec.label, choices, key=key, placeholder="none",
                               accept_new_options=facet == "country", **change)  # fmt: skip
        lines = view.evidence_lines(evidence, facet, spec.label_of)
        if lines and column in overridden:
            why.caption("What the automatic coding found (your correction replaces it):")
        if lines:
            why.text("\n".join(lines))
        else:
            default = f": '{escape_markdown(spec.label_of(spec.fallback))}' by default"
            why.caption(f"The automatic coding found no evidence{default if spec.single else ''}.")

history = coding.override_history(project, pick)
with st.expander(f"Your corrections of this study ({len(history)})"):
    if history:
        st.dataframe(view.corrections_table(history, lambda f: codebook.facet(f).label,
                                            lambda f, v: edit.shown(codebook, f, v)),
                     hide_index=True, width="stretch", key="corrections")  # fmt: skip
    else:
        st.write("None yet.")

# -- all fields, source records, other reports ----------------------------------------------
st.subheader("All fields", anchor=False)
st.dataframe(view.field_table(study, row["databases"], pick), hide_index=True, width="stretch")
if study.url and not safe_url(study.url):
    st.caption("The URL is shown as text only: the app links only https addresses and DOIs.")
st.subheader(f"Source records ({len(members)})", anchor=False)
st.dataframe(view.source_table(members), hide_index=True, width="stretch",
             column_config={"line": st.column_config.NumberColumn(format="%d"),
                            "year": st.column_config.NumberColumn(format="%d")})  # fmt: skip
if len(members) > 1:
    st.page_link(state.PAGES["Duplicates"], label="Split records off on the Duplicates page",
                 icon=":material/search:")  # fmt: skip

links = duplicates.links(project)
others = view.other_report_items(duplicates.groups_of(project, row["other_reports"]), links) if len(
    row["other_reports"]) else []  # fmt: skip
st.subheader(f"Other reports of this study ({len(others)})", anchor=False)
if not others:
    st.caption("No other report (erratum, conference abstract, preprint …) is linked.")
for item in others:
    with st.container(border=True):
        st.text(item.label + "".join(f"\n  {line}" for line in item.why))
        if item.link:
            st.link_button("Open this report ↗", item.link)
        report = state.records_by_id(project).fetch(item.record_ids)
        st.dataframe(view.source_table([report[r] for r in item.record_ids if r in report]),
                     hide_index=True, width="stretch", key=f"report_{item.group}")  # fmt: skip
for line, other_study in view.other_reports(links, members, owners):
    if other_study in by_id.index and other_study != pick:  # a report of another study
        st.page_link(state.PAGES["Study"], label=f"Open: {escape_markdown(line)}",
                     icon=":material/description:",
                     query_params={"study": other_study})  # fmt: skip
