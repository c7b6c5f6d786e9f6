"""Codebook: read the coding rules, edit them, see what a change would do, apply it.

The project keeps every codebook it used (`lib.project.coding.save_codebook`); applying
one re-codes every study (`lib.pipeline.refresh`), and a reviewer's corrections are kept
whatever the codebook says. A codebook that cannot be used is refused with the message
naming the facet, code and rule, and nothing is saved.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from lib import pipeline, state
from lib.coding import FACETS, CodebookError, default_codebook_path, load_codebook
from lib.project import coding, open_project
from lib.textsafe import escape_markdown
from lib.views.codebook import facet_facts, history_table, rules_table

EDITOR = "codebook_yaml"
NOTE = "codebook_note"
SHOWN = "_codebook_shown"  # fingerprint of the codebook the editor was last filled with
PREVIEW = "codebook_preview"  # (hash of the previewed text, CodebookChange)
PROBLEM = "codebook_problem"  # (hash of the text, why it cannot be used)
FLASH = "codebook_flash"

project = state.page_setup("Codebook")
codebook = coding.project_codebook(project)
history = coding.codebook_history(project)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def preview(path: str) -> None:
    """Check the editor's text and work out what it would change (nothing is written)."""
    text = st.session_state.get(EDITOR, "")
    st.session_state.pop(PREVIEW, None)
    try:
        new = load_codebook(text)
    except CodebookError as exc:
        st.session_state[PROBLEM] = (digest(text), str(exc))
        return
    st.session_state.pop(PROBLEM, None)
    with open_project(path, create=False) as opened:
        change = coding.preview_codebook_change(opened, new)
    st.session_state[PREVIEW] = (digest(text), change)


def apply(path: str) -> None:
    """Save the editor's text as the project's codebook and re-code every study."""
    text = st.session_state.get(EDITOR, "")
    note = st.session_state.get(NOTE, "").strip()
    with open_project(path, create=False) as opened:
        try:
            coding.save_codebook(opened, text, note=note)
        except CodebookError as exc:
            st.session_state[PROBLEM] = (digest(text), str(exc))
            return
        pipeline.refresh(opened)
    pending = st.session_state.pop(PREVIEW, None)
    st.session_state.pop(PROBLEM, None)
    st.session_state[NOTE] = ""
    changed = pending[1].total_changed if pending else 0
    st.session_state[FLASH] = (
        f"Codebook applied and every study re-coded: {changed:,} automatic codes changed."
    )


def reset_to_default(path: str) -> None:
    """Put the default codebook in the editor and preview it (Apply makes it the project's)."""
    st.session_state[EDITOR] = default_codebook_path().read_text(encoding="utf-8")
    st.session_state[NOTE] = "reset to the default codebook"
    preview(path)


st.title("Codebook")
in_force = "saved in this project" if history else "the default codebook (data/codebook.yaml)"
st.caption(
    f"{escape_markdown(codebook.name)}, version {escape_markdown(codebook.version or '–')}: "
    f"{in_force}. Fingerprint {codebook.sha256[:12]}."
)
if FLASH in st.session_state:
    st.success(st.session_state.pop(FLASH))

tab_rules, tab_edit, tab_history = st.tabs(["Rules", "Edit", f"History ({len(history)})"])

with tab_rules:
    if codebook.description:
        st.text(codebook.description)
    weights = ", ".join(f"{field} ×{weight:g}" for field, weight in codebook.field_weights.items())
    st.caption(
        f"A phrase counts its rule's weight times the field's weight ({weights}); a code "
        "applies when its score reaches what it needs. Phrases match whole words, any case; "
        "'*' ends a word with any letters."
    )
    for name in FACETS:
        facet = codebook.facets[name]
        with st.expander(f"{escape_markdown(facet.label)} ({len(facet.codes)} codes)"):
            st.text("\n".join([facet.description, *facet_facts(facet)]).strip())
            st.dataframe(
                rules_table(facet),
                hide_index=True,
                width="stretch",
                column_config={
                    "looks for": st.column_config.TextColumn(width="large"),
                    "about": st.column_config.TextColumn(width="medium"),
                },
            )

with tab_edit:
    if st.session_state.get(SHOWN) != codebook.sha256:
        st.session_state[EDITOR] = codebook.to_yaml()
        st.session_state[SHOWN] = codebook.sha256
        st.session_state.pop(PREVIEW, None)
        st.session_state.pop(PROBLEM, None)
    st.caption(
        "Edit the YAML below (its header explains the layout), preview what the change would "
        "do, then apply it. Your corrections of single studies are kept either way."
    )
    text = st.text_area("Codebook (YAML)", key=EDITOR, height=480)
    st.text_input("Note for the history (what you changed and why)", key=NOTE)
    path = str(project.path)
    left, middle, right = st.columns(3)
    left.button("Preview the change", key="preview", on_click=preview, args=(path,),
                type="primary")  # fmt: skip
    right.button(
        "Reset to the default codebook …",
        key="reset",
        on_click=reset_to_default,
        args=(path,),
        help="Puts the default codebook in the editor and previews it; Apply makes it the "
        "project's. Earlier codebooks stay in the history.",
    )

    problem = st.session_state.get(PROBLEM)
    if problem is not None and problem[0] == digest(text):
        st.error("This codebook cannot be used, nothing was saved: " + escape_markdown(problem[1]))
    pending = st.session_state.get(PREVIEW)
    is_current = pending is not None and pending[0] == digest(text)
    if pending is not None and not is_current:
        st.info("The text changed since the preview: preview again before applying.")
    if is_current:
        change = pending[1]
        unchanged = digest(text) == digest(codebook.to_yaml())
        if unchanged:
            st.info("This is the codebook in force: there is nothing to apply.")
        else:
            st.markdown(
                f"**Preview:** applying this codebook changes **{change.total_changed:,}** "
                f"automatic codes across {change.studies:,} studies."
            )
            frame = change.to_frame().rename(
                columns={
                    "changed": "studies whose automatic code changes",
                    "changed_in_force": "... and whose code in force changes",
                    "kept_by_override": "... kept as is by your correction",
                }
            )
            frame["facet"] = [codebook.facets[f].label for f in frame["facet"]]
            st.dataframe(frame, hide_index=True, width="stretch", key="preview_table")
            examples = [
                f"{facet}: {sid}: {', '.join(old) or 'none'} → {', '.join(new) or 'none'}"
                for facet, fc in change.facets.items()
                for sid, old, new in fc.examples
            ]
            if examples:
                with st.expander("Examples of studies that change"):
                    st.text("\n".join(examples))
    middle.button(
        "Apply",
        key="apply",
        on_click=apply,
        args=(path,),
        disabled=not is_current or digest(text) == digest(codebook.to_yaml()),
        help="Preview the change first.",
    )

with tab_history:
    if not history:
        st.write(
            "This project still uses the default codebook (data/codebook.yaml); codebooks you "
            "apply are listed here with what each changed."
        )
    else:
        st.dataframe(
            history_table(history, project.events("recode")),
            hide_index=True,
            width="stretch",
            key="history_table",
        )
