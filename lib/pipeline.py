"""Keep a project's derived state current: duplicate groups, then the studies' codes.

Groups are derived from records + duplicate decisions, codes from groups + codebook; both
are stored so pages only read. Call `refresh` after anything that changes records,
decisions or the codebook (an import, a duplicate decision, a codebook edit); it costs a
couple of small queries when nothing changed, so pages also call it on start-up to pick up
changes made elsewhere (the command line, another browser session).
"""

from __future__ import annotations

import hashlib

from lib.coding import default_codebook_path
from lib.project import Project, coding, duplicates, restore

__all__ = ["is_stale", "refresh"]

_KEY = "pipeline_coded"


def _codebook_key(project: Project) -> str:
    row = project.conn.execute(
        "SELECT sha256 FROM codebooks ORDER BY codebook_id DESC LIMIT 1"
    ).fetchone()
    if row:
        return str(row[0])
    return hashlib.sha256(default_codebook_path().read_bytes()).hexdigest()


def _coding_key(project: Project) -> str:
    """What the codes were made from: the groups' state and the codebook, cheaply."""
    return f"{project.meta('dedupe_state')}|{_codebook_key(project)}"


def is_stale(project: Project) -> bool:
    """True when groups or codes need recomputing (cheap: no record is read)."""
    return duplicates.is_stale(project) or project.meta(_KEY) != _coding_key(project)


def refresh(project: Project) -> bool:
    """Regroup and recode if records, decisions or the codebook changed; True if anything ran."""
    if not is_stale(project):
        return False
    restore.apply_pending(project)  # what our own exports carried, once they are imported
    duplicates.refresh(project)
    coding.refresh(project)
    project.set_meta(_KEY, _coding_key(project))
    return True
