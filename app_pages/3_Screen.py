"""Screen: one study at a time, include / exclude / maybe, the likely relevant first.

Every decision is written to the project file at once (`lib.screening.decisions`), in the
button's callback, so the rerun that follows already shows the next study. A background
process retrains the ranking as decisions come in (`lib.screening.worker`); the page
only reads the newest ranking, never waits for it. Record text is shown as text: the
highlighted title and abstract go through `lib.views.screening.terms_markdown`, the rest
through elements that do not read Markdown.
"""

from __future__ import annotations

import streamlit as st

from lib import state
from lib.project import ProjectError, open_project
from lib.readers.base import ReadError
from lib.screening import decisions, terms, worker
from lib.screening.importing import import_decisions
from lib.screening.queue import Screening, current, latest_ranking, pending, progress
from lib.screening.stopping import estimate
from lib.textsafe import escape_markdown
from lib.views.screening import (
    ORDER_LABELS,
    STAGE_LABELS,
    history_table,
    study_card,
    terms_markdown,
)

MADE = "screen_made"  # this session's decision ids, newest last: what Back undoes
PINNED = "screen_pinned"  # a study to show again (after Back), whatever the order
HELD = "screen_held"  # the study on screen: a new ranking must not swap it while it is read
FLASH = "screen_flash"

project = state.page_setup("Screen")
path = str(project.path)


@st.cache_resource(max_entries=2, show_spinner=False)
def screening_state(path: str, version: int) -> Screening:
    """The decisions in force at one project version (shared, read-only)."""
    with open_project(path, create=False) as opened:
        return current(opened)


def decide(study_id: str, verdict: str, stage: str, origin: str) -> None:
    """A button's callback: store the decision before the page reruns."""
    reason = (st.session_state.get("screen_reason") or "") if verdict == "exclude" else ""
    try:
        with open_project(path, create=False) as opened:
            made = decisions.decide(
                opened,
                study_id,
                verdict,
                stage=stage,
                reason=reason,
                note=st.session_state.get("screen_note", ""),
                origin=origin,
            )
    except (ValueError, ProjectError) as exc:
        st.session_state[FLASH] = ("error", f"Not recorded: {exc}")
        return
    st.session_state.setdefault(MADE, []).append(made)
    st.session_state.pop(PINNED, None)
    st.session_state.pop(HELD, None)
    st.session_state["screen_note"] = ""
    st.session_state["screen_reason"] = None


def back(stage: str) -> None:
    """Undo this session's last decision (else the project's last at this stage)."""
    mine = st.session_state.get(MADE, [])
    with open_project(path, create=False) as opened:
        last = decisions.last_decision(opened, stage=stage)
        target = mine.pop() if mine else (last.decision_id if last else None)
        if target is None:
            st.session_state[FLASH] = ("info", "Nothing to take back.")
            return
        try:
            undone = decisions.undo(opened, target)
        except ProjectError as exc:
            st.session_state[FLASH] = ("error", str(exc))
            return
    st.session_state[PINNED] = undone.study_id
    st.session_state[FLASH] = ("info", f"Took back: {undone.verdict}. Decide this study again.")


try:
    worker.ensure_worker(project)
except OSError as exc:  # the page works without a ranking; say why it is missing
    st.sidebar.warning(f"The ranking cannot start ({exc.strerror}); records come in import order.")
if failed := worker.last_error(project):
    st.sidebar.warning(f"The ranking could not be updated: {escape_markdown(failed)}")
screening = screening_state(path, project.version)
saved_terms = terms.load_terms(project)

with st.sidebar:
    stage = st.radio("Stage", list(STAGE_LABELS), format_func=STAGE_LABELS.get, key="screen_stage")
    order = st.radio("Order", list(ORDER_LABELS), format_func=ORDER_LABELS.get, key="screen_order")
    maybes = st.toggle("Revisit studies marked maybe", key="screen_maybes")
    seed = st.number_input("Random order: seed", 0, 9999, 1, key="screen_seed")
    with st.expander("Highlight terms"), st.form("screen_terms_form", border=False):
        inc = st.text_area(
            "Include terms (green)", "\n".join(saved_terms["include"]), key="screen_inc"
        )
        exc = st.text_area(
            "Exclude terms (red)", "\n".join(saved_terms["exclude"]), key="screen_exc"
        )
        st.caption("One per line or comma-separated; `prison*` matches any ending.")
        if st.form_submit_button("Save terms"):
            terms.save_terms(project, terms.parse_terms(inc), terms.parse_terms(exc))
            st.rerun()

ranking = latest_ranking(project, screening.studies)
todo = pending(screening, stage=stage, order=order, ranking=ranking, seed=seed, maybes=maybes)
pinned, members = st.session_state.get(PINNED), screening.studies.members
held, held_in = st.session_state.get(HELD, (None, None))  # undecided: stays on screen
held = held if held_in == (stage, order, seed, maybes) and held in members else None
held = held if held and screening.of(held, stage) is None else None
shown = pinned if pinned in members else held or next(todo, None)
st.session_state[HELD] = (shown, (stage, order, seed, maybes))
if (shown == pinned and pinned) or maybes:
    origin = "chosen"
else:
    origin = {"ranked": "ranked" if ranking else "import-order"}.get(order, order)
    origin = "import-order" if origin == "import" else origin

st.title("Screen")
done = progress(screening, stage)
cols = st.columns(5)
cols[0].metric("Screened", f"{done.screened:,} / {done.to_screen:,}")
cols[1].metric("Included", f"{done.included:,}")
cols[2].metric("Excluded", f"{done.excluded:,}")
cols[3].metric("Maybe", f"{done.maybe:,}")
cols[4].metric("Since last include", f"{done.since_last_include:,}")
if order == "ranked":
    if ranking is None:
        st.caption(  # with both: the worker is training on them, the page does not wait
            "Import order until the ranking, trained in the background, is ready."
            if done.included and done.excluded
            else "Import order until you have included one study and excluded one; then "
            "the likely relevant come first, retrained in the background as you go."
        )
    else:
        st.caption(
            f"Ranked by relevance learned from your {ranking.n_included:,} included and "
            f"{ranking.n_excluded:,} excluded (updated {ranking.made_at[11:16]} UTC; model: "
            f"{escape_markdown(ranking.model)})."
        )
if done.conflicts:
    st.warning(
        f"{done.conflicts:,} studies joined records you decided differently; they come "
        "first, with the decisions they carry. Decide them again."
    )
if FLASH in st.session_state:
    kind, message = st.session_state.pop(FLASH)
    (st.error if kind == "error" else st.info)(escape_markdown(message))

if shown is None:
    st.success(f"Nothing left to screen at this stage ({STAGE_LABELS[stage].lower()}).")
    st.button("Back", key="screen_back", shortcut="B", on_click=back, args=(stage,))
else:
    status = screening.of(shown, stage)
    reasons = decisions.reasons(project)
    needs_reason = stage == "full-text"
    b1, b2, b3, b4 = st.columns(4)
    b1.button("Include", key="screen_include", shortcut="I", type="primary", width="stretch",
              on_click=decide, args=(shown, "include", stage, origin))  # fmt: skip
    b2.button("Exclude", key="screen_exclude", shortcut="E", width="stretch",
              on_click=decide, args=(shown, "exclude", stage, origin))  # fmt: skip
    b3.button("Maybe", key="screen_maybe", shortcut="M", width="stretch",
              on_click=decide, args=(shown, "maybe", stage, origin))  # fmt: skip
    b4.button("Back", key="screen_back", shortcut="B", width="stretch",
              on_click=back, args=(stage,))  # fmt: skip
    r1, r2 = st.columns(2)
    r1.selectbox(
        "Reason to exclude" + (" (needed at full text)" if needs_reason else " (optional)"),
        reasons,
        index=None,
        key="screen_reason",
        placeholder="Choose a reason",
    )
    r2.text_input("Note (optional)", key="screen_note")
    st.caption("Keys: I include · E exclude · M maybe · B back (not while typing in a box).")
    card = study_card(project, shown)
    if status is not None and status.verdict == decisions.CONFLICT:
        said = "; ".join(f"{d.verdict} ({d.reason or 'no reason'})" for d in status.decisions)
        st.warning(f"Conflicting decisions on these records: {escape_markdown(said)}.")
    elif status is not None:
        st.info(f"Marked {status.verdict} before. {escape_markdown(status.note)}")
    if card is None:
        st.error("This study is no longer in the project; reload the page.")
    else:
        with st.container(border=True):
            st.markdown(
                "### " + (terms_markdown(card.title, **saved_terms) or "(no title)"),
                help="Include terms are on green, exclude terms on red.",
            )
            st.text(card.byline())
            st.text("Found in: " + (", ".join(card.databases) or "no database label"))
            if card.abstract:
                st.markdown(terms_markdown(card.abstract, **saved_terms))
            else:
                st.caption("No abstract: decide on the title, or mark maybe.")
            st.caption(f"Study {escape_markdown(shown)} · {len(card.record_ids)} record(s)")
        made = decisions.history(project, shown, screening.studies)
        with st.expander(f"History of this study ({len(made)})"):
            st.dataframe(history_table(made), hide_index=True)

with st.expander("When to stop"):
    aid = estimate(screening)
    st.metric("Screened since the last include", f"{aid.since_last_include:,}")
    if aid.method == "none":
        st.write(aid.explanation)
    else:
        st.metric(
            "Relevant records still unscreened (estimate)",
            f"{aid.expected:,.0f}",
            help="95% interval from the records you screened, shown below.",
        )
        st.write(f"95% interval: {aid.low:,.0f} to {aid.high:,.0f}. {aid.explanation}")
        st.caption(
            f"To check, switch to random order and screen about {aid.suggested_sample:,} "
            "records: if none is relevant, fewer than 5% of what you included are left."
        )

with st.expander("Reasons to exclude"), st.form("screen_reasons_form", border=False):
    edited = st.text_area(
        "One reason per line", "\n".join(decisions.reasons(project)), key="screen_reasons"
    )
    if st.form_submit_button("Save reasons"):
        decisions.set_reasons(project, edited.splitlines())
        st.rerun()

with st.expander("Import decisions made earlier (CSV, Rayyan, ASReview)"):
    upload = st.file_uploader("A file with decisions", key="screen_import_file")
    replace = st.checkbox("Replace decisions already made here", key="screen_import_replace")
    if upload is not None and st.button("Import decisions", key="screen_import"):
        try:
            report = import_decisions(
                project, (upload.getvalue(), upload.name), stage=stage, replace=replace
            )
        except (ReadError, ValueError) as exc:
            st.error(escape_markdown(f"{upload.name}: {exc}"))
        else:
            if report.no_decision_found:
                st.error(escape_markdown(f"{upload.name}: no decisions found in this file."))
            st.text("\n".join(report.lines()[:200]))
