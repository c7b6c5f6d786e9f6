"""Keep a project's derived state current: duplicate groups, then the studies' codes.

Groups are derived from records + duplicate decisions, codes from groups + codebook; both
are stored so pages only read. Call `refresh` after anything that changes records,
decisions or the codebook (an import, a duplicate decision, a codebook edit); it costs a
couple of small queries when nothing changed, so pages also call it on start-up to pick up
changes made elsewhere (the command line, another browser session).

Only what changed is coded again: every study made, changed or dropped by deduplication
is listed in the project (`lib.project.duplicates.study_changes`), and as long as the
codebook is the one the codes were made with, only those studies are coded. A duplicate
decision changes one or two studies, and coding all 50k of a large project took a minute.
"""

from __future__ import annotations

import hashlib
import threading

from lib.coding import default_codebook_path
from lib.project import Project, coding, duplicates

__all__ = ["is_stale", "refresh", "warm_up"]

_KEY = "pipeline_coded"  # the groups' state and codebook the codes were made from
_CODEBOOK = "pipeline_codebook"  # the codebook the codes were made with
_SEEN = "pipeline_changes_seen"  # the last study change coded (dedupe_study_changes.seq)


def _codebook_key(project: Project) -> str:
    row = project.conn.execute(
        "SELECT sha256 FROM codebooks ORDER BY codebook_id DESC LIMIT 1"
    ).fetchone()
    if row:
        return str(row[0])
    return hashlib.sha256(default_codebook_path().read_bytes()).hexdigest()


def _coding_key(project: Project, codebook: str | None = None) -> str:
    """What the codes were made from: the groups' state and the codebook, cheaply."""
    return f"{project.meta('dedupe_state')}|{codebook or _codebook_key(project)}"


def is_stale(project: Project) -> bool:
    """True when groups or codes need recomputing (cheap: no record is read)."""
    return duplicates.is_stale(project) or project.meta(_KEY) != _coding_key(project)


def refresh(project: Project) -> bool:
    """Regroup and recode if records, decisions or the codebook changed; True if anything ran."""
    if not is_stale(project):
        return False
    from lib.project import restore  # with the exchange formats: not at every start

    restore.apply_pending(project)  # what our own exports carried, once they are imported
    duplicates.refresh(project)
    codebook = _codebook_key(project)
    coded_with = project.meta(_CODEBOOK)
    # A re-code for a new codebook running in the background (`lib.recoding`): code only
    # the studies that changed, and keep saying the codes are the old codebook's until
    # the worker has stored the rest (it records the new codebook itself).
    background = coded_with != codebook and _recoding(project, codebook)
    # read before the changes: a change another session makes meanwhile leaves this stale
    groups_state = project.meta("dedupe_state")
    seen = project.meta(_SEEN)
    last, changed = duplicates.study_changes(project, int(seen) if seen else 0)
    if seen is not None and changed is not None and (coded_with == codebook or background):
        if changed:
            records = duplicates.study_records(project, changed)
            gone = [sid for sid in changed if sid not in records]
            coding.recode_studies(project, records, gone)
        if background:
            codebook = str(coded_with)
    else:
        coding.refresh(project)
    wanted = coded_meta(groups_state, codebook, last)
    if all(project.meta(k) == v for k, v in wanted.items()):
        return False  # a background re-code runs and nothing else changed: no write
    with project.transaction() as conn:
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            list(wanted.items()),
        )
    return True


def _recoding(project: Project, codebook: str) -> bool:
    from lib import recoding  # its worker process imports this module

    return recoding.running(project, codebook)


def coded_state(project: Project) -> tuple[str | None, str | None, str | None]:
    """``(groups' state + codebook, codebook, last study change coded)`` as stored: what
    `refresh` compares; for `lib.recoding`, which stores them after a background re-code."""
    return project.meta(_KEY), project.meta(_CODEBOOK), project.meta(_SEEN)


def coded_meta(groups_state: str | None, codebook: str, seen: int) -> dict[str, str]:
    """The meta keys saying the codes were made from these groups, codebook and changes."""
    return {_KEY: f"{groups_state}|{codebook}", _CODEBOOK: codebook, _SEEN: str(seen)}


def codebook_key(project: Project) -> str:
    """The codebook the codes should be made with (the project's saved one, else the
    app's default), as a hash."""
    return _codebook_key(project)


_warmed: set[str] = set()
_warming = threading.Lock()


def warm_up(project: Project) -> None:
    """Prepare the coder for the project's codebook in a background thread, once per
    codebook and process: compiling its rules takes 1-2 s, which the first duplicate
    decision of a session would otherwise wait for."""
    codebook = coding.project_codebook(project)
    with _warming:
        if codebook.sha256 in _warmed:
            return
        _warmed.add(codebook.sha256)
    from lib.coding import code_records

    threading.Thread(target=code_records, args=([], codebook), daemon=True).start()
