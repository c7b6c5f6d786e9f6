"""Study: one study with all its fields, its evidence highlighted, its codes to correct.

The study comes from the URL (``?study=<study id>``, as the Explore page links here) or
the picker. A code changed here is written to the project file at once as a reviewer's
override (`lib.project.coding.set_override`), with the value it replaced, and can be
undone. Record text is shown as text: through ``st.text``/``st.dataframe``, or escaped
character by character (`lib.views.highlight`) where it must be Markdown to be highlighted.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import pipeline, state
from lib.coding import FACETS, facet_column
from lib.dedupe.merge import merge_group
from lib.explore.filters import Filters, apply
from lib.model import Record
from lib.project import coding, duplicates, open_project
from lib.safe_links import safe_url, study_link
from lib.textsafe import escape_markdown
from lib.views.highlight import evidence_spans, highlighted_markdown

MAX_OPTIONS = 200  # studies offered in the picker at once (the search narrows them)
MAX_PHRASES = 6  # evidence phrases listed per facet
URL_SEEN = "_study_url"  # the ?study= value this session last applied to the picker
FLASH = "study_flash"  # what the last change did, shown after the rerun
PROBLEM = "study_problem"  # a change that could not be saved, and why
DEMO_PREFIX = "[Demo summary]"
FIELD_ROWS = (
    ("entrytype", "Kind"),
    ("authors", "Authors"),
    ("year", "Year"),
    ("journal", "Journal"),
    ("volume", "Volume"),
    ("issue", "Issue"),
    ("pages", "Pages"),
    ("doi", "DOI"),
    ("language", "Language"),
    ("issn", "ISSN"),
    ("isbn", "ISBN"),
    ("url", "URL"),
    ("keywords", "Keywords"),
)

project = state.page_setup("Study")
studies = state.studies(project)
codebook = coding.project_codebook(project)


@st.cache_resource(max_entries=2)
def study_of_record(path: str, version: int, _studies: pd.DataFrame) -> dict[str, str]:
    """record id -> the id of the study it belongs to."""
    return {
        rid: sid
        for sid, rids in zip(_studies["study_id"], _studies["record_ids"], strict=True)
        for rid in rids
    }


# -- writes (callbacks: they run before the page is drawn again) -----------------------------
def save_code(path: str, study_id: str, facet: str, key: str, before: tuple[str, ...]) -> None:
    values = st.session_state[key]
    wanted = [values] if isinstance(values, str) else list(values)
    if sorted(before) == sorted(wanted):
        return
    with open_project(path, create=False) as opened:
        try:
            coding.set_override(opened, study_id, facet, wanted)
        except ValueError as exc:
            st.session_state[PROBLEM] = f"Not saved: {exc}."
            st.session_state.pop(f"_shown_{key}", None)  # the widget shows the stored value
            return
        pipeline.refresh(opened)
    shown = ", ".join(codebook.facet(facet).label_of(v) for v in wanted) or "none"
    st.session_state[FLASH] = f"{codebook.facet(facet).label} set to: {shown}."


def undo_code(path: str, study_id: str, facet: str) -> None:
    with open_project(path, create=False) as opened:
        try:
            restored = coding.undo_override(opened, study_id, facet)
        except ValueError as exc:
            st.session_state[PROBLEM] = f"Not undone: {exc}."
            return
        pipeline.refresh(opened)
    shown = ", ".join(codebook.facet(facet).label_of(v) for v in restored) or "none"
    st.session_state[FLASH] = f"{codebook.facet(facet).label} back to: {shown}."


def save_checked(path: str, study_id: str) -> None:
    with open_project(path, create=False) as opened:
        coding.set_checked(opened, study_id, bool(st.session_state["checked"]))
    st.session_state[FLASH] = (
        "Marked as checked." if st.session_state["checked"] else "Marked as not checked."
    )


def step(options: list[str], current: str, delta: int) -> None:
    at = options.index(current) if current in options else 0
    st.session_state["study_pick"] = options[(at + delta) % len(options)]


def sync(key: str, value: object, pick: str) -> None:
    """Show ``value`` in widget ``key`` whenever the study or its stored value changed.

    Widgets keep what the reviewer last chose; after an undo, a change in another
    session or another study, they must show the stored value instead.
    """
    shown = f"_shown_{key}"
    marker = (pick, repr(value))
    if st.session_state.get(shown) != marker:
        st.session_state[key] = value
        st.session_state[shown] = marker


# -- which study ---------------------------------------------------------------------------
st.title("Study")
if studies.empty:
    st.info("No studies yet: import files on the Import page.")
    st.page_link(state.PAGES["Import"], label="Go to Import", icon="📥")
    st.stop()

by_id = studies.set_index("study_id", drop=False)
owners = study_of_record(str(project.path), project.version, studies)
wanted = st.query_params.get("study")
if wanted and wanted not in by_id.index:
    if wanted in owners:
        st.info(f"Record {escape_markdown(wanted)} is part of this study (merged as a duplicate).")
        wanted = owners[wanted]
    else:
        st.warning(
            f"No study {escape_markdown(wanted)} in this project (it may have been split or the "
            "project changed): pick one below."
        )
        wanted = None
if wanted and wanted != st.session_state.get(URL_SEEN):
    st.session_state["study_pick"] = wanted
    st.session_state[URL_SEEN] = wanted

query = st.text_input(
    "Find a study", key="study_search", placeholder="words of the title, abstract or an author"
)
found = apply(studies, Filters(query=query)) if query.strip() else studies
options = list(found["study_id"][:MAX_OPTIONS])
current = st.session_state.get("study_pick")
if current not in by_id.index:
    current = options[0] if options else str(studies["study_id"].iloc[0])
    st.session_state["study_pick"] = current
if current not in options:
    options.insert(0, current)
if query.strip():
    st.caption(
        f"{len(found):,} studies match"
        + (f"; the first {MAX_OPTIONS} are listed" if len(found) > MAX_OPTIONS else "")
    )


def describe(sid: str) -> str:
    row = by_id.loc[sid]
    year = "" if pd.isna(row["year"]) else f", {row['year']}"
    return f"{row['title'][:110] or '(no title)'} ({row['first_author'] or 'no author'}{year})"


picker, back, forward = st.columns([8, 1, 1], vertical_alignment="bottom")
pick = picker.selectbox("Study", options, key="study_pick", format_func=describe)
back.button("◀", key="previous", help="Previous study in the list",
            on_click=step, args=(options, pick, -1), width="stretch")  # fmt: skip
forward.button("▶", key="next", help="Next study in the list",
               on_click=step, args=(options, pick, 1), width="stretch")  # fmt: skip
if st.query_params.get("study") != pick:
    st.query_params["study"] = pick
st.session_state[URL_SEEN] = pick

if FLASH in st.session_state:
    st.success(escape_markdown(st.session_state.pop(FLASH)))
if PROBLEM in st.session_state:
    st.error(escape_markdown(st.session_state.pop(PROBLEM)))

# -- the study -----------------------------------------------------------------------------
row = by_id.loc[pick]
records = state.records_by_id(project)
members = [records[rid] for rid in row["record_ids"] if rid in records]
arrival = {rid: i for i, rid in enumerate(records)} if len(members) > 1 else {}
members.sort(key=lambda rec: arrival.get(rec.record_id, 0))
study = merge_group(pick, members).record if members else Record(record_id=pick)
evidence = coding.study_evidence(project, pick)
facet_names = {facet: codebook.facets[facet].label for facet in FACETS}

highlight = st.multiselect(
    "Highlight the evidence for",
    list(FACETS),
    default=list(FACETS),
    key="highlight_facets",
    format_func=lambda f: facet_names[f],
    help="Words of the title, abstract and keywords that made the automatic codes.",
)
title_md = highlighted_markdown(
    study.title, evidence_spans(evidence, "title", study.title, highlight)
)
st.subheader(title_md or "(no title)", anchor=False)
byline = "; ".join(study.authors) or "No authors"
where = ", ".join(
    part
    for part in (
        str(study.year or ""),
        study.journal,
        f"vol. {study.volume}" if study.volume else "",
        f"issue {study.issue}" if study.issue else "",
        f"pp. {study.pages}" if study.pages else "",
    )
    if part
)
st.text(f"{byline}\n{where}")
link = study_link(study.doi, study.url)
if link:
    st.link_button("Open the publication ↗", link)

st.markdown("**Abstract**")
if study.abstract.startswith(DEMO_PREFIX):
    st.info(
        "This abstract is a summary written for the demo, not the publisher's abstract. "
        + (
            "Follow the link to the publication for the original."
            if study.doi
            else "For the original, search for the publication by its title."
        ),
        icon="ℹ️",
    )
if study.abstract:
    st.markdown(
        highlighted_markdown(
            study.abstract, evidence_spans(evidence, "abstract", study.abstract, highlight)
        )
    )
else:
    st.caption("No abstract in any of this study's records.")
keywords = "; ".join(k for k in study.keywords if k)
if keywords:
    st.markdown(
        "**Keywords:** "
        + highlighted_markdown(keywords, evidence_spans(evidence, "keywords", keywords, highlight))
    )

# -- codes ---------------------------------------------------------------------------------
st.subheader("Codes", anchor=False)
st.caption(
    "Change a code and it is saved at once as your correction; automatic coding never "
    "overwrites it. Undo brings back the value before."
)
path = str(project.path)
sync("checked", bool(row["checked"]), pick)
st.toggle("I have checked this study's codes", key="checked", on_change=save_checked,
          args=(path, pick))  # fmt: skip
overridden = set(row["overridden"])
for facet in FACETS:
    spec = codebook.facets[facet]
    column = facet_column(facet)
    value = row[column]
    current_values = [value] if isinstance(value, str) else list(value)
    options_for = list(spec.codes) + [v for v in current_values if v not in spec.codes]
    key = f"code_{column}"
    with st.container(border=True):
        name, widget, why = st.columns([2, 4, 4])
        name.markdown(f"**{escape_markdown(spec.label)}**")
        if column in overridden:
            name.caption("set by you")
            name.button("Undo", key=f"undo_{column}", on_click=undo_code, args=(path, pick, facet))
        else:
            name.caption("automatic")
        if spec.single:
            chosen = value if value in options_for else spec.fallback
            sync(key, chosen, pick)
            widget.selectbox(
                spec.label,
                options_for,
                key=key,
                format_func=spec.label_of,
                label_visibility="collapsed",
                on_change=save_code,
                args=(path, pick, facet, key, tuple(current_values)),
            )
        else:
            sync(key, current_values, pick)
            widget.multiselect(
                spec.label,
                options_for,
                key=key,
                format_func=spec.label_of,
                label_visibility="collapsed",
                placeholder="none",
                accept_new_options=facet == "country",
                on_change=save_code,
                args=(path, pick, facet, key, tuple(current_values)),
            )
        found_here = [e for e in evidence if e.facet == facet]
        if found_here:
            lines = [
                f"{spec.label_of(e.code)}: '{e.phrase}' ({e.field})"
                for e in found_here[:MAX_PHRASES]
            ]
            if len(found_here) > MAX_PHRASES:
                lines.append(f"… and {len(found_here) - MAX_PHRASES} more")
            if column in overridden:
                why.caption("What the automatic coding found (your correction replaces it):")
            why.text("\n".join(lines))
        else:
            why.caption(
                "The automatic coding found no evidence"
                + (
                    f": '{escape_markdown(spec.label_of(spec.fallback))}' by default."
                    if spec.single
                    else "."
                )
            )

history = coding.override_history(project, pick)
with st.expander(f"Your corrections of this study ({len(history)})"):
    if not history:
        st.write("None yet.")
    else:

        def labels(facet: str, values: list[str]) -> str:
            return ", ".join(codebook.facet(facet).label_of(v) for v in values) or "none"

        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "when": h["made_at"][:16].replace("T", " "),
                        "code": codebook.facet(h["facet"]).label,
                        "set to": labels(h["facet"], h["codes"]),
                        "was": labels(h["facet"], h["previous"]),
                        "note": h["note"],
                        "undone": (h["undone_at"] or "")[:16].replace("T", " "),
                    }
                    for h in reversed(history)
                ]
            ),
            hide_index=True,
            width="stretch",
        )

# -- all fields, source records, other reports ----------------------------------------------
st.subheader("All fields", anchor=False)
fields = []
for attr, label in FIELD_ROWS:
    value = getattr(study, attr)
    text = "; ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
    if text:
        fields.append({"field": label, "value": text})
fields.append({"field": "Databases", "value": ", ".join(row["databases"])})
fields.append({"field": "Study id", "value": pick})
st.dataframe(pd.DataFrame(fields), hide_index=True, width="stretch")
if study.url and not safe_url(study.url):
    st.caption("The URL is shown as text only: the app links only https addresses and DOIs.")

st.subheader(f"Source records ({len(members)})", anchor=False)
st.dataframe(
    pd.DataFrame(
        [
            {
                "database": rec.source_db,
                "file": rec.source_file,
                "line": rec.line,
                "record id": rec.record_id,
                "title": rec.title,
                "year": rec.year,
                "DOI": rec.doi,
            }
            for rec in members
        ]
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "line": st.column_config.NumberColumn(format="%d"),
        "year": st.column_config.NumberColumn(format="%d"),
    },
)
if len(members) > 1:
    st.page_link(state.PAGES["Duplicates"], label="Split records off on the Duplicates page",
                 icon="🔍")  # fmt: skip

inside = {rec.record_id for rec in members}
own_links = [link for link in duplicates.links(project) if link.a in inside or link.b in inside]
st.subheader(f"Other reports of this study ({len(own_links)})", anchor=False)
if not own_links:
    st.caption("No other report (erratum, conference abstract, preprint …) is linked.")
for link in own_links:
    other = link.b if link.a in inside else link.a
    other_study = owners.get(other, other)
    other_title = by_id.at[other_study, "title"] if other_study in by_id.index else other
    st.text(f"{other} · {link.reason} · linked by {'you' if link.decision_id else 'the matcher'}")
    if other_study in by_id.index and other_study != pick:
        st.page_link(
            state.PAGES["Study"],
            label=f"Open: {escape_markdown(other_title[:100])}",
            icon="📄",
            query_params={"study": other_study},
        )
