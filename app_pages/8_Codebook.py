"""Codebook: read the coding rules, change one code or one facet, see what it would do.

A change (a code's or a facet's form, the whole YAML for experts, an earlier codebook
from the history, or the default) is first previewed: how many automatic codes change,
and which studies, by title, with a link to each. Applying it saves it in the project
with the next version number (`lib.views.codebook_edit`) and re-codes every study
(`lib.pipeline.refresh`); a reviewer's corrections are kept whatever the codebook says.
A codebook that cannot be used is refused with the message naming the facet, code and
rule, and nothing is saved.
"""

from __future__ import annotations

import streamlit as st

from lib import pipeline, state
from lib.coding import FACETS, CodebookError, default_codebook_path, load_codebook
from lib.coding.codebook import Facet
from lib.project import coding, open_project
from lib.textsafe import escape_markdown
from lib.views import codebook_edit as edit
from lib.views.codebook import (
    change_rows,
    codebook_texts,
    facet_facts,
    history_table,
    preview_frame,
    rules_table,
    weights_text,
)

EDITOR = "codebook_yaml"
NOTE = "codebook_note"
SHOWN = "_codebook_shown"  # fingerprint of the codebook the YAML editor was last filled with
PENDING = "codebook_pending"  # (text of the proposed codebook, CodebookChange, YAML typed)
PROBLEM = "codebook_problem"  # why the last proposal cannot be used
FLASH = "codebook_flash"
NEW = "\x00new"  # the "new code" choice
ICON = ":material/description:"  # a study link's icon

project = state.page_setup("Codebook")
codebook = coding.project_codebook(project)
history = coding.codebook_history(project)
texts = codebook_texts(project)


def propose(path: str, typed: str, note: str, restore: bool = False, yaml: bool = False) -> None:
    """Preview what a proposed codebook would change (nothing is written). ``restore``: an
    earlier one (its version moves on all the same); ``yaml``: typed in the YAML editor."""
    st.session_state.pop(PENDING, None)
    if typed == codebook.to_yaml():
        st.session_state[FLASH] = ("info", "This is the codebook in force: nothing to apply.")
        return
    try:
        text = edit.bump_version(typed, codebook.version, force=restore)
        new = load_codebook(text)
    except (CodebookError, KeyError, ValueError) as exc:
        st.session_state[PROBLEM] = str(exc)
        return
    st.session_state.pop(PROBLEM, None)
    with open_project(path, create=False) as opened:
        change = coding.preview_codebook_change(opened, new, examples=10)
    st.session_state[PENDING] = (text, change, typed if yaml else None)
    st.session_state[NOTE] = note


def apply(path: str) -> None:
    """Save the previewed codebook as the project's and re-code every study."""
    text, change, _ = st.session_state[PENDING]
    with open_project(path, create=False) as opened:
        try:
            note = st.session_state.get(NOTE, "").strip()
            saved = coding.save_codebook(opened, text, note=note)
        except CodebookError as exc:
            st.session_state[PROBLEM] = str(exc)
            return
        pipeline.refresh(opened)
    st.session_state.pop(PENDING)
    st.session_state[FLASH] = ("success", f"Codebook version {saved.version} applied and "
                               f"every study re-coded: {change.total_changed:,} automatic codes "
                               "changed.")  # fmt: skip


st.title("Codebook")
in_force = "saved in this project" if history else "the default codebook (data/codebook.yaml)"
st.caption(
    f"{escape_markdown(codebook.name)}, version {escape_markdown(codebook.version or '–')}: "
    f"{in_force}. Fingerprint {codebook.sha256[:12]}."
)
path = str(project.path)
if FLASH in st.session_state:  # ("success" or "info", what happened)
    kind, message = st.session_state.pop(FLASH)
    getattr(st, kind)(escape_markdown(message))
if PROBLEM in st.session_state:
    problem = escape_markdown(st.session_state.pop(PROBLEM))
    st.error(f"This codebook cannot be used, nothing was saved: {problem}")

# -- a change waiting to be applied ----------------------------------------------------------
if PENDING in st.session_state:
    text, change, typed = st.session_state[PENDING]
    stale = typed is not None and typed != st.session_state.get(EDITOR)
    with st.container(border=True):
        version = load_codebook(text).version
        st.markdown(
            f"**Preview of version {escape_markdown(version)}:** applying it changes "
            f"**{change.total_changed:,}** automatic codes across {change.studies:,} studies."
        )
        rows = change_rows(change, state.studies(project), codebook)
        for row in rows.itertuples():  # the title links to the study; the change beside it
            study, what = st.columns([3, 2])
            study.page_link(state.PAGES["Study"], label=escape_markdown(row.short), icon=ICON,
                            query_params={"study": row.study_id})  # fmt: skip
            what.caption(f"{escape_markdown(row.code)}: {escape_markdown(row.now)} → "
                         f"{escape_markdown(row.after)}")  # fmt: skip
        if len(rows):
            st.caption("The first studies whose automatic codes change, per facet.")
        st.dataframe(preview_frame(change, codebook), hide_index=True, width="stretch",
                     key="preview_table")  # fmt: skip
        st.text_input("Note for the history (what you changed and why)", key=NOTE)
        left, right = st.columns(2)
        if stale:
            st.info("The YAML changed since this preview: preview it again to apply it.")
        left.button("Apply", key="apply", type="primary", on_click=apply, args=(path,),
                    disabled=stale or text == codebook.to_yaml())  # fmt: skip
        right.button("Discard", key="discard", on_click=st.session_state.pop, args=(PENDING,))

tab_rules, tab_edit, tab_yaml, tab_history = st.tabs(
    ["Rules", "Change a code or facet", "YAML (experts)", f"History ({len(history)})"]
)

with tab_rules:
    if codebook.description:
        st.text(codebook.description)
    st.caption(weights_text(codebook))
    for name in FACETS:
        facet = codebook.facets[name]
        with st.expander(f"{escape_markdown(facet.label)} ({len(facet.codes)} codes)"):
            st.text("\n".join([facet.description, *facet_facts(facet)]).strip())
            wide = {"looks for": st.column_config.TextColumn(width="large")}
            st.dataframe(rules_table(facet), hide_index=True, width="stretch", column_config=wide)


def code_form(facet: Facet, slug: str) -> None:
    """One code's form; submitting it previews the codebook with the code changed."""
    data = edit.code_data(codebook, facet.name, slug) if slug != NEW else {"label": ""}
    with st.form(f"code_form_{facet.name}_{slug}"):
        new_slug = slug
        if slug == NEW:
            new_slug = st.text_input("Code (as written to files, e.g. 'delphi-study')")
        label = st.text_input("Label", value=data.get("label", ""))
        about = st.text_area("What it means", value=data.get("description", ""), height=80)
        phrases = st.column_config.TextColumn("phrases (separated by ;)", width="large")
        rules = st.data_editor(
            edit.rules_frame(data.get("rules", [])),
            num_rows="dynamic",
            width="stretch",
            column_config={"phrases": phrases},
            key=f"rules_{facet.name}_{slug}",
        )
        cancel = "; ".join(p for r in data.get("exclude", []) for p in r.get("phrases", []))
        cancelled = st.text_area("Cancelled by (phrases, separated by ;)", cancel, height=80)
        others = [c for c in facet.codes if c != slug]
        ranked = [c for c in data.get("outranks", []) if c in others]
        outranks = st.multiselect("Outranks (codes dropped when this one applies)", others,
                                  default=ranked, format_func=facet.label_of)  # fmt: skip
        needs = st.number_input("Score needed", 0.1, value=float(data.get("min_score", 1)))
        if not st.form_submit_button("Preview this change", type="primary"):
            return
    new = edit.code_from_form(data, label=label, description=about, rules=rules,
                              cancelled_by=cancelled, outranks=outranks,
                              min_score=needs)  # fmt: skip
    original = data if slug != NEW else {}
    try:
        text = edit.with_code(codebook.to_yaml(), facet.name, new_slug.strip(), original, new)
    except KeyError as exc:
        st.session_state[PROBLEM] = str(exc)
    else:
        verb = "added" if slug == NEW else "changed"
        propose(str(project.path), text, f"{facet.label}: code '{new_slug.strip()}' {verb}")
    st.rerun()


def facet_form(facet: Facet) -> None:
    """A facet's own settings; submitting previews the codebook with them changed."""
    with st.form(f"facet_form_{facet.name}"):
        label = st.text_input("Label", value=facet.label)
        about = st.text_area("What it codes", value=facet.description, height=80)
        fallback = facet.fallback
        if facet.single:
            codes = list(facet.codes)
            at = codes.index(fallback) if fallback in codes else 0
            fallback = st.selectbox("When nothing decides", codes, at, format_func=facet.label_of)
        cues = "; ".join(sorted(facet.negation.cues)) if facet.negation else ""
        cues = st.text_input("Words that cancel a match after them (separated by ;)", cues)
        words = facet.negation.window if facet.negation else 3
        window = st.number_input("... within this many words", 1, 10, words)
        if not st.form_submit_button("Preview this change", type="primary"):
            return
    settings = edit.facet_from_form(label=label, description=about, fallback=fallback,
                                    cues=cues, window=int(window))  # fmt: skip
    text = edit.with_facet(codebook.to_yaml(), facet.name, settings)
    propose(str(project.path), text, f"{label.strip()}: facet settings changed")
    st.rerun()


with tab_edit:
    what = st.radio("Change", ["One code", "One facet"], horizontal=True, key="edit_what")
    name = st.selectbox("Facet", list(FACETS), key="edit_facet",
                        format_func=lambda f: codebook.facets[f].label)  # fmt: skip
    chosen = codebook.facets[name]
    if what == "One code":
        slug = st.selectbox("Code", [*chosen.codes, NEW], key="edit_code",
                            format_func=lambda c: "New code …" if c == NEW
                            else chosen.label_of(c))  # fmt: skip
        code_form(chosen, slug)
    else:
        facet_form(chosen)

with tab_yaml:
    if st.session_state.get(SHOWN) != codebook.sha256:
        st.session_state[EDITOR] = codebook.to_yaml()
        st.session_state[SHOWN] = codebook.sha256
    st.caption("The whole codebook as YAML (its header explains the layout). Preview the "
               "change, then apply it above. Your corrections of single studies are "
               "kept.")  # fmt: skip
    st.text_area("Codebook (YAML)", key=EDITOR, height=480)
    left, right = st.columns(2)
    left.button("Preview the change", key="preview", type="primary",
                on_click=lambda: propose(path, st.session_state[EDITOR], "edited as YAML",
                                         yaml=True))  # fmt: skip
    default = default_codebook_path().read_text(encoding="utf-8")
    right.button("Reset to the default codebook …", key="reset",
                 on_click=propose, args=(path, default, "reset to the default codebook", True),
                 help="Previews the default codebook; Apply makes it the project's.")  # fmt: skip

with tab_history:
    if not history:
        st.write("This project still uses the default codebook (data/codebook.yaml); "
                 "codebooks you apply are listed here with what each changed.")  # fmt: skip
    else:
        versions = {cid: load_codebook(text).version for cid, text in texts.items()}
        st.dataframe(history_table(history, project.events("recode"), versions),
                     hide_index=True, width="stretch", key="history_table")  # fmt: skip
        earlier = [int(h["codebook_id"]) for h in reversed(history)][1:]
        if earlier:
            back = st.selectbox("Bring back an earlier codebook", earlier, key="restore_pick",
                                format_func=lambda c: f"codebook {c}, "
                                f"version {versions[c]}")  # fmt: skip
            why = f"codebook {back} (version {versions[back]}) brought back"
            st.button("Preview bringing it back …", key="restore", on_click=propose,
                      args=(path, texts[back], why, True))  # fmt: skip
