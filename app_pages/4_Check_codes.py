"""Check codes: the least sure automatic codes first; confirm or correct each facet.

One study at a time, from the scope chosen on the other pages. Every confirmation and
correction is written to the project file at once, in the button's or widget's callback
(`lib.project.checks`); a correction is a reviewer's override, which no later codebook
edit changes. A correction can teach the codebook: a phrase from the abstract for the
code that was missed, or an exclusion for the wording that misled the coder, previewed
across the project before it is applied as the next codebook version. Record text is shown
as text (`lib.views.highlight` escapes it where it must be Markdown to be coloured).
"""

from __future__ import annotations

import streamlit as st

from lib import pipeline, state
from lib.coding import CodebookError
from lib.project import checks, coding, open_project
from lib.textsafe import escape_markdown
from lib.views import check_codes as view

SKIPPED = "check_skipped"  # studies passed over in this session (not a decision)
PINNED = "check_pinned"  # a study to show again after Back
FLASH = "check_flash"
PROPOSAL = "check_proposal"  # a previewed codebook edit: (proposal, preview)

project = state.page_setup("Check codes")
path = str(project.path)
codebook = coding.project_codebook(project)
scope = state.scope_radio()  # the same switch as Explore, the evidence map and Export


@st.cache_data(max_entries=4, show_spinner=False)
def in_scope(path: str, scope: str, key: str) -> tuple[frozenset[str] | None, str]:
    """The scope's studies, until a screening decision or a regrouping changes them."""
    with open_project(path, create=False) as opened:
        return view.scope_studies(opened, scope)


# -- writes (callbacks: they run before the page is drawn again) ------------------------------
def confirm(study_id: str, facet: str) -> None:
    with open_project(path, create=False) as opened:
        try:
            checks.confirm(opened, study_id, facet)
        except ValueError as exc:
            st.session_state[FLASH] = ("error", f"Not recorded: {exc}.")


def correct(study_id: str, facet: str, key: str) -> None:
    values = st.session_state.get(key)
    with open_project(path, create=False) as opened:
        try:
            checks.correct(opened, study_id, facet, values or [])
        except ValueError as exc:
            st.session_state[FLASH] = ("error", f"Not recorded: {exc}.")
            return
    st.session_state.pop(PROPOSAL, None)
    label = codebook.facet(facet).label
    st.session_state[FLASH] = ("info", f"{label} corrected. You can teach the codebook below.")


def finish(study_id: str) -> None:
    with open_project(path, create=False) as opened:
        checks.finish_study(opened, study_id)
    st.session_state.pop(PINNED, None)
    st.session_state.pop(PROPOSAL, None)


def skip(study_id: str) -> None:
    st.session_state.setdefault(SKIPPED, []).append(study_id)
    st.session_state.pop(PINNED, None)
    st.session_state.pop(PROPOSAL, None)


def back() -> None:
    with open_project(path, create=False) as opened:
        undone = checks.undo_last(opened)
    if undone is None:
        st.session_state[FLASH] = ("info", "Nothing to take back.")
        return
    st.session_state[PINNED] = undone
    st.session_state.pop(PROPOSAL, None)
    st.session_state[FLASH] = ("info", "Took back your last check of this study.")


def preview(study_id: str, facet: str, choice: str, where: str) -> None:
    phrase = st.session_state.get(f"{where}:{choice}", "")
    weight = st.session_state.get(f"{where}_weight")
    try:
        made = view.make_proposal(codebook, facet, choice, phrase, study_id, weight)
    except (ValueError, KeyError, CodebookError) as exc:
        st.session_state[FLASH] = ("error", f"This edit cannot be used: {exc}")
        return
    with open_project(path, create=False) as opened, st.spinner("Coding every study …"):
        found = view.preview_edit(opened, made, study_id, state.studies(opened))
    st.session_state[PROPOSAL] = (made, found)


def apply() -> None:
    made, _ = st.session_state.pop(PROPOSAL)
    with open_project(path, create=False) as opened:
        if coding.project_codebook(opened).sha256 != made.base:
            st.session_state[FLASH] = ("error", "The codebook changed since this preview: "
                                       "preview the edit again.")  # fmt: skip
            return
        try:
            saved = coding.save_codebook(opened, made.text, note=made.note)
        except CodebookError as exc:
            st.session_state[FLASH] = ("error", f"Not applied: {exc}")
            return
        with st.spinner("Re-coding every study with the new version …"):
            pipeline.refresh(opened)
    done = f"Codebook version {saved.version} applied, every study re-coded."
    st.session_state[FLASH] = ("success", done + " Your corrections stay as you made them.")


# -- the page ---------------------------------------------------------------------------------
st.title("Check codes")
within, scope_text = in_scope(path, scope, view.scope_key(project))
st.caption(f"Scope: {escape_markdown(scope_text.rstrip('.'))}. The least sure codes come first.")
done = checks.progress(project, within)
if not done.total:
    state.stop_if_empty(state.studies(project))
cols = st.columns(4)
cols[0].metric("Checked", f"{done.checked:,} / {done.total:,}")
for col, agreed in zip(cols[1:], checks.agreement(project), strict=True):
    rate = "–" if agreed.rate is None else f"{agreed.rate:.0%}"
    col.metric(f"{codebook.facet(agreed.facet).label}: agreed", rate,
               help=f"Of your last {agreed.checks} checks of this facet (at most 50), "
               f"{agreed.agreed} confirmed the automatic code.")  # fmt: skip
if FLASH in st.session_state:
    kind, message = st.session_state.pop(FLASH)
    getattr(st, kind)(escape_markdown(message))

pinned = st.session_state.get(PINNED)  # after Back: that study again, if it is still there
shown = view.load_study(project, pinned) if pinned else None
if shown is None:
    st.session_state.pop(PINNED, None)
    found = checks.next_study(project, within, skip=set(st.session_state.get(SKIPPED, [])))
    shown = view.load_study(project, found[0]) if found else None

if shown is None:
    if st.session_state.get(SKIPPED):
        st.info("Only studies you skipped are left.")
        st.button("Show the skipped studies again", on_click=st.session_state.pop, args=(SKIPPED,))
    else:
        st.success("Every study in scope is checked.")
    st.button("Back", key="check_back", shortcut="B", on_click=back)
    st.stop()

b1, b2, b3 = st.columns([2, 1, 1])
b1.button("All correct: next study", key="check_next", type="primary", shortcut="A",
          width="stretch", on_click=finish, args=(shown.study_id,))  # fmt: skip
b2.button("Skip", key="check_skip", shortcut="S", width="stretch", on_click=skip,
          args=(shown.study_id,))  # fmt: skip
b3.button("Back", key="check_back", shortcut="B", width="stretch", on_click=back)
st.caption("Keys: 1, 2, 3 confirm a code · A all correct, next study (confirms the rest) · "
           "S skip · B take back the last check (not while typing in a box).")  # fmt: skip

title, abstract = view.card_markdown(shown.record, shown.evidence)
with st.container(border=True):
    st.markdown("### " + (title or "(no title)"))
    if not abstract:
        st.caption("No abstract: the codes come from the title and keywords.")
    st.markdown(abstract)
    st.caption(f"Study {escape_markdown(shown.study_id)}")

for n, row in enumerate(shown.rows):
    spec = codebook.facet(row.facet)
    with st.container(border=True):
        name, sentence, act = st.columns([2, 5, 4])  # room for two code tags side by side
        name.markdown(f"**{escape_markdown(row.label)}**")
        sure = "–" if row.confidence is None else f"{row.confidence:.0%}"
        name.text(f"{row.auto_text}\nsure: {sure}\n{row.status}")
        if row.sentences:
            sentence.markdown("\n\n".join(row.sentences))
        else:
            sentence.caption("No evidence reached the bar: the code is the facet's default.")
        act.button(f"Confirm ({n + 1})", key=f"confirm_{row.facet}", shortcut=str(n + 1),
                   width="stretch", on_click=confirm, args=(shown.study_id, row.facet),
                   disabled=row.in_force != row.auto or row.status == "confirmed")  # fmt: skip
        key = f"fix_{row.facet}_{shown.study_id}"
        choices = list(spec.codes)
        if spec.single:
            value = row.in_force[0] if row.in_force else spec.fallback
            act.selectbox("Correct to", choices, index=choices.index(value) if value in choices
                          else None, key=key, format_func=spec.label_of, on_change=correct,
                          args=(shown.study_id, row.facet, key))  # fmt: skip
        else:
            act.multiselect("Correct to", choices, default=[c for c in row.in_force if c in
                            choices], key=key, format_func=spec.label_of, on_change=correct,
                            args=(shown.study_id, row.facet, key))  # fmt: skip

# -- corrections that teach the codebook ------------------------------------------------------
for row in shown.rows:
    if row.check is None or row.check.verdict != "corrected":
        continue
    spec = codebook.facet(row.facet)
    missed, wrong = view.proposal_targets(codebook, row.facet, row.auto, row.check.codes)
    options = [f"phrase:{c}" for c in missed]
    targets = view.exclusion_targets(shown, row.facet, wrong, row.check.codes)
    options += [f"exclusion:{c}" for c in targets]
    with st.expander(f"Teach the codebook from your {row.label.lower()} correction",
                     expanded=True):  # fmt: skip
        if not options:
            st.caption("Nothing to teach: the code you chose is the facet's default.")
            continue
        where = f"teach_{row.facet}_{shown.study_id}"
        choice = st.radio("Edit", options, key=f"{where}_kind", horizontal=True,
                          format_func=lambda o, spec=spec: view.option_label(spec, o))  # fmt: skip
        kind, code = choice.split(":", 1)
        st.text_input(
            "Phrase" if kind == "phrase" else "Wording to exclude",
            value=view.suggested_phrase(shown, row.facet, kind, code),
            key=f"{where}:{choice}",
            help="Keep only the words that name the code: they are matched as whole words, "
            "in any case, with their inflections."
            if kind == "phrase"
            else "A match of this code is cancelled where this wording overlaps it.",
        )
        if kind == "phrase":
            st.number_input("Weight", 0.5, 10.0, float(spec.codes[code].min_score), 0.5,
                            key=f"{where}_weight",
                            help="What the phrase counts; the code needs "
                            f"{spec.codes[code].min_score:g}.")  # fmt: skip
        st.button("Preview across the project", key=f"{where}_preview", on_click=preview,
                  args=(shown.study_id, row.facet, choice, where))  # fmt: skip

if PROPOSAL in st.session_state:
    made, found = st.session_state[PROPOSAL]
    spec = codebook.facet(made.facet)
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(view.proposal_text(made, spec))}**")
        st.text(
            f"This study would get: {', '.join(spec.label_of(c) for c in found.here) or 'none'}"
        )
        st.markdown(f"**{found.changed:,}** automatic codes would change across "
                    f"{found.studies:,} studies (the {found.coded:,} holding these words were "
                    "coded again)" + (":" if len(found.rows) else "."))  # fmt: skip
        for item in found.rows.itertuples():
            left, right = st.columns([3, 2])
            left.page_link(state.PAGES["Study"], label=escape_markdown(item.short),
                           icon=":material/description:",
                           query_params={"study": item.study_id})  # fmt: skip
            right.caption(f"{escape_markdown(item.code)}: {escape_markdown(item.now)} → "
                          f"{escape_markdown(item.after)}")  # fmt: skip
        yes, no = st.columns(2)
        yes.button("Apply as the next codebook version", key="check_apply", type="primary",
                   on_click=apply)  # fmt: skip
        no.button("Discard", key="check_discard", on_click=st.session_state.pop, args=(PROPOSAL,))
