"""The Study page's writes: a code corrected, a correction undone, the checked mark.

Each runs as a widget's callback, before the page is drawn again, and says what it did
(or why it could not) in the session (``FLASH``, ``PROBLEM``) for the page to show. Kept
apart from the page so it stays a page; the session is any mutable mapping (Streamlit's
session state in the app).
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from typing import Any

from lib import pipeline
from lib.coding import Codebook
from lib.project import coding, open_project
from lib.views.study import chosen_codes

__all__ = ["FLASH", "NOTE", "PROBLEM", "save_checked", "save_code", "shown", "undo_code"]

FLASH = "study_flash"  # what the last change did, shown after the rerun
PROBLEM = "study_problem"  # a change that could not be saved, and why
NOTE = "correction_note"  # the note saved with the next correction


def shown(codebook: Codebook, facet: str, values: Sequence[str]) -> str:
    """Codes as their labels, for messages."""
    return ", ".join(codebook.facet(facet).label_of(v) for v in values) or "none"


def save_code(
    session: MutableMapping[str, Any],
    codebook: Codebook,
    path: str,
    study_id: str,
    facet: str,
    keys: tuple[str, ...],
    before: tuple[str, ...],
) -> None:
    """Save the facet's codes as the widget(s) ``keys`` now show them (a list, one value,
    or one checkbox per code, keyed ``code_<facet>:<code>``), with the note typed."""
    wanted = chosen_codes(session, keys)
    if sorted(before) == sorted(wanted):
        return
    note = str(session.get(NOTE, "")).strip()
    with open_project(path, create=False) as opened:
        try:
            coding.set_override(opened, study_id, facet, wanted, note=note)
        except ValueError as exc:
            session[PROBLEM] = f"Not saved: {exc}."
            for key in keys:  # the widgets show the stored value again
                session.pop(f"_shown_{key}", None)
            return
        pipeline.refresh(opened)
    session[NOTE] = ""
    said = f"{codebook.facet(facet).label} set to: {shown(codebook, facet, wanted)}"
    session[FLASH] = said + (f" (note: {note})." if note else ".")


def undo_code(
    session: MutableMapping[str, Any], codebook: Codebook, path: str, study_id: str, facet: str
) -> None:
    with open_project(path, create=False) as opened:
        try:
            restored = coding.undo_override(opened, study_id, facet)
        except ValueError as exc:
            session[PROBLEM] = f"Not undone: {exc}."
            return
        pipeline.refresh(opened)
    session[FLASH] = f"{codebook.facet(facet).label} back to: {shown(codebook, facet, restored)}."


def save_checked(session: MutableMapping[str, Any], path: str, study_id: str) -> None:
    with open_project(path, create=False) as opened:
        coding.set_checked(opened, study_id, bool(session["checked"]))
    session[FLASH] = f"Marked as {'' if session['checked'] else 'not '}checked."
