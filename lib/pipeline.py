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
    # read before the changes: a change another session makes meanwhile leaves this stale
    key = _coding_key(project, codebook)
    seen = project.meta(_SEEN)
    last, changed = duplicates.study_changes(project, int(seen) if seen else 0)
    if seen is not None and changed is not None and project.meta(_CODEBOOK) == codebook:
        if changed:
            records = duplicates.study_records(project, changed)
            gone = [sid for sid in changed if sid not in records]
            coding.recode_studies(project, records, gone)
    else:
        coding.refresh(project)
    with project.transaction() as conn:
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [(_KEY, key), (_CODEBOOK, codebook), (_SEEN, str(last))],
        )
    return True


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
